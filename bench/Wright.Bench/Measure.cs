using System.Diagnostics;

namespace Wright.Bench;

/// <summary>Timing helpers: every subject is measured alternately with its anchor, and medians are compared.</summary>
internal static class Measure
{
    public static async Task<TimeSpan> TimeAsync(Func<Task> action)
    {
        var clock = Stopwatch.StartNew();
        await action();
        return clock.Elapsed;
    }

    public static TimeSpan Median(IReadOnlyList<TimeSpan> samples)
    {
        var sorted = samples.OrderBy(s => s).ToList();
        return sorted[sorted.Count / 2];
    }

    public static double Percentile(IReadOnlyList<double> samples, double p)
    {
        var sorted = samples.OrderBy(s => s).ToList();
        var index = (int)Math.Ceiling(p / 100.0 * sorted.Count) - 1;
        return sorted[Math.Clamp(index, 0, sorted.Count - 1)];
    }

    /// <summary>Runs subject and anchor alternately <paramref name="rounds"/> times (after one warm-up each) and returns both medians.</summary>
    public static async Task<(TimeSpan Subject, TimeSpan Anchor)> CompareAsync(int rounds, Func<Task> subject, Func<Task> anchor)
    {
        await subject();
        await anchor();
        var subjects = new List<TimeSpan>();
        var anchors = new List<TimeSpan>();
        for (var i = 0; i < rounds; i++)
        {
            subjects.Add(await TimeAsync(subject));
            anchors.Add(await TimeAsync(anchor));
        }

        return (Median(subjects), Median(anchors));
    }

    public static string Ms(TimeSpan t) => $"{t.TotalMilliseconds:F1} ms";
}
