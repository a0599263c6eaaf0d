using System.Text;

namespace Wright.Core.Actions.EditFormats;

/// <summary>
/// Applies one unified-diff hunk to a file's text the way Aider's <c>udiff</c> format does: the
/// hunk's before-text is searched as a whole (also with blank lines trimmed and with indentation
/// made relative, so an outdented hunk still lands), every occurrence replaced; when that fails,
/// the hunk is split into its changes and each is applied with as much of its surrounding
/// context as still matches. A short before-text that occurs more than once is refused.
/// </summary>
internal static class UnifiedDiffApplier
{
    private static readonly char[] MarkerCandidates = ['\u2190', '\u2191', '\u2192', '\u2193', '\u2194', '\u21D0', '\u21D2', '\u0001', '\u0002'];

    /// <summary>The hunk with whitespace-only lines emptied and its lines realigned by a fresh diff; empty when it changes nothing.</summary>
    public static List<string> Normalize(IReadOnlyList<string> hunk)
    {
        var (before, after) = BeforeAfterLines(hunk);
        before = before.Select(CleanWhitespaceLine).ToList();
        after = after.Select(CleanWhitespaceLine).ToList();
        var normalized = LineDiff.FullContextHunk(before, after);
        return normalized.Any(l => l[0] is '-' or '+') ? normalized : [];
    }

    /// <summary>The file's text after the hunk, or null when the hunk cannot be placed.</summary>
    public static string? Apply(string content, IReadOnlyList<string> hunk)
    {
        var (before, after) = BeforeAfter(hunk);
        if (before.Trim().Length == 0)
        {
            return content + after;
        }

        var direct = DirectlyApply(content, hunk);
        if (direct is not null)
        {
            return direct;
        }

        // Split into runs of context and runs of changes; apply each change with its neighbours.
        var sections = new List<List<string>>();
        var section = new List<string>();
        var current = ' ';
        foreach (var line in hunk)
        {
            var op = line.Length > 0 && line[0] is '-' or '+' ? 'x' : ' ';
            if (op != current)
            {
                sections.Add(section);
                section = [];
                current = op;
            }

            section.Add(line);
        }

        sections.Add(section);
        if (current != ' ')
        {
            sections.Add([]);
        }

        for (var i = 2; i < sections.Count; i += 2)
        {
            var applied = ApplyPartial(content, sections[i - 2], sections[i - 1], sections[i]);
            if (applied is null)
            {
                return null;
            }

            content = applied;
        }

        return content;
    }

    public static (string Before, string After) BeforeAfter(IReadOnlyList<string> hunk)
    {
        var (before, after) = BeforeAfterLines(hunk);
        return (string.Concat(before), string.Concat(after));
    }

    private static (List<string> Before, List<string> After) BeforeAfterLines(IReadOnlyList<string> hunk)
    {
        var before = new List<string>();
        var after = new List<string>();
        foreach (var raw in hunk)
        {
            var (op, line) = raw.Length < 2 ? (' ', raw) : (raw[0], raw[1..]);
            switch (op)
            {
                case ' ':
                    before.Add(line);
                    after.Add(line);
                    break;
                case '-':
                    before.Add(line);
                    break;
                case '+':
                    after.Add(line);
                    break;
            }
        }

        return (before, after);
    }

    private static string CleanWhitespaceLine(string line)
    {
        if (line.Trim().Length > 0)
        {
            return line;
        }

        var ending = line.Length - line.TrimEnd('\r', '\n').Length;
        return ending == 0 ? line : line[^ending..];
    }

    private static string? ApplyPartial(string content, List<string> preceding, List<string> changes, List<string> following)
    {
        var all = preceding.Count + following.Count;
        for (var drop = 0; drop <= all; drop++)
        {
            var use = all - drop;
            for (var usePreceding = preceding.Count; usePreceding >= 0; usePreceding--)
            {
                if (usePreceding > use)
                {
                    continue;
                }

                var useFollowing = use - usePreceding;
                if (useFollowing > following.Count)
                {
                    continue;
                }

                var attempt = preceding.Skip(preceding.Count - usePreceding).Concat(changes).Concat(following.Take(useFollowing)).ToList();
                if (DirectlyApply(content, attempt) is { } result)
                {
                    return result;
                }
            }
        }

        return null;
    }

    private static string? DirectlyApply(string content, IReadOnlyList<string> hunk)
    {
        var (before, after) = BeforeAfter(hunk);
        if (before.Length == 0)
        {
            return null;
        }

        var significant = string.Concat(BeforeAfterLines(hunk).Before.Select(l => l.Trim()));
        if (significant.Length < 10 && TextLines.CountOccurrences(content, before) > 1)
        {
            return null;
        }

        foreach (var (stripBlankLines, relativeIndent) in new[] { (false, false), (true, false), (false, true), (true, true) })
        {
            if (TryStrategy(before, after, content, stripBlankLines, relativeIndent) is { } result)
            {
                return result;
            }
        }

        return null;
    }

    private static string? TryStrategy(string search, string replace, string content, bool stripBlankLines, bool relativeIndent)
    {
        if (stripBlankLines)
        {
            // Aider trims the file's own leading and trailing blank lines here too; Wright leaves
            // the rest of the file exactly as it was and trims only the hunk.
            search = search.Trim('\n') + "\n";
            replace = replace.Trim('\n') + "\n";
        }

        char? marker = null;
        if (relativeIndent)
        {
            marker = MarkerCandidates.FirstOrDefault(c => !search.Contains(c) && !replace.Contains(c) && !content.Contains(c));
            if (marker == '\0')
            {
                return null;
            }

            search = MakeRelative(search, marker.Value);
            replace = MakeRelative(replace, marker.Value);
            content = MakeRelative(content, marker.Value);
        }

        if (TextLines.CountOccurrences(content, search) == 0)
        {
            return null;
        }

        var result = content.Replace(search, replace, StringComparison.Ordinal);
        return marker is { } m ? MakeAbsolute(result, m) : result;
    }

    /// <summary>
    /// Rewrites each line as two: the change of indentation against the previous line (the added
    /// characters, or one marker per removed character), then the line without its indentation.
    /// A block then matches wherever it sits at the same relative depth.
    /// </summary>
    private static string MakeRelative(string text, char marker)
    {
        var output = new StringBuilder(text.Length * 2);
        var previous = "";
        foreach (var line in TextLines.SplitKeepEnds(text))
        {
            var body = line.TrimEnd('\r', '\n');
            var length = body.Length - body.TrimStart().Length;
            var indent = line[..length];
            var change = length - previous.Length;
            var dent = change > 0 ? indent[^change..] : change < 0 ? new string(marker, -change) : "";
            output.Append(dent).Append('\n').Append(line[length..]);
            previous = indent;
        }

        return output.ToString();
    }

    private static string? MakeAbsolute(string text, char marker)
    {
        var lines = TextLines.SplitKeepEnds(text);
        var output = new StringBuilder(text.Length);
        var previous = "";
        for (var i = 0; i + 1 < lines.Count; i += 2)
        {
            var dent = lines[i].TrimEnd('\r', '\n');
            var body = lines[i + 1];
            string current;
            if (dent.Length > 0 && dent[0] == marker)
            {
                if (dent.Length > previous.Length)
                {
                    return null;
                }

                current = previous[..^dent.Length];
            }
            else
            {
                current = previous + dent;
            }

            output.Append(body.TrimEnd('\r', '\n').Length == 0 ? body : current + body);
            previous = current;
        }

        if (lines.Count % 2 == 1)
        {
            return null;
        }

        var result = output.ToString();
        return result.Contains(marker) ? null : result;
    }
}
