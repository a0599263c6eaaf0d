namespace Wright.Core.Actions.EditFormats;

/// <summary>
/// How alike two texts are, for "did you mean" answers: the Ratcliff/Obershelp ratio (what
/// Python's difflib computes) for short strings such as file names, and a cheap bigram score for
/// finding the closest block of lines in a large file.
/// </summary>
internal static class Similarity
{
    /// <summary>2·M/T where M counts the characters of the recursively found longest common blocks.</summary>
    public static double Ratio(string a, string b)
    {
        var total = a.Length + b.Length;
        return total == 0 ? 1.0 : 2.0 * MatchingCharacters(a, 0, a.Length, b, 0, b.Length) / total;
    }

    /// <summary>The candidate most like <paramref name="word"/> with a ratio of at least <paramref name="cutoff"/>, or null.</summary>
    public static string? ClosestMatch(string word, IEnumerable<string> candidates, double cutoff)
    {
        string? best = null;
        var bestScore = cutoff;
        foreach (var candidate in candidates)
        {
            var score = Ratio(word, candidate);
            if (score > bestScore || (best is null && score >= cutoff))
            {
                best = candidate;
                bestScore = score;
            }
        }

        return best;
    }

    private static int MatchingCharacters(string a, int aLow, int aHigh, string b, int bLow, int bHigh)
    {
        if (aLow >= aHigh || bLow >= bHigh)
        {
            return 0;
        }

        var (i, j, size) = LongestMatch(a, aLow, aHigh, b, bLow, bHigh);
        if (size == 0)
        {
            return 0;
        }

        return size
            + MatchingCharacters(a, aLow, i, b, bLow, j)
            + MatchingCharacters(a, i + size, aHigh, b, j + size, bHigh);
    }

    private static (int I, int J, int Size) LongestMatch(string a, int aLow, int aHigh, string b, int bLow, int bHigh)
    {
        // Ties go to the block starting earliest in a, then earliest in b, as difflib's do.
        var bestI = aLow;
        var bestJ = bLow;
        var bestSize = 0;
        var width = bHigh - bLow;
        var previous = new int[width + 1];
        var current = new int[width + 1];
        for (var i = aLow; i < aHigh; i++)
        {
            for (var j = bLow; j < bHigh; j++)
            {
                var k = a[i] == b[j] ? previous[j - bLow] + 1 : 0;
                current[j - bLow + 1] = k;
                if (k > bestSize)
                {
                    bestI = i - k + 1;
                    bestJ = j - k + 1;
                    bestSize = k;
                }
            }

            (previous, current) = (current, previous);
        }

        return (bestI, bestJ, bestSize);
    }

    /// <summary>Dice coefficient over character bigrams of the trimmed lines: 1 for equal, near 0 for unrelated.</summary>
    public static double LineScore(string a, string b)
    {
        a = a.Trim();
        b = b.Trim();
        if (a.Length == 0 && b.Length == 0)
        {
            return 1.0;
        }

        if (a.Length < 2 || b.Length < 2)
        {
            return a == b ? 1.0 : 0.0;
        }

        var bigrams = new Dictionary<int, int>();
        for (var i = 0; i < a.Length - 1; i++)
        {
            var key = (a[i] << 16) | a[i + 1];
            bigrams[key] = bigrams.GetValueOrDefault(key) + 1;
        }

        var shared = 0;
        for (var i = 0; i < b.Length - 1; i++)
        {
            var key = (b[i] << 16) | b[i + 1];
            if (bigrams.TryGetValue(key, out var n) && n > 0)
            {
                bigrams[key] = n - 1;
                shared++;
            }
        }

        return 2.0 * shared / (a.Length - 1 + b.Length - 1);
    }

    /// <summary>
    /// The block of <paramref name="fileLines"/> (as long as <paramref name="searchLines"/>) that
    /// looks most like it, with its first line index and score; null when nothing scores at least
    /// <paramref name="minimumScore"/>. Bounded so a huge file cannot make an error message slow.
    /// </summary>
    public static (int Start, double Score)? ClosestBlock(IReadOnlyList<string> fileLines, IReadOnlyList<string> searchLines, double minimumScore = 0.5)
    {
        const long MaxWork = 20_000_000;
        if (searchLines.Count == 0 || fileLines.Count == 0)
        {
            return null;
        }

        var window = Math.Min(searchLines.Count, fileLines.Count);
        var work = (long)(fileLines.Count - window + 1) * window * Math.Max(1, searchLines.Max(l => l.Length));
        if (work > MaxWork)
        {
            return null;
        }

        (int Start, double Score)? best = null;
        for (var start = 0; start + window <= fileLines.Count; start++)
        {
            var sum = 0.0;
            for (var k = 0; k < window; k++)
            {
                sum += LineScore(fileLines[start + k], searchLines[k]);
            }

            var score = sum / searchLines.Count;
            if (score >= minimumScore && (best is null || score > best.Value.Score))
            {
                best = (start, score);
            }
        }

        return best;
    }
}
