using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Anthropic;
using Microsoft.Extensions.AI;
using Wright.FakeLlm;
using AnthropicClientOptions = Anthropic.Core.ClientOptions;

namespace Wright.Bench;

/// <summary>
/// Chat through Wright against the loopback fake provider: time to first token through Wright vs
/// the same SDK talking to the fake directly; and 100 concurrent answers of 2,000 chunks each,
/// every chunk carrying the fake's send timestamp so the client measures the latency Wright adds.
/// </summary>
internal static class ChatBench
{
    private const int TtftRounds = 200;
    private const int TtftWarmupRounds = 4_000;
    private const int Streams = 100;
    private const int ChunksPerStream = 2_000;
    private const string Model = "anthropic/claude-haiku-4-5";

    public static async Task RunTtftAsync(string work, CancellationToken cancellationToken)
    {
        await using var fake = await FakeLlmServer.StartAsync(cancellationToken);
        fake.Fallback = FakeReply.Text("first", " second", " third");
        await using var server = await ServerProcess.StartAsync(Path.Combine(work, "ttft-data"), cancellationToken, Environment(fake));
        using var client = await server.CreateClientAsync(cancellationToken, TimeSpan.FromMinutes(5));
        var project = await CreateProjectAsync(client, Path.Combine(work, "ttft-project"), cancellationToken);
        // The workbench keeps the project's event feed open, so its directory is watched: what git
        // said about the workspace is then known until it changes (as in a user's session).
        using var feed = await OpenEventFeedAsync(client, project, cancellationToken);
        using var direct = new AnthropicClient(new AnthropicClientOptions { ApiKey = "bench-key", BaseUrl = fake.AnthropicBaseUrl, MaxRetries = 0 }).AsIChatClient("claude-haiku-4-5", 1024);

        async Task<double> ThroughWright()
        {
            var session = await CreateSessionAsync(client, project, cancellationToken);
            var clock = Stopwatch.StartNew();
            using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/sessions/{session}/messages") { Content = JsonContent.Create(new { content = "Hello" }) };
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            response.EnsureSuccessStatusCode();
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken));
            double? first = null;
            while (await reader.ReadLineAsync(cancellationToken) is { } line)
            {
                if (first is null && line == "event: delta")
                {
                    first = clock.Elapsed.TotalMilliseconds;
                }
            }

