namespace Wright.Bench;

/// <summary>Server start to first /health answer, and idle resident memory, over several cold starts.</summary>
internal static class StartupBench
{
    public static async Task RunAsync(string work, CancellationToken cancellationToken)
    {
        const int Runs = 5;
        var startups = new List<TimeSpan>();
        var rss = new List<double>();
        for (var i = 0; i < Runs; i++)
        {
            var dataDir = Path.Combine(work, $"startup-{i}");
            await using var server = await ServerProcess.StartAsync(dataDir, cancellationToken);
            startups.Add(server.Startup);
            await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken);
            rss.Add(server.ResidentBytes() / 1024.0 / 1024.0);
        }

        Console.WriteLine($"startup: start to first /health median {Measure.Ms(Measure.Median(startups))} (min {Measure.Ms(startups.Min())}, max {Measure.Ms(startups.Max())}, {Runs} cold starts, fresh SQLite each)");
        Console.WriteLine($"startup: idle RSS median {Measure.Percentile(rss, 50):F1} MiB (min {rss.Min():F1}, max {rss.Max():F1})");
    }
}
