namespace Wright.Core.Actions.EditFormats;

/// <summary>
/// A line diff over the longest common subsequence, written as a hunk with all lines as context
/// (what <c>difflib.unified_diff(n=max)</c> yields without its headers): removed lines of a
/// change come before the added ones.
/// </summary>
internal static class LineDiff
{
    private const long MaxCells = 4_000_000;

    public static List<string> FullContextHunk(IReadOnlyList<string> before, IReadOnlyList<string> after)
    {
        var hunk = new List<string>();
        if ((long)before.Count * after.Count > MaxCells)
        {
            // Too large to align cheaply: all removed, then all added, still a correct hunk.
            hunk.AddRange(before.Select(l => "-" + l));
            hunk.AddRange(after.Select(l => "+" + l));
            return hunk;
        }

        var n = before.Count;
        var m = after.Count;
        var lengths = new int[n + 1, m + 1];
        for (var i = n - 1; i >= 0; i--)
        {
            for (var j = m - 1; j >= 0; j--)
            {
                lengths[i, j] = string.Equals(before[i], after[j], StringComparison.Ordinal)
                    ? lengths[i + 1, j + 1] + 1
                    : Math.Max(lengths[i + 1, j], lengths[i, j + 1]);
            }
        }

        int a = 0, b = 0;
        var removed = new List<string>();
        var added = new List<string>();
        void Flush()
        {
            hunk.AddRange(removed.Select(l => "-" + l));
            hunk.AddRange(added.Select(l => "+" + l));
            removed.Clear();
            added.Clear();
        }

        while (a < n || b < m)
        {
            if (a < n && b < m && string.Equals(before[a], after[b], StringComparison.Ordinal))
            {
                Flush();
                hunk.Add(" " + before[a]);
                a++;
                b++;
            }
            else if (b >= m || (a < n && lengths[a + 1, b] >= lengths[a, b + 1]))
            {
                removed.Add(before[a]);
                a++;
            }
            else
            {
                added.Add(after[b]);
                b++;
            }
        }

        Flush();
        return hunk;
    }
}