            return first ?? throw new InvalidOperationException("Wright streamed no delta.");
        }

        async Task<double> Direct()
        {
            var clock = Stopwatch.StartNew();
            double? first = null;
            await foreach (var update in direct.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "Hello")], cancellationToken: cancellationToken))
            {
                if (first is null && update.Text.Length > 0)
                {
                    first = clock.Elapsed.TotalMilliseconds;
                }
            }

            return first ?? throw new InvalidOperationException("The fake streamed no text.");
        }

        // Warm-up to the steady state of a server that has been up a while. The runtime recompiles
        // a method with optimizations after it has run 30 times, once no new method has been
        // compiled for 100 ms (and, with profile-guided optimization, after a second, instrumented
        // round of 30 calls), so under prompts sent back to back it comes slowly: after 400 rounds
        // the JIT's own log (DOTNET_JitStdOutFile) showed none of Wright's 3,495 compiled methods
        // optimized, and the SDK-direct anchor in this process still took twice its settled time.
        // Both settle within a few thousand rounds.
        for (var i = 0; i < TtftWarmupRounds; i++)
        {
            await ThroughWright();
            await Direct();
        }

        // A second anchor: the very request Wright sent (its system prompt, tools and context are
        // far bigger than "Hello"), posted as raw bytes with no SDK: what the provider itself
        // takes for that request, so the figure above it is what Wright's own work adds.
        var sent = fake.Requests.Last(r => r.IsAnthropic && r.Body.Contains("\"tools\"", StringComparison.Ordinal));
        using var raw = new HttpClient(new SocketsHttpHandler()) { BaseAddress = fake.BaseAddress };
        async Task<double> Raw()
        {
            var clock = Stopwatch.StartNew();
            using var request = new HttpRequestMessage(HttpMethod.Post, sent.Path) { Content = new StringContent(sent.Body, System.Text.Encoding.UTF8, "application/json") };
            request.Headers.TryAddWithoutValidation("anthropic-version", "2023-06-01");
            request.Headers.TryAddWithoutValidation("x-api-key", "bench-key");
            using var response = await raw.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            response.EnsureSuccessStatusCode();
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken));
            double? first = null;
            while (await reader.ReadLineAsync(cancellationToken) is { } line)
            {
                if (first is null && line.Contains("text_delta", StringComparison.Ordinal))
                {
                    first = clock.Elapsed.TotalMilliseconds;
                }
            }

            return first ?? throw new InvalidOperationException("The fake streamed no text.");
        }

        // A third: the same SDK, in this process, asked for Wright's request (its system prompt,
        // context and tools): what the SDK and the provider take for it, so the rest is Wright's.
        var sentJson = JsonDocument.Parse(sent.Body).RootElement;
        static string TextOf(JsonElement content) => content.ValueKind == JsonValueKind.String
            ? content.GetString()!
            : string.Concat(content.EnumerateArray().Select(b => b.TryGetProperty("text", out var t) ? t.GetString() : ""));
        List<ChatMessage> sameMessages = [new(ChatRole.System, TextOf(sentJson.GetProperty("system"))), new(ChatRole.User, TextOf(sentJson.GetProperty("messages")[0].GetProperty("content")))];
        var sameOptions = new ChatOptions { Tools = [.. Wright.Core.Engine.AgentTools.Declarations] };
        async Task<double> DirectSame()
        {
            var clock = Stopwatch.StartNew();
            double? first = null;
            await foreach (var update in direct.GetStreamingResponseAsync(sameMessages, sameOptions, cancellationToken))
            {
                if (first is null && update.Text.Length > 0)
                {
                    first = clock.Elapsed.TotalMilliseconds;
                }
            }

            return first ?? throw new InvalidOperationException("The fake streamed no text.");
        }

        for (var i = 0; i < 20; i++)
        {
            await Raw();
            await DirectSame();
        }

        var wright = new List<double>();
        var anchor = new List<double>();
        var same = new List<double>();
        var sdkSame = new List<double>();
        for (var i = 0; i < TtftRounds; i++)
        {
            wright.Add(await ThroughWright());
            anchor.Add(await Direct());
            same.Add(await Raw());
            sdkSame.Add(await DirectSame());
        }

        var (w50, w99, a50, a99) = (Measure.Percentile(wright, 50), Measure.Percentile(wright, 99), Measure.Percentile(anchor, 50), Measure.Percentile(anchor, 99));
        var (s50, s99) = (Measure.Percentile(same, 50), Measure.Percentile(same, 99));
        Console.WriteLine($"ttft: {TtftRounds} rounds; through Wright p50 {w50:F2} ms p99 {w99:F2} ms; SDK direct to the fake p50 {a50:F2} ms p99 {a99:F2} ms");
        Console.WriteLine($"ttft: added by Wright p50 {w50 - a50:F2} ms, p99 {w99 - a99:F2} ms (ratio p50 {w50 / a50:F2}x)");
        Console.WriteLine($"ttft: Wright's request ({System.Text.Encoding.UTF8.GetByteCount(sent.Body):N0} bytes) sent raw to the fake p50 {s50:F2} ms p99 {s99:F2} ms; Wright over it p50 {w50 - s50:F2} ms, p99 {w99 - s99:F2} ms");
        var (d50, d99) = (Measure.Percentile(sdkSame, 50), Measure.Percentile(sdkSame, 99));
        Console.WriteLine($"ttft: the SDK alone asked for Wright's request p50 {d50:F2} ms p99 {d99:F2} ms; Wright over it p50 {w50 - d50:F2} ms, p99 {w99 - d99:F2} ms");
    }

    public static async Task RunStreamAsync(string work, CancellationToken cancellationToken)
    {
        // Unpaced: the fake writes as fast as it can, which measures how many chunks per second
        // Wright relays (latency then is mostly queueing). Paced at 100 chunks/s per answer (a fast
        // model), 10,000 chunks/s in all: what Wright adds to each chunk when it keeps up.
        await RunStreamPhaseAsync(work, "unpaced", TimeSpan.Zero, cancellationToken);
        await RunStreamPhaseAsync(work, "paced 100 chunks/s per answer", TimeSpan.FromMilliseconds(10), cancellationToken);
    }

    private static async Task RunStreamPhaseAsync(string work, string label, TimeSpan chunkDelay, CancellationToken cancellationToken)
    {
        await using var fake = await FakeLlmServer.StartAsync(cancellationToken);

        // Each chunk carries the moment the fake wrote it (this process's Stopwatch), so the client
        // measures provider → Wright → client per chunk.
        fake.Fallback = new FakeReply
        {
            ChunkFactory = _ => Stopwatch.GetTimestamp().ToString(CultureInfo.InvariantCulture) + ";",
            ChunkCount = ChunksPerStream,
            ChunkDelay = chunkDelay,
        };
        await using var server = await ServerProcess.StartAsync(Path.Combine(work, $"stream-data-{chunkDelay.Ticks}"), cancellationToken, Environment(fake));
        using var client = await server.CreateClientAsync(cancellationToken, TimeSpan.FromMinutes(10), new SocketsHttpHandler { MaxConnectionsPerServer = 1000 });
        var project = await CreateProjectAsync(client, Path.Combine(work, $"stream-project-{chunkDelay.Ticks}"), cancellationToken);
        var sessions = new List<Guid>();
        for (var i = 0; i < Streams; i++)
        {
            sessions.Add(await CreateSessionAsync(client, project, cancellationToken));
        }

        long peakRss = server.ResidentBytes();
        using var sampling = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var sampler = Task.Run(
            async () =>
            {
                while (!sampling.IsCancellationRequested)
                {
                    peakRss = Math.Max(peakRss, server.ResidentBytes());
                    await Task.Delay(100, sampling.Token).ContinueWith(_ => { }, TaskScheduler.Default);
                }
            },
            CancellationToken.None);

        // The anchor: the same answers from the fake straight to this client, no Wright between, so
        // what the machine itself adds at this load is known.
        using (var direct = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 1000 }) { BaseAddress = new Uri(fake.AnthropicBaseUrl + "/"), Timeout = TimeSpan.FromMinutes(10) })
        {
            var anchorClock = Stopwatch.StartNew();
            var anchor = await Task.WhenAll(Enumerable.Range(0, Streams).Select(_ => Task.Run(() => StreamDirectAsync(direct, cancellationToken), cancellationToken)));
            var anchorElapsed = anchorClock.Elapsed;
            var anchorLatencies = anchor.SelectMany(r => r).ToList();
            Console.WriteLine($"stream ({label}) anchor, fake → client directly: {anchorLatencies.Count / anchorElapsed.TotalSeconds:F0} chunks/s, latency per chunk p50 {Measure.Percentile(anchorLatencies, 50):F2} ms, p99 {Measure.Percentile(anchorLatencies, 99):F2} ms");
        }

        var clock = Stopwatch.StartNew();
        var results = await Task.WhenAll(sessions.Select(s => Task.Run(() => StreamOneAsync(client, s, cancellationToken), cancellationToken)));
        var elapsed = clock.Elapsed;
        await sampling.CancelAsync();
        await sampler;

        var chunks = results.Sum(r => r.Chunks);
        var errors = results.Count(r => !r.Completed || r.Chunks != ChunksPerStream);
        var timed = results.SelectMany(r => r.Latencies).ToList();
        var latencies = timed.Select(l => l.Ms).ToList();
        Console.WriteLine($"stream ({label}): {Streams} concurrent answers x {ChunksPerStream} chunks in {elapsed.TotalSeconds:F2} s: {chunks / elapsed.TotalSeconds:F0} chunks/s relayed, {errors} errors");
        Console.WriteLine($"stream ({label}): fake → Wright → client latency per chunk p50 {Measure.Percentile(latencies, 50):F2} ms, p99 {Measure.Percentile(latencies, 99):F2} ms");

        // The same without the chunks sent in the run's first and last second, when a hundred
        // answers start (or end) at once: what a chunk waits for once they are all streaming.
        var (from, to) = (timed.Min(l => l.Sent) + Stopwatch.Frequency, timed.Max(l => l.Sent) - Stopwatch.Frequency);
        var steady = timed.Where(l => l.Sent > from && l.Sent < to).Select(l => l.Ms).ToList();
        if (steady.Count > 0)
        {
            Console.WriteLine($"stream ({label}): the same after the first and before the last second ({steady.Count} chunks): p50 {Measure.Percentile(steady, 50):F2} ms, p99 {Measure.Percentile(steady, 99):F2} ms");
        }
        Console.WriteLine($"stream ({label}): load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]} on {System.Environment.ProcessorCount} cores");
        Console.WriteLine($"stream ({label}): server RSS peak {peakRss / 1024.0 / 1024.0:F0} MB");
    }

    /// <summary>One answer read from the fake's Anthropic endpoint directly: the latency of each text chunk.</summary>
    private static async Task<List<double>> StreamDirectAsync(HttpClient client, CancellationToken cancellationToken)
    {
        var latencies = new List<double>(ChunksPerStream);
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/messages")
        {
            Content = JsonContent.Create(new { model = "claude-haiku-4-5", max_tokens = 1024, stream = true, messages = new[] { new { role = "user", content = "Stream" } } }),
        };
        request.Headers.Add("x-api-key", "bench-key");
        request.Headers.Add("anthropic-version", "2023-06-01");
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        response.EnsureSuccessStatusCode();
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken));
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (!line.StartsWith("data: ", StringComparison.Ordinal) || !line.Contains("text_delta", StringComparison.Ordinal))
            {
                continue;
            }

            var now = Stopwatch.GetTimestamp();
            using var json = JsonDocument.Parse(line.AsMemory(6));
            var text = json.RootElement.GetProperty("delta").GetProperty("text").GetString()!;
            var sent = long.Parse(text.AsSpan(0, text.Length - 1), CultureInfo.InvariantCulture);
            latencies.Add(Stopwatch.GetElapsedTime(sent, now).TotalMilliseconds);
        }

        return latencies;
    }

    private static async Task<(int Chunks, bool Completed, List<(long Sent, double Ms)> Latencies)> StreamOneAsync(HttpClient client, Guid session, CancellationToken cancellationToken)
    {
        var latencies = new List<(long Sent, double Ms)>(ChunksPerStream);
        var chunks = 0;
        var completed = false;
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/sessions/{session}/messages") { Content = JsonContent.Create(new { content = "Stream" }) };
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            return (0, false, latencies);
        }

        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken));
        string? type = null;
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.StartsWith("event: ", StringComparison.Ordinal))
            {
                type = line[7..];
            }
            else if (line.StartsWith("data: ", StringComparison.Ordinal) && type == "delta")
            {
                var now = Stopwatch.GetTimestamp();
                using var json = JsonDocument.Parse(line.AsMemory(6));
                var text = json.RootElement.GetProperty("text").GetString()!;
                var sent = long.Parse(text.AsSpan(0, text.Length - 1), CultureInfo.InvariantCulture);
                latencies.Add((sent, Stopwatch.GetElapsedTime(sent, now).TotalMilliseconds));
                chunks++;
            }
            else if (line.StartsWith("data: ", StringComparison.Ordinal) && type == "message.completed")
            {
                completed = true;
            }
        }

        return (chunks, completed, latencies);
    }

    /// <summary>The project's event feed, open (so its directory is watched) until disposed.</summary>
    private static async Task<HttpResponseMessage> OpenEventFeedAsync(HttpClient client, Guid project, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/events?projectId={project}");
        var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        response.EnsureSuccessStatusCode();
        return response;
    }

    private static Dictionary<string, string> Environment(FakeLlmServer fake) => new()
    {
        ["ANTHROPIC_BASE_URL"] = fake.AnthropicBaseUrl,
        ["ANTHROPIC_API_KEY"] = "bench-key",
        ["WRIGHT_DEFAULT_MODEL"] = Model,
        ["Conversations__MaxConcurrentStreamsPerUser"] = "1000",
        ["Conversations__MaxRequestsPerMinutePerUser"] = "100000",
    };

    private static async Task<Guid> CreateProjectAsync(HttpClient client, string path, CancellationToken cancellationToken)
    {
        using var created = await client.PostAsJsonAsync("/api/projects", new { name = "chat", path }, cancellationToken);
        created.EnsureSuccessStatusCode();
        return (await created.Content.ReadFromJsonAsync<JsonElement>(cancellationToken)).GetProperty("id").GetGuid();
    }

    private static async Task<Guid> CreateSessionAsync(HttpClient client, Guid project, CancellationToken cancellationToken)
    {
        using var created = await client.PostAsJsonAsync($"/api/projects/{project}/sessions", new { }, cancellationToken);
        created.EnsureSuccessStatusCode();
        return (await created.Content.ReadFromJsonAsync<JsonElement>(cancellationToken)).GetProperty("id").GetGuid();
    }
}
