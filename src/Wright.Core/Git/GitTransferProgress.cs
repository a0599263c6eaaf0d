using System.Globalization;
using System.Text.RegularExpressions;

namespace Wright.Core.Git;

/// <summary>
/// Where a clone or fetch is: git's phase as it names it ("Receiving objects", "Resolving deltas"…),
/// its percentage and, when git says them, the count done and the total.
/// </summary>
public sealed record GitTransferProgress(string Phase, int Percent, long? Done, long? Total);

/// <summary>
/// Reads git's <c>--progress</c> meters ("Receiving objects:  45% (450/1000), 1.2 MiB | 3 MiB/s")
/// and reports each change of phase or percentage once; other lines are ignored.
/// </summary>
public sealed partial class GitProgressMeter(IProgress<GitTransferProgress> progress)
{
    private GitTransferProgress? _last;

    public void Line(string line)
    {
        if (Parse(line) is not { } current || current == _last || (current.Phase == _last?.Phase && current.Percent == _last.Percent))
        {
            return;
        }

        _last = current;
        progress.Report(current);
    }

    /// <summary>The meter a line shows, or null for any other line.</summary>
    public static GitTransferProgress? Parse(string line)
    {
        var match = Meter().Match(line);
        if (!match.Success)
        {
            return null;
        }

        var percent = int.Parse(match.Groups["percent"].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture);
        long? done = match.Groups["done"].Success ? long.Parse(match.Groups["done"].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture) : null;
        long? total = match.Groups["total"].Success ? long.Parse(match.Groups["total"].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture) : null;
        return new GitTransferProgress(match.Groups["phase"].Value, Math.Clamp(percent, 0, 100), done, total);
    }

    [GeneratedRegex(@"^(?:remote:\s*)?(?<phase>[A-Z][a-z]+(?: [a-z]+)*):\s+(?<percent>\d{1,3})%(?:\s+\((?<done>\d+)/(?<total>\d+)\))?", RegexOptions.CultureInvariant)]
    private static partial Regex Meter();
}
