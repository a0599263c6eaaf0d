using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;
using Wright.Storage.Database;

namespace Wright.Bench;

/// <summary>
/// Flows, on a real `wright serve`:
/// (1) the cost of a node transition including its checkpoints — the time from one node's start to
/// the next's, read from the run's own event times, over a chain of condition nodes — on SQLite and
/// (with WRIGHT_BENCH_POSTGRES or WRIGHT_TEST_POSTGRES) PostgreSQL, against an anchor measured in the
/// same run: the round trip of listing the session's runs over the API (one request, one database read);
/// (2) start-up with 1,000 paused runs in the database: time until /health answers and until every
/// run is read back as paused, against the start-up of the same server with an empty database.
/// </summary>
internal static class FlowBench
{
    private const int ChainNodes = 300;
    private const int PausedRuns = 1000;

    public static async Task RunAsync(string work, CancellationToken cancellationToken)
    {
        await TransitionsAsync(work, "sqlite", null, cancellationToken);
        var admin = Environment.GetEnvironmentVariable("WRIGHT_BENCH_POSTGRES") is { Length: > 0 } fromBench ? fromBench
            : Environment.GetEnvironmentVariable("WRIGHT_TEST_POSTGRES") is { Length: > 0 } fromTests ? fromTests : null;
        if (admin is null)
        {
            Console.WriteLine("flows: PostgreSQL transitions skipped (set WRIGHT_BENCH_POSTGRES to a postgres:// URL of a role that may CREATE DATABASE)");
        }
        else
        {
            var name = $"wright_bench_{Guid.NewGuid():N}";
            await ExecuteAsync(admin, $"CREATE DATABASE \"{name}\"", cancellationToken);
            try
            {
                var url = new UriBuilder(admin) { Path = "/" + name }.Uri.ToString();
                await TransitionsAsync(work, "postgres", new Dictionary<string, string> { ["WRIGHT_DATABASE"] = url }, cancellationToken);
            }
            finally
            {
                await ExecuteAsync(admin, $"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", cancellationToken);
            }
        }

        await StartupAsync(work, cancellationToken);
    }

    private static async Task TransitionsAsync(string work, string label, IReadOnlyDictionary<string, string>? environment, CancellationToken cancellationToken)
    {
        await using var server = await ServerProcess.StartAsync(Path.Combine(work, $"flows-{label}"), cancellationToken, environment);
        using var client = await server.CreateClientAsync(cancellationToken);
        var (projectId, sessionId) = await ProjectAndSessionAsync(client, Path.Combine(work, $"flows-{label}-project"), cancellationToken);

        // c0 → c1 → … → end: every condition is true, both branches lead on.
        var nodes = Enumerable.Range(0, ChainNodes).Select(i => (object)new { id = $"c{i}", type = "condition", expression = "input == 'go' && !contains(input, 'stop')" }).Append(new { id = "end", type = "end" }).ToList();
        var edges = Enumerable.Range(0, ChainNodes).SelectMany(i => new object[]
        {
            new { from = $"c{i}", to = i + 1 < ChainNodes ? $"c{i + 1}" : "end", when = "true" },
            new { from = $"c{i}", to = i + 1 < ChainNodes ? $"c{i + 1}" : "end", when = "false" },
        }).ToList();
        using (var saved = await client.PutAsJsonAsync($"/api/projects/{projectId}/flows/chain", new { graph = new { name = "chain", nodes, edges } }, cancellationToken))
        {
            saved.EnsureSuccessStatusCode();
        }

        var runId = await StartAsync(client, sessionId, "chain", "go", cancellationToken);
        var starts = new List<DateTimeOffset>();
        await foreach (var (type, data) in EventsAsync(client, runId, cancellationToken))
        {
            if (type == "nodeStart")
            {
                starts.Add(data.GetProperty("at").GetDateTimeOffset());
            }
        }

        var transitions = starts.Zip(starts.Skip(1), (a, b) => (b - a).TotalMilliseconds).Skip(10).ToList();
        var anchors = new List<double>();
        for (var i = 0; i < 200; i++)
        {
            var clock = Stopwatch.StartNew();
            using var read = await client.GetAsync($"/api/sessions/{sessionId}/flow-runs?limit=1", cancellationToken);
            read.EnsureSuccessStatusCode();
            await read.Content.ReadAsByteArrayAsync(cancellationToken);
            if (i >= 10)
            {
                anchors.Add(clock.Elapsed.TotalMilliseconds);
            }
        }

        var (t50, t99, a50, a99) = (Measure.Percentile(transitions, 50), Measure.Percentile(transitions, 99), Measure.Percentile(anchors, 50), Measure.Percentile(anchors, 99));
        Console.WriteLine($"flows ({label}): node transition incl. checkpoints p50 {t50:F2} ms, p99 {t99:F2} ms ({transitions.Count} transitions)");
        Console.WriteLine($"flows ({label}): anchor GET /api/sessions/{{id}}/flow-runs?limit=1 p50 {a50:F2} ms, p99 {a99:F2} ms -> transition/anchor p50 {t50 / a50:F2}x, p99 {t99 / a99:F2}x");
    }

