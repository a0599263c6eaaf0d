using System.Buffers.Text;
using System.Globalization;
using System.Text;
using Wright.Core.Context;
using Wright.Core.Errors;

namespace Wright.Core.Workspace;

/// <summary>
/// What a project search looks for: <see cref="Text"/> as a literal or a regular expression, with
/// include/exclude globs (.gitignore style, as <see cref="PathPattern"/> reads them).
/// </summary>
public sealed record SearchQuery(string Text, bool Regex, bool CaseSensitive, bool WholeWord, IReadOnlyList<string> Include, IReadOnlyList<string> Exclude)
{
    public const int MaxTextLength = 1_000;
    public const int MaxGlobs = 50;
    public const int MaxGlobLength = 500;

    /// <summary>Checks the query's sizes (the pattern's syntax is checked by whoever runs it).</summary>
    public SearchQuery Validated()
    {
        if (string.IsNullOrEmpty(Text) || Text.Length > MaxTextLength || Text.Contains('\n', StringComparison.Ordinal) || Text.Contains('\0', StringComparison.Ordinal))
        {
            throw WrightException.Invalid(ErrorCodes.ValidationFailed, $"q is the text to find: 1 to {MaxTextLength} characters on one line.");
        }

        if (Include.Count + Exclude.Count > MaxGlobs || Include.Concat(Exclude).Any(g => g.Length > MaxGlobLength || g.Any(char.IsControl)))
        {
            throw WrightException.Invalid(ErrorCodes.ValidationFailed, $"include and exclude take at most {MaxGlobs} comma-separated globs of up to {MaxGlobLength} characters.");
        }

        return this;
    }

    /// <summary>Splits a comma-separated glob list, dropping empty entries.</summary>
    public static IReadOnlyList<string> Globs(string? list) =>
        (list ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}

/// <summary>
/// One match: the 1-based line, and the match's 1-based column and length in UTF-16 code units
/// within <see cref="Preview"/>. The preview is the line (without its terminator) when it is at
/// most <see cref="ProjectSearch.MaxPreviewChars"/> long, otherwise a window of it around the
/// match that starts <see cref="PreviewOffset"/> characters into the line.
/// </summary>
public sealed record SearchMatch(string Path, int Line, int Column, string Preview, int MatchLength, int PreviewOffset);

/// <summary>
/// One page of matches in path order (by path segment), then line, then column.
/// <see cref="Truncated"/>: the search stopped at one of its bounds (matched lines per file, time),
/// so following <see cref="NextCursor"/> may not reach every match.
/// </summary>
public sealed record SearchPage(IReadOnlyList<SearchMatch> Items, string? NextCursor, bool Truncated, string Engine);

/// <summary>Settings of project search (configuration section <c>Search</c>).</summary>
public sealed class SearchOptions
{
    /// <summary>Use ripgrep when it can be started; false forces the managed search (<c>Search:UseRipgrep</c>).</summary>
    public bool UseRipgrep { get; set; } = true;

    /// <summary>The ripgrep executable, a name looked up on PATH or a full path (<c>Search:RipgrepPath</c>).</summary>
    public string RipgrepPath { get; set; } = "rg";

    /// <summary>Files larger than this are not searched (<c>Search:MaxFileBytes</c>).</summary>
    public long MaxFileBytes { get; set; } = 2 * 1024 * 1024;

    /// <summary>Most matching lines read from one file; past it the page says truncated (<c>Search:MaxLinesPerFile</c>).</summary>
    public int MaxLinesPerFile { get; set; } = 1_000;

    /// <summary>A search that takes longer returns what it found, marked truncated (<c>Search:Timeout</c>).</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(20);
}

/// <summary>Checks <see cref="SearchOptions"/> at start-up and names every bad setting.</summary>
internal sealed class SearchOptionsValidation : Microsoft.Extensions.Options.IValidateOptions<SearchOptions>
{
    public Microsoft.Extensions.Options.ValidateOptionsResult Validate(string? name, SearchOptions options)
    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(options.RipgrepPath))
        {
            problems.Add("Search:RipgrepPath must name the ripgrep executable (default 'rg').");
        }

        if (options.MaxFileBytes < 1)
        {
            problems.Add($"Search:MaxFileBytes must be positive (got {options.MaxFileBytes}).");
        }

        if (options.MaxLinesPerFile < 1)
        {
            problems.Add($"Search:MaxLinesPerFile must be positive (got {options.MaxLinesPerFile}).");
        }

        if (options.Timeout <= TimeSpan.Zero)
        {
            problems.Add($"Search:Timeout must be positive (got {options.Timeout}).");
        }

        return problems.Count == 0 ? Microsoft.Extensions.Options.ValidateOptionsResult.Success : Microsoft.Extensions.Options.ValidateOptionsResult.Fail(problems);
    }
}

/// <summary>Where the next page starts: after the match at this path, line and absolute column.</summary>
internal sealed record SearchCursor(string Path, int Line, int Column)
{
    public static SearchCursor After(SearchMatch match) => new(match.Path, match.Line, match.PreviewOffset + match.Column);

    /// <summary>True when <paramref name="match"/> comes after this cursor in the search's order.</summary>
    public bool IsBefore(SearchMatch match)
    {
        var path = SearchPathOrder.Instance.Compare(match.Path, Path);
        if (path != 0)
        {
            return path > 0;
        }

        return match.Line != Line ? match.Line > Line : match.PreviewOffset + match.Column > Column;
    }

    public string Encode() =>
        Base64Url.EncodeToString(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{Line}:{Column}:{Path}")));

    public static SearchCursor? Decode(string? cursor)
    {
        if (string.IsNullOrEmpty(cursor))
        {
            return null;
        }

        try
        {
            var parts = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(cursor)).Split(':', 3);
            if (parts.Length == 3
                && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var line)
                && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var column)
                && parts[2].Length > 0)
            {
                return new SearchCursor(parts[2], line, column);
            }
        }
        catch (FormatException)
        {
            // Not base64url: reported below like any other malformed cursor.
        }

        throw WrightException.Invalid(ErrorCodes.InvalidCursor, "The cursor is not one this endpoint returned; start again without a cursor.");
    }
}

/// <summary>
/// The order ripgrep's <c>--sort path</c> walks a tree in: segment by segment, each compared
/// ordinally (so <c>a/b</c> comes before <c>a-c</c>). Both search engines page in this order.
/// </summary>
internal sealed class SearchPathOrder : IComparer<string>
{
    public static readonly SearchPathOrder Instance = new();

    public int Compare(string? x, string? y)
    {
        var a = (x ?? "").AsSpan();
        var b = (y ?? "").AsSpan();
        while (true)
        {
            var i = a.IndexOf('/');
            var j = b.IndexOf('/');
            var segmentA = i < 0 ? a : a[..i];
            var segmentB = j < 0 ? b : b[..j];
            var order = segmentA.SequenceCompareTo(segmentB);
            if (order != 0)
            {
                return order;
            }

            if (i < 0 || j < 0)
            {
                return (i < 0 ? 0 : 1) - (j < 0 ? 0 : 1);
            }

            a = a[(i + 1)..];
            b = b[(j + 1)..];
        }
    }
}
