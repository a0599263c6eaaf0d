using System.Net.Http.Json;
using System.Text;

namespace Wright.Bench;

/// <summary>1,000 sequential 4 KB writes through the files API vs a plain write-temp-and-rename loop.</summary>
internal static class WriteBench
{
    private const int Writes = 1000;
    private const int Size = 4096;

    public static async Task RunAsync(string work, CancellationToken cancellationToken)
    {
        await using var server = await ServerProcess.StartAsync(Path.Combine(work, "writes-data"), cancellationToken);
        using var client = await server.CreateClientAsync(cancellationToken);
        var projectPath = Path.Combine(work, "writes-project");
        var created = await client.PostAsJsonAsync("/api/projects", new { name = "writes", path = projectPath }, cancellationToken);
        created.EnsureSuccessStatusCode();
        var project = await created.Content.ReadFromJsonAsync<ProjectRef>(cancellationToken);
        var anchorDir = Path.Combine(work, "writes-anchor");
        Directory.CreateDirectory(anchorDir);
        var content = new string('x', Size - 1) + "\n";
        var bytes = Encoding.UTF8.GetBytes(content);
        var round = 0;

        async Task ThroughApi()
        {
            round++;
            for (var i = 0; i < Writes; i++)
            {
                using var response = await client.PutAsJsonAsync($"/api/projects/{project!.Id}/files/data/f{i:D4}.txt", new { content }, cancellationToken);
                response.EnsureSuccessStatusCode();
            }
        }

        Task PlainLoop(bool fsync)
        {
            for (var i = 0; i < Writes; i++)
            {
                var target = Path.Combine(anchorDir, $"f{i:D4}.txt");
                var temp = target + ".tmp";
                using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
                {
                    stream.Write(bytes);
                    if (fsync)
                    {
                        stream.Flush(flushToDisk: true);
                    }
                }

                File.Move(temp, target, overwrite: true);
            }

            return Task.CompletedTask;
        }

        var (api, durable) = await Measure.CompareAsync(5, ThroughApi, () => PlainLoop(fsync: true));
        var (_, plain) = await Measure.CompareAsync(3, () => Task.CompletedTask, () => PlainLoop(fsync: false));
        Console.WriteLine($"writes: {Writes} x 4 KB through the API median {Measure.Ms(api)} ({api.TotalMilliseconds * 1000 / Writes:F0} µs/write)");
        Console.WriteLine($"writes: anchor temp+fsync+rename loop median {Measure.Ms(durable)} -> ratio {api / durable:F2}x");
        Console.WriteLine($"writes: anchor temp+rename loop without fsync median {Measure.Ms(plain)} -> ratio {api / plain:F2}x");
    }

    private sealed record ProjectRef(Guid Id);
}
