using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;
using Wright.Storage.Database;

namespace Wright.Bench;

/// <summary>
/// Cross-instance events: two real `wright serve` processes, A and B, on one PostgreSQL
/// database; a file written through A's API publishes <c>file.changed</c>, and the time until
/// it reaches an SSE subscriber on B is compared with the same subscriber on A (the anchor: on a
/// shared database A's own subscribers also get the event back through the database's order).
/// Needs WRIGHT_BENCH_POSTGRES or WRIGHT_TEST_POSTGRES: a postgres:// URL of a role that may CREATE DATABASE.
/// </summary>
internal static class ClusterBench
{
    private const int Writes = 300;

    public static async Task RunAsync(string work, CancellationToken cancellationToken)
    {
        var admin = Environment.GetEnvironmentVariable("WRIGHT_BENCH_POSTGRES") is { Length: > 0 } fromBench ? fromBench
            : Environment.GetEnvironmentVariable("WRIGHT_TEST_POSTGRES") is { Length: > 0 } fromTests ? fromTests : null;
        if (admin is null)
        {
            Console.WriteLine("cluster: skipped (set WRIGHT_BENCH_POSTGRES to a postgres:// URL of a role that may CREATE DATABASE)");
            return;
        }

        var name = $"wright_bench_{Guid.NewGuid():N}";
        await ExecuteAsync(admin, $"CREATE DATABASE \"{name}\"", cancellationToken);
        try
        {
            var url = new UriBuilder(admin) { Path = "/" + name }.Uri.ToString();
            var environment = new Dictionary<string, string> { ["WRIGHT_DATABASE"] = url };
            await using var a = await ServerProcess.StartAsync(Path.Combine(work, "cluster-a"), cancellationToken, environment);
            await using var b = await ServerProcess.StartAsync(Path.Combine(work, "cluster-b"), cancellationToken, environment);
            using var clientA = await a.CreateClientAsync(cancellationToken);
            using var clientB = await b.CreateClientAsync(cancellationToken);
            using var created = await clientA.PostAsJsonAsync("/api/projects", new { name = "events", path = Path.Combine(work, "cluster-project") }, cancellationToken);
            created.EnsureSuccessStatusCode();
            var projectId = (await created.Content.ReadFromJsonAsync<JsonElement>(cancellationToken)).GetProperty("id").GetGuid();

            using var streamA = await clientA.GetAsync($"/api/events?projectId={projectId}", HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            using var streamB = await clientB.GetAsync($"/api/events?projectId={projectId}", HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            using var readerA = new StreamReader(await streamA.Content.ReadAsStreamAsync(cancellationToken));
            using var readerB = new StreamReader(await streamB.Content.ReadAsStreamAsync(cancellationToken));

            var onA = new List<double>();
            var onB = new List<double>();
            for (var i = -20; i < Writes; i++)
            {
                var path = $"f{i + 20}.txt";
                var clock = Stopwatch.StartNew();
                var waitA = WaitForPathAsync(readerA, path, clock, cancellationToken);
                var waitB = WaitForPathAsync(readerB, path, clock, cancellationToken);
                using (var put = await clientA.PutAsync($"/api/projects/{projectId}/files/{path}", new StringContent($"content {i}"), cancellationToken))
                {
                    put.EnsureSuccessStatusCode();
                }

                var (elapsedA, elapsedB) = (await waitA, await waitB);
                if (i >= 0)
                {
                    onA.Add(elapsedA.TotalMilliseconds);
                    onB.Add(elapsedB.TotalMilliseconds);
                }
            }

            var (a50, a99, b50, b99) = (Measure.Percentile(onA, 50), Measure.Percentile(onA, 99), Measure.Percentile(onB, 50), Measure.Percentile(onB, 99));
            Console.WriteLine($"cluster: file write on A -> event on a subscriber on A p50 {a50:F2} ms, p99 {a99:F2} ms ({Writes} writes)");
            Console.WriteLine($"cluster: file write on A -> event on a subscriber on B p50 {b50:F2} ms, p99 {b99:F2} ms -> p50 ratio {b50 / a50:F2}x, p99 ratio {b99 / a99:F2}x vs the subscriber on A");
        }
        finally
        {
            await ExecuteAsync(admin, $"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", cancellationToken);
        }
    }

    /// <summary>Reads SSE lines until a <c>data:</c> line naming <paramref name="path"/>; returns the time since <paramref name="clock"/> started.</summary>
    private static async Task<TimeSpan> WaitForPathAsync(StreamReader reader, string path, Stopwatch clock, CancellationToken cancellationToken)
    {
        var needle = $"\"path\":\"{path}\"";
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.StartsWith("data:", StringComparison.Ordinal) && line.Contains(needle, StringComparison.Ordinal))
            {
                return clock.Elapsed;
            }
        }

        throw new InvalidOperationException("The event stream ended.");
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
