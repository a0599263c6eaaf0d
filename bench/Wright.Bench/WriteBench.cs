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
        // Disk flush latency on a shared machine drifts by the second, so subject and anchor
        // alternate in batches of 50 writes and each side's batches are summed: both see the
        // same disk. Three such passes; the median pass is reported.
        const int Batch = 50;
        async Task ApiBatch(int first)
        {
            for (var i = first; i < first + Batch; i++)
            {
                using var response = await client.PutAsJsonAsync($"/api/projects/{project!.Id}/files/data/f{i:D4}.txt", new { content }, cancellationToken);
                response.EnsureSuccessStatusCode();
            }
        }

        void AnchorBatch(int first, bool fsync)
        {
            for (var i = first; i < first + Batch; i++)
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
        }

        await ApiBatch(0);
        AnchorBatch(0, fsync: true);
        var passes = new List<(TimeSpan Api, TimeSpan Durable, TimeSpan Plain)>();
        for (var pass = 0; pass < 3; pass++)
        {
            TimeSpan api = default, durable = default, plain = default;
            for (var first = 0; first < Writes; first += Batch)
            {
                api += await Measure.TimeAsync(() => ApiBatch(first));
                durable += await Measure.TimeAsync(() => { AnchorBatch(first, fsync: true); return Task.CompletedTask; });
                plain += await Measure.TimeAsync(() => { AnchorBatch(first, fsync: false); return Task.CompletedTask; });
            }

            passes.Add((api, durable, plain));
        }

        var median = passes.OrderBy(p => p.Api / p.Durable).ElementAt(1);
        var ratios = string.Join(", ", passes.Select(p => $"{p.Api / p.Durable:F2}x"));
        Console.WriteLine($"writes: {Writes} x 4 KB through the API {Measure.Ms(median.Api)} ({median.Api.TotalMilliseconds * 1000 / Writes:F0} µs/write)");
        Console.WriteLine($"writes: anchor temp+fsync+rename loop {Measure.Ms(median.Durable)} -> ratio {median.Api / median.Durable:F2}x (passes: {ratios})");
        Console.WriteLine($"writes: anchor temp+rename loop without fsync {Measure.Ms(median.Plain)} -> ratio {median.Api / median.Plain:F2}x");
    }

    private sealed record ProjectRef(Guid Id);
}