    private static async Task StartupAsync(string work, CancellationToken cancellationToken)
    {
        var empty = new List<TimeSpan>();
        for (var i = 0; i < 3; i++)
        {
            await using var fresh = await ServerProcess.StartAsync(Path.Combine(work, $"flows-empty-{i}"), cancellationToken);
            empty.Add(fresh.Startup);
        }

        var dataDir = Path.Combine(work, "flows-paused");
        var runs = new List<Guid>();
        await using (var first = await ServerProcess.StartAsync(dataDir, cancellationToken))
        {
            using var client = await first.CreateClientAsync(cancellationToken);
            var (projectId, _) = await ProjectAndSessionAsync(client, Path.Combine(work, "flows-paused-project"), cancellationToken);
            var graph = new
            {
                name = "wait",
                nodes = new object[] { new { id = "ask", type = "userInput", prompt = "?", output = "answer" }, new { id = "end", type = "end" } },
                edges = new object[] { new { from = "ask", to = "end" } },
            };
            using (var saved = await client.PutAsJsonAsync($"/api/projects/{projectId}/flows/wait", new { graph }, cancellationToken))
            {
                saved.EnsureSuccessStatusCode();
            }

            for (var i = 0; i < PausedRuns; i++)
            {
                using var session = await client.PostAsJsonAsync($"/api/projects/{projectId}/sessions", new { title = $"s{i}" }, cancellationToken);
                session.EnsureSuccessStatusCode();
                var sessionId = (await session.Content.ReadFromJsonAsync<JsonElement>(cancellationToken)).GetProperty("id").GetGuid();
                runs.Add(await StartAsync(client, sessionId, "wait", null, cancellationToken));
            }

            await AllPausedAsync(client, runs, cancellationToken);
        }

        var clock = Stopwatch.StartNew();
        await using var second = await ServerProcess.StartAsync(dataDir, cancellationToken);
        var answering = second.Startup;
        using var again = await second.CreateClientAsync(cancellationToken);
        await AllPausedAsync(again, runs, cancellationToken);
        var listed = clock.Elapsed;
        var anchor = Measure.Median(empty);
        Console.WriteLine($"flows: start-up with {PausedRuns} paused runs: first /health after {Measure.Ms(answering)}, every run read back paused after {Measure.Ms(listed)}");
        Console.WriteLine($"flows: anchor start-up with an empty database {Measure.Ms(anchor)} (median of {empty.Count}) -> first /health {answering / anchor:F2}x, all listed paused {listed / anchor:F2}x");
    }

    /// <summary>Reads every run (16 at a time) until all are paused.</summary>
    private static async Task AllPausedAsync(HttpClient client, IReadOnlyList<Guid> runs, CancellationToken cancellationToken)
    {
        var pending = runs.ToList();
        while (pending.Count > 0)
        {
            var states = await Task.WhenAll(pending.Chunk(16).Select(async chunk =>
            {
                var result = new List<(Guid, string)>();
                foreach (var id in chunk)
                {
                    var run = await client.GetFromJsonAsync<JsonElement>($"/api/flow-runs/{id}", cancellationToken);
                    result.Add((id, run.GetProperty("state").GetString()!));
                }

                return result;
            }));
            pending = states.SelectMany(s => s).Where(s => s.Item2 != "paused").Select(s => s.Item1).ToList();
        }
    }

    private static async Task<(Guid ProjectId, Guid SessionId)> ProjectAndSessionAsync(HttpClient client, string path, CancellationToken cancellationToken)
    {
        using var created = await client.PostAsJsonAsync("/api/projects", new { name = "flows", path }, cancellationToken);
        created.EnsureSuccessStatusCode();
        var projectId = (await created.Content.ReadFromJsonAsync<JsonElement>(cancellationToken)).GetProperty("id").GetGuid();
        using var session = await client.PostAsJsonAsync($"/api/projects/{projectId}/sessions", new { }, cancellationToken);
        session.EnsureSuccessStatusCode();
        return (projectId, (await session.Content.ReadFromJsonAsync<JsonElement>(cancellationToken)).GetProperty("id").GetGuid());
    }

    private static async Task<Guid> StartAsync(HttpClient client, Guid sessionId, string flow, string? input, CancellationToken cancellationToken)
    {
        using var started = await client.PostAsJsonAsync($"/api/sessions/{sessionId}/flow-runs", new { flow, input }, cancellationToken);
        started.EnsureSuccessStatusCode();
        return (await started.Content.ReadFromJsonAsync<JsonElement>(cancellationToken)).GetProperty("id").GetGuid();
    }

    private static async IAsyncEnumerable<(string Type, JsonElement Data)> EventsAsync(HttpClient client, Guid runId, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var response = await client.GetAsync($"/api/flow-runs/{runId}/events", HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        response.EnsureSuccessStatusCode();
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken));
        string? type = null;
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.StartsWith("event: ", StringComparison.Ordinal))
            {
                type = line["event: ".Length..];
            }
            else if (line.StartsWith("data: ", StringComparison.Ordinal) && type is not null)
            {
                using var document = JsonDocument.Parse(line["data: ".Length..]);
                yield return (type, document.RootElement.Clone());
                if (type is "done" or "error" or "cancelled")
                {
                    yield break;
                }
            }
        }
    }

    private static async Task ExecuteAsync(string url, string sql, CancellationToken cancellationToken)
    {
        var builder = new NpgsqlConnectionStringBuilder(PostgresUrl.ToConnectionString(url)) { Pooling = false };
        await using var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
