using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Wright.Core.Context;
using Wright.Core.Errors;
using Wright.Core.Git;
using Wright.Core.Projects;
using Wright.Core.Hosting;

namespace Wright.Core.Workspace;

/// <summary>
/// Project-wide text search: ripgrep (<c>rg --json</c>) when it is installed, a managed search
/// otherwise, with the same results. Both see the files the tree lists (what git ignores is left
/// out, <c>.git</c> is never read, Wright's temp files are hidden), skip binary and oversized
/// files, and page in ripgrep's path order.
/// </summary>
/// <remarks>
/// A page runs the search again from the start and skips up to its cursor: nothing is kept
/// between requests, and the work per page stops as soon as one match past the page is found (for
/// ripgrep: its process is killed). Later pages of a huge result cost more than the first, which
/// suits a search panel that users rarely page far into.
/// One difference remains: ripgrep skips tracked files under an ignored directory, which the tree
/// (and the managed search) show.
/// </remarks>
public sealed partial class ProjectSearch
{
    public const int DefaultLimit = 200;
    public const int MaxLimit = 1_000;
    public const int MaxPreviewChars = 500;

    /// <summary>How much of a long line the preview shows before the match.</summary>
    private const int PreviewLead = 100;

    private static readonly TimeSpan RegexMatchTimeout = TimeSpan.FromSeconds(2);
    private static readonly UTF8Encoding LenientUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false);

    private readonly GitService _git;
    private readonly SearchOptions _options;
    private readonly ILogger<ProjectSearch> _logger;

    public ProjectSearch(GitService git, IOptions<SearchOptions> options, ILogger<ProjectSearch> logger)
    {
        _git = git;
        _options = options.Value;
        _logger = logger;
    }

    /// <summary>
    /// One page of the matches of <paramref name="query"/> in <paramref name="project"/>, after
    /// <paramref name="cursor"/>. A bad regular expression is <c>invalid_regex</c>.
    /// </summary>
    public async Task<SearchPage> SearchAsync(Project project, SearchQuery query, int? limit, string? cursor, CancellationToken cancellationToken)
    {
        query.Validated();
        var pageSize = limit ?? DefaultLimit;
        if (pageSize is < 1 or > MaxLimit)
        {
            throw WrightException.Invalid(ErrorCodes.ValidationFailed, $"limit must be between 1 and {MaxLimit}.");
        }

        var collector = new Collector(pageSize, SearchCursor.Decode(cursor), query, _options.MaxLinesPerFile);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(_options.Timeout);
        var engine = "managed";
        try
        {
            if (_options.UseRipgrep && await TryRipgrepAsync(project.RootPath, query, collector, deadline.Token).ConfigureAwait(false))
            {
                engine = "ripgrep";
            }
            else
            {
                await SearchManagedAsync(project.RootPath, query, collector, deadline.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // Our own deadline, not the client's: answer with what was found, marked truncated.
            collector.Truncated = true;
        }
        catch (RegexMatchTimeoutException)
        {
            // A pathological expression on one line: stop there rather than burn the server's CPU.
            collector.Truncated = true;
        }

        return collector.ToPage(engine);
    }

    /// <summary>Runs ripgrep; false when it cannot be started (not installed), so the caller searches itself.</summary>
    private async Task<bool> TryRipgrepAsync(string root, SearchQuery query, Collector collector, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(_options.RipgrepPath)
        {
            WorkingDirectory = root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            StandardOutputEncoding = LenientUtf8,
            StandardErrorEncoding = LenientUtf8,
        };
        foreach (var argument in RipgrepArguments(query))
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment.Remove("RIPGREP_CONFIG_PATH");
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new Win32Exception("ripgrep did not start");
        }
        catch (Win32Exception ex)
        {
            SearchLog.RipgrepUnavailable(_logger, _options.RipgrepPath, ex.Message);
            return false;
        }

        using (process)
        {
            using var registration = cancellationToken.Register(() => ChildProcesses.KillTree(process));
            process.StandardInput.Close();
            var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
            var stopped = false;
            try
            {
                while (!stopped && await process.StandardOutput.ReadLineAsync(CancellationToken.None).ConfigureAwait(false) is { } line)
                {
                    stopped = !ReadRipgrepLine(line, collector);
                }
            }
            finally
            {
                if (!process.HasExited)
                {
                    ChildProcesses.KillTree(process);
                }

                await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            }

            var error = await stderr.ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();

            // Exit 1 is "no match"; 2 is an error, which with no output at all is the pattern's.
            if (!stopped && process.ExitCode == 2 && error.Contains("regex", StringComparison.OrdinalIgnoreCase))
            {
                throw InvalidRegex(FirstLines(error));
            }

            if (!stopped && process.ExitCode > 1 && error.Length > 0)
            {
                SearchLog.RipgrepFailed(_logger, root, process.ExitCode, FirstLines(error));
            }
        }

        return true;
    }

    /// <summary>
    /// The ripgrep command line. Options come first and the pattern after <c>--</c>, so a query
    /// starting with '-' is text to find, never an option.
    /// </summary>
    internal List<string> RipgrepArguments(SearchQuery query)
    {
        List<string> arguments =
        [
            "--json", "--no-config", "--sort", "path", "--hidden", "--no-ignore-dot", "--no-ignore-parent", "--no-messages",
            "--max-filesize", _options.MaxFileBytes.ToString(CultureInfo.InvariantCulture),
            "--max-count", _options.MaxLinesPerFile.ToString(CultureInfo.InvariantCulture),
            "--glob", "!.git", "--glob", "!" + PathJail.TempFilePrefix + "*",
            query.CaseSensitive ? "--case-sensitive" : "--ignore-case",
        ];
        if (!query.Regex)
        {
            arguments.Add("--fixed-strings");
        }

        if (query.WholeWord)
        {
            arguments.Add("--word-regexp");
        }

        // Globs that mean the same to ripgrep and to PathPattern narrow ripgrep's walk; every glob
        // is applied again to its output, so the two engines agree whatever a glob says.
        foreach (var glob in query.Exclude.Where(IsPlainGlob))
        {
            arguments.AddRange(["--glob", "!" + glob]);
        }

        foreach (var glob in query.Include.Where(g => IsPlainGlob(g) && !g.Contains('/', StringComparison.Ordinal) && g.Contains('*', StringComparison.Ordinal)))
        {
            arguments.AddRange(["--glob", glob]);
        }

        // The path is explicit: without one, ripgrep reads standard input when it is not a terminal.
        arguments.AddRange(["--", query.Text, "."]);
        return arguments;
    }

    /// <summary>Reads one line of <c>rg --json</c>; false when the collector has all it needs.</summary>
    private static bool ReadRipgrepLine(string line, Collector collector)
    {
        using var json = JsonDocument.Parse(line);
        var root = json.RootElement;
        if (root.GetProperty("type").GetString() != "match")
        {
            return true;
        }

        var data = root.GetProperty("data");
        if (!data.GetProperty("path").TryGetProperty("text", out var pathText) || pathText.GetString() is not { } path)
        {
            // A file name that is not UTF-8 cannot be named to the client anyway.
            return true;
        }

        path = path.StartsWith("./", StringComparison.Ordinal) ? path[2..] : path;
        if (!collector.Wants(path))
        {
            return true;
        }

        var lines = data.GetProperty("lines");
        var bytes = lines.TryGetProperty("text", out var text)
            ? Encoding.UTF8.GetBytes(text.GetString() ?? "")
            : lines.GetProperty("bytes").GetBytesFromBase64();
        var content = TrimTerminator(LenientUtf8.GetString(bytes));
        var lineNumber = data.GetProperty("line_number").GetInt32();
        var spans = new List<(int Start, int Length)>();
        foreach (var submatch in data.GetProperty("submatches").EnumerateArray())
        {
            var startByte = Math.Min(submatch.GetProperty("start").GetInt32(), bytes.Length);
            var endByte = Math.Min(submatch.GetProperty("end").GetInt32(), bytes.Length);
            var start = LenientUtf8.GetCharCount(bytes, 0, startByte);
            var end = LenientUtf8.GetCharCount(bytes, 0, endByte);
            spans.Add((start, end - start));
        }

        return collector.AddLine(path, lineNumber, content, spans);
    }

    private async Task SearchManagedAsync(string root, SearchQuery query, Collector collector, CancellationToken cancellationToken)
    {
        var regex = BuildRegex(query);
        var files = (await _git.ListWorkingTreeFilesAsync(root, cancellationToken).ConfigureAwait(false)).ToList();
        files.Sort(SearchPathOrder.Instance);
        foreach (var path in files)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!collector.Wants(path))
            {
                continue;
            }

            var bytes = await ReadSearchableAsync(Path.Combine(root, path), cancellationToken).ConfigureAwait(false);
            if (bytes is null)
            {
                continue;
            }

            var text = LenientUtf8.GetString(bytes.AsSpan(bytes.AsSpan().StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]) ? 3 : 0));
            var lineNumber = 0;
            var position = 0;
            while (position <= text.Length)
            {
                var newline = text.IndexOf('\n', position);
                var end = newline < 0 ? text.Length : newline;
                if (newline < 0 && position == text.Length)
                {
                    break;
                }

                lineNumber++;
                var line = text[position..end];
                position = end + 1;
                var spans = new List<(int Start, int Length)>();
                for (var match = regex.Match(line); match.Success; match = match.NextMatch())
                {
                    if (match.Length > 0)
                    {
                        spans.Add((match.Index, match.Length));
                    }
                }

                if (spans.Count > 0 && !collector.AddLine(path, lineNumber, TrimTerminator(line), spans))
                {
                    return;
                }

                if (collector.FileFull(path))
                {
                    break;
                }
            }
        }
    }

    /// <summary>The file's bytes when it is a regular file (not a symlink) within the size cap and not binary; otherwise null.</summary>
    private async Task<byte[]?> ReadSearchableAsync(string fullPath, CancellationToken cancellationToken)
    {
        var info = new FileInfo(fullPath);
        if (!info.Exists || info.LinkTarget is not null || info.Length > _options.MaxFileBytes)
        {
            return null;
        }

        byte[] bytes;
        try
        {
            bytes = await File.ReadAllBytesAsync(fullPath, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Deleted or locked between the listing and the read: ripgrep skips such files silently too.
            return null;
        }

        // ripgrep's rule for a recursive search: a NUL byte makes a file binary, and binary files are skipped.
        return bytes.AsSpan().Contains((byte)0) ? null : bytes;
    }

    internal static Regex BuildRegex(SearchQuery query)
    {
        var pattern = query.Regex ? query.Text : Regex.Escape(query.Text);
        if (query.WholeWord)
        {
            pattern = $@"\b(?:{pattern})\b";
        }

        var options = RegexOptions.CultureInvariant | (query.CaseSensitive ? RegexOptions.None : RegexOptions.IgnoreCase);
        try
        {
            return new Regex(pattern, options, RegexMatchTimeout);
        }
        catch (ArgumentException ex)
        {
            throw InvalidRegex(ex.Message);
        }
    }

    private static WrightException InvalidRegex(string reason) =>
        WrightException.Invalid(ErrorCodes.InvalidRegex, $"The search pattern is not a valid regular expression: {reason} Fix it, or search for plain text (regex=false).");

    /// <summary>A glob of only names, '/', '*', '?' and '.': one that ripgrep and PathPattern read the same way.</summary>
    private static bool IsPlainGlob(string glob) =>
        glob.Length > 0 && glob[0] != '!' && glob.All(c => char.IsLetterOrDigit(c) || c is '/' or '*' or '?' or '.' or '-' or '_');

    private static string TrimTerminator(string line) => line.TrimEnd('\n').TrimEnd('\r');

    private static string FirstLines(string text) =>
        string.Join(' ', text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Take(4));


    /// <summary>Gathers one page: applies the cursor, the globs and the per-file cap, and stops one match past the page.</summary>
    private sealed class Collector
    {
        private readonly int _limit;
        private readonly SearchCursor? _after;
        private readonly List<PathPattern> _include;
        private readonly List<PathPattern> _exclude;
        private readonly int _maxLinesPerFile;
        private readonly List<SearchMatch> _items = [];
        private string? _currentPath;
        private int _currentLines;

        public Collector(int limit, SearchCursor? after, SearchQuery query, int maxLinesPerFile)
        {
            _limit = limit;
            _after = after;
            _include = query.Include.Select(g => new PathPattern(g)).ToList();
            _exclude = query.Exclude.Select(g => new PathPattern(g)).ToList();
            _maxLinesPerFile = maxLinesPerFile;
        }

        public bool Truncated { get; set; }

        /// <summary>False for a path before the cursor, filtered out by a glob, or hidden like the tree hides it.</summary>
        public bool Wants(string path)
        {
            if (_after is not null && SearchPathOrder.Instance.Compare(path, _after.Path) < 0)
            {
                return false;
            }

            var segments = path.Split('/');
            if (segments.Any(PathJail.IsGitDirectoryName) || PathJail.IsTempFileName(segments[^1]))
            {
                return false;
            }

            return (_include.Count == 0 || _include.Any(p => p.IsMatch(path))) && !_exclude.Any(p => p.IsMatch(path));
        }

        public bool FileFull(string path) => _currentPath == path && _currentLines >= _maxLinesPerFile;

        /// <summary>Adds the matches of one line; false once the page is full (one match past it is held).</summary>
        public bool AddLine(string path, int lineNumber, string line, IReadOnlyList<(int Start, int Length)> spans)
        {
            if (_currentPath != path)
            {
                _currentPath = path;
                _currentLines = 0;
            }

            if (++_currentLines >= _maxLinesPerFile)
            {
                Truncated = true;
            }

            foreach (var (start, length) in spans)
            {
                if (start >= line.Length || length <= 0)
                {
                    continue;
                }

                var match = Preview(path, lineNumber, line, start, Math.Min(length, line.Length - start));
                if (_after is not null && !_after.IsBefore(match))
                {
                    continue;
                }

                _items.Add(match);
                if (_items.Count > _limit)
                {
                    return false;
                }
            }

            return true;
        }

        public SearchPage ToPage(string engine)
        {
            string? next = null;
            if (_items.Count > _limit)
            {
                _items.RemoveRange(_limit, _items.Count - _limit);
                next = SearchCursor.After(_items[^1]).Encode();
            }
            else if (Truncated && _items.Count > 0)
            {
                // Stopped at a bound: the client may go on from the last match it has.
                next = SearchCursor.After(_items[^1]).Encode();
            }

            return new SearchPage(_items, next, Truncated, engine);
        }

        private static SearchMatch Preview(string path, int lineNumber, string line, int start, int length)
        {
            if (line.Length <= MaxPreviewChars)
            {
                return new SearchMatch(path, lineNumber, start + 1, line, length, 0);
            }

            var from = Math.Max(0, Math.Min(start - PreviewLead, line.Length - MaxPreviewChars));
            if (from > 0 && char.IsLowSurrogate(line[from]))
            {
                from--;
            }

            var count = Math.Min(MaxPreviewChars, line.Length - from);
            if (from + count < line.Length && char.IsHighSurrogate(line[from + count - 1]))
            {
                count--;
            }

            var preview = line.Substring(from, count);
            return new SearchMatch(path, lineNumber, start - from + 1, preview, Math.Min(length, count - (start - from)), from);
        }
    }
}

/// <summary>Log messages of project search; event ids 4050–4059 (within the workspace's 4000–4099).</summary>
internal static partial class SearchLog
{
    [LoggerMessage(EventId = 4050, Level = LogLevel.Information, Message = "ripgrep ({Path}) could not be started ({Reason}); searching with the managed search")]
    public static partial void RipgrepUnavailable(ILogger logger, string path, string reason);

    [LoggerMessage(EventId = 4051, Level = LogLevel.Warning, Message = "ripgrep in {Root} exited with {ExitCode}: {Error}")]
    public static partial void RipgrepFailed(ILogger logger, string root, int exitCode, string error);
}
