using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Wright.Core.Llm;
using Wright.FakeLlm;

namespace Wright.Bench;

/// <summary>
/// How much of each provider request a prompt cache can serve: a scripted 10-turn session with a
/// tool round in every turn, through Wright, against the fake Anthropic endpoint. For each request
/// from the second on, the share of its content (tools, system, messages in the provider's cache
/// order, breakpoint markers aside) that is a byte-identical prefix of the request before it; and
/// the session's input cost priced from the catalog without caching and with it (the shared prefix
/// read from the cache, the rest written to it). Tokens are estimated at 4 characters each.
/// </summary>
internal static class PrefixBench
{
    private const int Turns = 10;
    private const string Model = "anthropic/claude-haiku-4-5";

    public static async Task RunAsync(string work, CancellationToken cancellationToken)
    {
        await using var fake = await FakeLlmServer.StartAsync(cancellationToken);
        var environment = new Dictionary<string, string>
        {
            ["ANTHROPIC_BASE_URL"] = fake.AnthropicBaseUrl,
            ["ANTHROPIC_API_KEY"] = "bench-key",
            ["WRIGHT_DEFAULT_MODEL"] = Model,
        };
        await using var server = await ServerProcess.StartAsync(Path.Combine(work, "prefix-data"), cancellationToken, environment);
        using var client = await server.CreateClientAsync(cancellationToken, TimeSpan.FromMinutes(5));
        using var created = await client.PostAsJsonAsync("/api/projects", new { name = "prefix", path = Path.Combine(work, "prefix-project") }, cancellationToken);
        created.EnsureSuccessStatusCode();
        var project = (await created.Content.ReadFromJsonAsync<JsonElement>(cancellationToken)).GetProperty("id").GetGuid();
        using var session = await client.PostAsJsonAsync($"/api/projects/{project}/sessions", new { }, cancellationToken);
        session.EnsureSuccessStatusCode();
        var sessionId = (await session.Content.ReadFromJsonAsync<JsonElement>(cancellationToken)).GetProperty("id").GetGuid();

        var firstRequestOfTurn = new List<int>();
        for (var turn = 1; turn <= Turns; turn++)
        {
            var call = turn == 1
                ? new FakeToolCall("call_w1", "write_file", JsonSerializer.Serialize(new { path = "src/calc.py", content = Calc(1) }))
                : new FakeToolCall($"call_r{turn}", "read_file", JsonSerializer.Serialize(new { path = "src/calc.py" }));
            fake.Enqueue(new FakeReply { ToolCalls = [call] }, FakeReply.Text($"Turn {turn} done: the calculator is as you asked."));
            firstRequestOfTurn.Add(fake.Requests.Count);
            using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/sessions/{sessionId}/messages") { Content = JsonContent.Create(new { content = $"Step {turn}: look at src/calc.py and tell me what add does." }) };
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            response.EnsureSuccessStatusCode();
            await response.Content.ReadAsStringAsync(cancellationToken);
        }

        var texts = fake.Requests.Select(r => Canonical(r.Body)).ToList();
        var price = ModelCatalog.Seeded[Model];
        decimal plain = 0m, cached = 0m;
        var shares = new List<double>();
        var turnShares = new List<double>();
        for (var i = 0; i < texts.Count; i++)
        {
            var total = texts[i].Length / 4m;
            var shared = i == 0 ? 0 : CommonPrefix(texts[i - 1], texts[i]) / 4m;
            plain += total * price.InputCostPerToken!.Value;
            cached += shared * price.CacheReadCostPerToken!.Value + (total - shared) * price.CacheWriteCostPerToken!.Value;
            if (i > 0)
            {
                if (Environment.GetEnvironmentVariable("WRIGHT_BENCH_VERBOSE") == "1")
                {
                    // Where the request stops repeating the one before: what breaks the prefix.
                    var at = (int)(shared * 4);
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"prefix: request {i + 1}: {shared / total:P1} of {texts[i].Length} chars; differs at {at}: «{Excerpt(texts[i - 1], at)}» → «{Excerpt(texts[i], at)}»"));
                }

                shares.Add((double)(shared / total));
                if (firstRequestOfTurn.Contains(i))
                {
                    turnShares.Add((double)(shared / total));
                }
            }
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"prefix: {Turns} turns, {texts.Count} requests; cacheable prefix of the previous request: min {shares.Min():P1}, mean {shares.Average():P1} (first request of each turn from turn 2: min {turnShares.Min():P1}, mean {turnShares.Average():P1})"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"prefix: session input cost {plain:0.######} USD without caching, {cached:0.######} USD with it ({cached / plain:P0}); requests carrying cache_control: {fake.Requests.Count(r => r.Body.Contains("cache_control", StringComparison.Ordinal))}/{texts.Count}"));
    }

    private static string Excerpt(string text, int at) =>
        text.Substring(Math.Max(0, at - 60), Math.Min(text.Length, at + 60) - Math.Max(0, at - 60)).ReplaceLineEndings("⏎");

    private static string Calc(int version) => $"def add(a, b):\n    return a + b  # v{version}\n\n\ndef sub(a, b):\n    return a - b\n";

    /// <summary>The request in the order a prompt cache sees it (tools, system, messages), cache markers removed.</summary>
    private static string Canonical(string body)
    {
        var json = JsonNode.Parse(body)!.AsObject();
        Strip(json);
        var text = new StringBuilder();
        text.Append(json["tools"]?.ToJsonString()).Append(json["system"]?.ToJsonString());
        foreach (var message in json["messages"]!.AsArray())
        {
            text.Append(message!.ToJsonString());
        }

        return text.ToString();
    }

    private static void Strip(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject o:
                o.Remove("cache_control");
                foreach (var (_, child) in o.ToList())
                {
                    Strip(child);
                }

                break;
            case JsonArray a:
                foreach (var child in a)
                {
                    Strip(child);
                }

                break;
        }
    }

    private static int CommonPrefix(string a, string b)
    {
        var n = Math.Min(a.Length, b.Length);
        var i = 0;
        while (i < n && a[i] == b[i])
        {
            i++;
        }

        return i;
    }
}
