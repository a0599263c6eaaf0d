using System.Text.RegularExpressions;

namespace Wright.Core.Actions.EditFormats;

/// <summary>
/// Finds a SEARCH text in a file and replaces it, with the forgiveness Aider's <c>diff</c> format
/// has: an exact line match first, then a match that differs only by a uniform leading indent
/// (re-added to the replacement), then without a spurious leading blank line, then pieces split on
/// "..." lines. Trailing whitespace is never forgiven and there is no fuzzy matching: an edit that
/// lands in the wrong place is worse than one that fails.
/// </summary>
internal static partial class SearchReplaceMatcher
{
    /// <summary>The new content, or null when <paramref name="search"/> matches nothing.</summary>
    public static string? Replace(string whole, string search, string replace)
    {
        whole = TextLines.EnsureFinalNewline(whole);
        search = TextLines.EnsureFinalNewline(search);
        replace = TextLines.EnsureFinalNewline(replace);
        var wholeLines = TextLines.SplitKeepEnds(whole);
        var searchLines = TextLines.SplitKeepEnds(search);
        var replaceLines = TextLines.SplitKeepEnds(replace);

        var result = PerfectOrWhitespace(wholeLines, searchLines, replaceLines);
        if (result is not null)
        {
            return result;
        }

        if (searchLines.Count > 2 && TextLines.IsBlank(searchLines[0]))
        {
            result = PerfectOrWhitespace(wholeLines, searchLines.GetRange(1, searchLines.Count - 1), replaceLines);
            if (result is not null)
            {
                return result;
            }
        }

        return TryDotDotDots(whole, search, replace);
    }

    /// <summary>
    /// Removes what models wrap a SEARCH or REPLACE text in: a first line ending with the file's
    /// name, and an enclosing fence pair. The result ends with a newline.
    /// </summary>
    public static string StripQuotedWrapping(string text, string? fileName, (string Open, string Close) fence)
    {
        if (text.Length == 0)
        {
            return text;
        }

        var lines = TextLines.Split(text);
        if (fileName is not null && lines.Count > 0 && lines[0].Trim().EndsWith(BaseName(fileName), StringComparison.Ordinal))
        {
            lines.RemoveAt(0);
        }

        if (lines.Count >= 2 && lines[0].StartsWith(fence.Open, StringComparison.Ordinal) && lines[^1].StartsWith(fence.Close, StringComparison.Ordinal))
        {
            lines = lines.GetRange(1, lines.Count - 2);
        }

        var joined = string.Join('\n', lines);
        return TextLines.EnsureFinalNewline(joined);
    }

    private static string? PerfectOrWhitespace(List<string> wholeLines, List<string> searchLines, List<string> replaceLines) =>
        PerfectReplace(wholeLines, searchLines, replaceLines) ?? ReplaceWithMissingLeadingWhitespace(wholeLines, searchLines, replaceLines);

    private static string? PerfectReplace(List<string> wholeLines, List<string> searchLines, List<string> replaceLines)
    {
        for (var i = 0; i + searchLines.Count <= wholeLines.Count; i++)
        {
            if (LinesEqual(wholeLines, i, searchLines))
            {
                return string.Concat(wholeLines.Take(i).Concat(replaceLines).Concat(wholeLines.Skip(i + searchLines.Count)));
            }
        }

        return null;
    }

    private static bool LinesEqual(List<string> wholeLines, int start, List<string> part)
    {
        for (var k = 0; k < part.Count; k++)
        {
            if (!string.Equals(wholeLines[start + k], part[k], StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Matches lines that agree but for one leading-whitespace prefix, which is then added to every replacement line.</summary>
    private static string? ReplaceWithMissingLeadingWhitespace(List<string> wholeLines, List<string> searchLines, List<string> replaceLines)
    {
        var leading = searchLines.Where(l => !TextLines.IsBlank(l)).Select(TextLines.LeadingWhitespace)
            .Concat(replaceLines.Where(l => !TextLines.IsBlank(l)).Select(TextLines.LeadingWhitespace))
            .ToList();
        if (leading.Count > 0 && leading.Min() is var common && common > 0)
        {
            searchLines = searchLines.Select(l => TextLines.IsBlank(l) ? l : l[common..]).ToList();
            replaceLines = replaceLines.Select(l => TextLines.IsBlank(l) ? l : l[common..]).ToList();
        }

        for (var i = 0; i + searchLines.Count <= wholeLines.Count; i++)
        {
            var prefix = MatchButForLeadingWhitespace(wholeLines.GetRange(i, searchLines.Count), searchLines);
            if (prefix is null)
            {
                continue;
            }

            var indented = replaceLines.Select(l => TextLines.IsBlank(l) ? l : prefix + l);
            return string.Concat(wholeLines.Take(i).Concat(indented).Concat(wholeLines.Skip(i + searchLines.Count)));
        }

        return null;
    }

    private static string? MatchButForLeadingWhitespace(List<string> wholeLines, List<string> searchLines)
    {
        for (var k = 0; k < wholeLines.Count; k++)
        {
            if (!string.Equals(wholeLines[k].TrimStart(), searchLines[k].TrimStart(), StringComparison.Ordinal))
            {
                return null;
            }
        }

        string? prefix = null;
        for (var k = 0; k < wholeLines.Count; k++)
        {
            if (TextLines.IsBlank(wholeLines[k]))
            {
                continue;
            }

            if (wholeLines[k].Length < searchLines[k].Length)
            {
                return null;
            }

            var added = wholeLines[k][..(wholeLines[k].Length - searchLines[k].Length)];
            if (prefix is null)
            {
                prefix = added;
            }
            else if (prefix != added)
            {
                return null;
            }
        }

        return prefix;
    }

    /// <summary>
    /// SEARCH and REPLACE with matching "..." lines elide unchanged code: each piece between them
    /// must occur exactly once and is replaced by its counterpart.
    /// </summary>
    private static string? TryDotDotDots(string whole, string search, string replace)
    {
        var searchPieces = DotsLine().Split(search);
        var replacePieces = DotsLine().Split(replace);
        if (searchPieces.Length == 1 || searchPieces.Length != replacePieces.Length)
        {
            return null;
        }

        for (var i = 1; i < searchPieces.Length; i += 2)
        {
            if (searchPieces[i] != replacePieces[i])
            {
                return null;
            }
        }

        for (var i = 0; i < searchPieces.Length; i += 2)
        {
            var part = searchPieces[i];
            var replacement = replacePieces[i];
            if (part.Length == 0 && replacement.Length == 0)
            {
                continue;
            }

            if (part.Length == 0)
            {
                whole = TextLines.EnsureFinalNewline(whole) + replacement;
                continue;
            }

            if (TextLines.CountOccurrences(whole, part) != 1)
            {
                return null;
            }

            var at = whole.IndexOf(part, StringComparison.Ordinal);
            whole = string.Concat(whole.AsSpan(0, at), replacement, whole.AsSpan(at + part.Length));
        }

        return whole;
    }

    private static string BaseName(string path)
    {
        var cut = path.LastIndexOf('/');
        return cut < 0 ? path : path[(cut + 1)..];
    }

    // A capturing group keeps the "..." lines in the split output at odd positions, as re.split does.
    [GeneratedRegex(@"(^\s*\.\.\.\n)", RegexOptions.Multiline | RegexOptions.CultureInvariant)]
    private static partial Regex DotsLine();
}
