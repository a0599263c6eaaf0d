using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Wright.Core.Actions;
using Wright.Core.Actions.EditFormats;
using Wright.Core.Context;
using Wright.Core.Errors;
using Wright.Core.Workspace;
using Wright.Core.Hosting;

namespace Wright.Core.Engine;

/// <summary>
/// The project as one answer's tools see it: the files on disk overlaid with the changes the
/// answer's file tools staged so far (nothing is written until the answer's ActionRun). Reads go
/// through the context filter chain, so ignored, binary and secret files never reach the model.
/// The file calls of one model response are staged together: when one fails, none is kept.
/// </summary>
internal sealed class ToolWorkspace
{
    private const int MaxListed = 1000;
    private const int MaxMatches = 200;
    private const int MaxReadChars = 100_000;

    private readonly string _root;
    private ContextFileFilter _filter;
    private StagedFiles _staged;

    public ToolWorkspace(string root, ContextFileFilter filter)
    {
        _root = root;
        _filter = filter;
        _staged = new StagedFiles(ReadBase);
    }

    /// <summary>Whether <c>rg</c> is on PATH; looked up once per process.</summary>
    private static readonly Lazy<bool> RipgrepInstalled = new(() => (Environment.GetEnvironmentVariable("PATH") ?? "")
        .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
        .Any(d => File.Exists(Path.Combine(d, "rg"))));

    /// <summary>The answer's staged changes as file changes for its ActionRun.</summary>
    public IReadOnlyList<FileChange> Changes =>
        _staged.ChangedPaths
            .Where(p => _staged.KindOf(p) != FileChangeKind.Unchanged)
            .Select(p => _staged.StagedContent(p) is { } content ? (FileChange)new Actions.WriteFile(p, content) : new Actions.DeleteFile(p))
            .ToList();

    /// <summary>After an ActionRun wrote the staged changes (or a command changed files): start over from the disk.</summary>
    public void Reset(ContextFileFilter filter)
    {
        _filter = filter;
        _staged = new StagedFiles(ReadBase);
    }

    /// <summary>Stages the file calls of one response together: all of them, or (when one fails) none.</summary>
    public StepStaging BeginStep() => new(this, _staged.Fork());

    public string Read(ToolArguments arguments)
    {
        var path = Normalize(arguments.Required("path"));
        var text = ReadVisible(_staged, path) ?? throw new ToolError(ActionErrorCodes.EditFileState, $"There is no file '{path}'.");
        var offset = arguments.Int("offset");
        var limit = arguments.Int("limit");
        if (offset is not null || limit is not null)
        {
            var lines = text.Split('\n');
            var start = Math.Clamp((offset ?? 1) - 1, 0, lines.Length);
            var count = Math.Clamp(limit ?? lines.Length, 0, lines.Length - start);
            text = string.Join('\n', lines, start, count);
        }

        return text.Length > MaxReadChars ? text[..MaxReadChars] + $"\n… (cut at {MaxReadChars} characters; read a range with offset and limit)" : text;
    }

    public string List(ToolArguments arguments)
    {
        var under = arguments.String("path") is { Length: > 0 } p && p.Trim('/', '.').Length > 0 ? Normalize(p).TrimEnd('/') + "/" : "";
        var files = VisiblePaths().Where(f => f.StartsWith(under, StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList();
        var text = new StringBuilder();
        foreach (var file in files.Take(MaxListed))
        {
            text.Append(file).Append('\n');
        }

        if (files.Count > MaxListed)
        {
            text.Append(CultureInfo.InvariantCulture, $"… and {files.Count - MaxListed} more; list a directory to see them.\n");
        }

        return files.Count == 0 ? $"No files{(under.Length > 0 ? $" under {under}" : "")}." : text.ToString();
    }

    public async Task<string> SearchAsync(ToolArguments arguments, CancellationToken cancellationToken)
    {
        var pattern = arguments.Required("pattern");
        var regex = arguments.Bool("regex");
        var under = arguments.String("path") is { Length: > 0 } p && p.Trim('/', '.').Length > 0 ? Normalize(p) : "";
        Regex? matcher = null;
        if (regex)
        {
            try
            {
                matcher = new Regex(pattern, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
            }
            catch (ArgumentException ex)
            {
                throw new ToolError("invalid_arguments", $"The pattern is not a valid regular expression: {ex.Message}");
            }
        }

        var changed = _staged.ChangedPaths.ToHashSet(StringComparer.Ordinal);
        var matches = RipgrepInstalled.Value
            ? await RipgrepAsync(pattern, regex, under, cancellationToken).ConfigureAwait(false)
            : null;
        matches ??= ManagedSearch(VisiblePaths().Where(f => !changed.Contains(f)), under, pattern, matcher, _filter);
        var results = matches.Where(m => !changed.Contains(m.Path) && _filter.CheckName(m.Path) is null).ToList();

        // Files this answer changed are searched as staged, not as they are on disk.
        foreach (var path in changed.Where(c => (under.Length == 0 || c == under || c.StartsWith(under.TrimEnd('/') + "/", StringComparison.Ordinal)) && _staged.Read(c) is not null))
        {
            results.AddRange(Matches(path, _staged.Read(path)!, pattern, matcher));
        }

        results = results.OrderBy(m => m.Path, StringComparer.Ordinal).ThenBy(m => m.Line).ToList();
        if (results.Count == 0)
        {
            return $"No matches for '{pattern}'.";
        }

        var text = new StringBuilder();
        foreach (var match in results.Take(MaxMatches))
        {
            text.Append(CultureInfo.InvariantCulture, $"{match.Path}:{match.Line}:{match.Text}\n");
        }

        if (results.Count > MaxMatches)
        {
            text.Append(CultureInfo.InvariantCulture, $"… and {results.Count - MaxMatches} more matches; narrow the search.\n");
        }

        return text.ToString();
    }

    private string Normalize(string path)
    {
        try
        {
            return PathJail.Resolve(_root, path).RelativePath;
        }
        catch (WrightException ex)
        {
            throw new ToolError(ex.Code, ex.Message);
        }
    }

    private IEnumerable<string> VisiblePaths()
    {
        var staged = _staged.ChangedPaths.ToHashSet(StringComparer.Ordinal);
        foreach (var path in _filter.ListedFiles)
        {
            if (!staged.Contains(path) && _filter.CheckName(path) is null)
            {
                yield return path;
            }
        }

        foreach (var path in staged)
        {
            if (_staged.Read(path) is not null && _filter.CheckNameIgnoringListing(path) is null)
            {
                yield return path;
            }
        }
    }

    /// <summary>A file's text as the model may see it: staged content, or the disk through the filter chain.</summary>
    private string? ReadVisible(StagedFiles files, string path)
    {
        if (_filter.CheckNameIgnoringListing(path) is { } byName)
        {
            throw new ToolError("file_not_readable", $"'{path}' is never shown to the assistant: {Describe(byName)}.");
        }

        // A file the answer did not write must be one git lists: ignored files stay out even when they exist.
        var staged = files.ChangedPaths.Contains(path, StringComparer.Ordinal) || _staged.ChangedPaths.Contains(path, StringComparer.Ordinal);
        if (!staged && _filter.CheckName(path) is ContextExclusion.Ignored && File.Exists(Path.Combine(_root, path)))
        {
            throw new ToolError("file_not_readable", $"'{path}' is never shown to the assistant: {Describe(ContextExclusion.Ignored)}.");
        }

        return files.Read(path);
    }

    /// <summary>The disk's content of a file for staging, or null when it does not exist or may not be shown.</summary>
    private string? ReadBase(string path)
    {
        JailedPath jailed;
        try
        {
            jailed = PathJail.Resolve(_root, path);
        }
        catch (WrightException)
        {
            return null;
        }

        if (!File.Exists(jailed.RealPath))
        {
            return null;
        }

        var info = new FileInfo(jailed.RealPath);
        if (info.Length > _filter.MaxFileBytes)
        {
            throw new ToolError("file_not_readable", $"'{path}' is larger than {_filter.MaxFileBytes} bytes; it is never shown to the assistant.");
        }

        var (file, exclusion) = _filter.Admit(path, File.ReadAllBytes(jailed.RealPath));
        return file?.Text ?? (exclusion is ContextExclusion.Ignored ? null : throw new ToolError("file_not_readable", $"'{path}' is never shown to the assistant: {Describe(exclusion!.Value)}."));
    }

    private static string Describe(ContextExclusion exclusion) => exclusion switch
    {
        ContextExclusion.SecretName or ContextExclusion.SecretContent => "it may hold secrets",
        ContextExclusion.Binary => "it is binary",
        ContextExclusion.TooLarge => "it is too large",
        ContextExclusion.UserExcluded => "the project's .wright/config excludes it",
        ContextExclusion.Ignored => "git ignores it",
        _ => "it is internal to Wright",
    };

    private async Task<List<SearchMatch>?> RipgrepAsync(string pattern, bool regex, string under, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("rg")
        {
            WorkingDirectory = _root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        List<string> arguments = ["--line-number", "--no-heading", "--color=never", "--max-columns=400", "--max-count=100"];
        if (!regex)
        {
            arguments.Add("--fixed-strings");
        }

        arguments.AddRange(["-e", pattern, "--", under.Length > 0 ? under : "."]);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (Win32Exception)
        {
            // rg vanished from PATH since the lookup: the managed search does the same job.
            return null;
        }

        using (process)
        {
            process.StandardInput.Close();
            var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
            var errors = process.StandardError.ReadToEndAsync(cancellationToken);
            using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            bounded.CancelAfter(TimeSpan.FromSeconds(30));
            try
            {
                await process.WaitForExitAsync(bounded.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (bounded.IsCancellationRequested)
            {
                // A search that takes this long (or a cancelled run) is stopped; the caller sees no results or the cancellation.
                ChildProcesses.KillTree(process);
                cancellationToken.ThrowIfCancellationRequested();
                throw new ToolError("search_timeout", "The search took too long; narrow it to a directory or a more specific pattern.");
            }

            var text = await output.ConfigureAwait(false);
            await errors.ConfigureAwait(false);
            if (process.ExitCode > 1)
            {
                return null;
            }

            var matches = new List<SearchMatch>();
            foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                var first = line.IndexOf(':', StringComparison.Ordinal);
                var second = first < 0 ? -1 : line.IndexOf(':', first + 1);
                if (second < 0 || !int.TryParse(line.AsSpan(first + 1, second - first - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var number))
                {
                    continue;
                }

                var path = line[..first];
                path = path.StartsWith("./", StringComparison.Ordinal) ? path[2..] : path;
                matches.Add(new SearchMatch(path, number, line[(second + 1)..].TrimEnd('\r')));
            }

            return matches;
        }
    }

    private static List<SearchMatch> ManagedSearch(IEnumerable<string> paths, string under, string pattern, Regex? matcher, ContextFileFilter filter)
    {
        var matches = new List<SearchMatch>();
        foreach (var path in paths.Where(p => under.Length == 0 || p == under || p.StartsWith(under.TrimEnd('/') + "/", StringComparison.Ordinal)))
        {
            var (file, _) = filter.ReadAsync(path, CancellationToken.None).GetAwaiter().GetResult();
            if (file is not null)
            {
                matches.AddRange(Matches(path, file.Text, pattern, matcher));
            }

            if (matches.Count > MaxMatches * 2)
            {
                break;
            }
        }

        return matches;
    }

    private static IEnumerable<SearchMatch> Matches(string path, string text, string pattern, Regex? matcher)
    {
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].TrimEnd('\r');
            if (matcher?.IsMatch(line) ?? line.Contains(pattern, StringComparison.Ordinal))
            {
                yield return new SearchMatch(path, i + 1, line.Length > 400 ? line[..400] : line);
            }
        }
    }

    private sealed record SearchMatch(string Path, int Line, string Text);

    /// <summary>The file calls of one model response, staged on a fork that is kept only if every call succeeded.</summary>
    internal sealed class StepStaging(ToolWorkspace workspace, StagedFiles fork)
    {
        public bool Failed { get; private set; }

        public string Read(ToolArguments arguments)
        {
            var saved = workspace._staged;
            workspace._staged = fork;
            try
            {
                return workspace.Read(arguments);
            }
            finally
            {
                workspace._staged = saved;
            }
        }

        /// <summary>Stages one file call; a <see cref="ToolError"/> (with the closest match for an edit that does not match) marks the step failed.</summary>
        public string Apply(string tool, ToolArguments arguments)
        {
            try
            {
                return ApplyCore(tool, arguments);
            }
            catch (ToolError)
            {
                Failed = true;
                throw;
            }
        }

        /// <summary>Keeps the step's changes when no call failed.</summary>
        public bool Commit()
        {
            if (!Failed)
            {
                workspace._staged.Adopt(fork);
            }

            return !Failed;
        }

        private string ApplyCore(string tool, ToolArguments arguments)
        {
            var path = workspace.Normalize(arguments.Required("path"));
            switch (tool)
            {
                case AgentTools.WriteFile:
                    var content = arguments.String("content") ?? throw new ToolError("invalid_arguments", "The argument 'content' is required.");
                    var existed = fork.Exists(path);
                    fork.Write(path, content);
                    return $"{(existed ? "Replaced" : "Created")} {path} ({content.Length} characters).";

                case AgentTools.EditFile:
                {
                    var oldText = arguments.String("old_text") ?? throw new ToolError("invalid_arguments", "The argument 'old_text' is required.");
                    var newText = arguments.String("new_text") ?? throw new ToolError("invalid_arguments", "The argument 'new_text' is required.");
                    var text = workspace.ReadVisible(fork, path) ?? throw new ToolError(ActionErrorCodes.EditFileState, $"There is no file '{path}' to edit; create it with write_file.");
                    if (oldText.Length == 0)
                    {
                        throw new ToolError(ActionErrorCodes.EditNoMatch, "old_text is empty; give the exact text to replace.");
                    }

                    var occurrences = TextLines.CountOccurrences(text, oldText);
                    if (occurrences == 0)
                    {
                        var detail = new StringBuilder($"old_text does not occur in '{path}'.\n");
                        TextEdits.AppendClosest(detail, path, text, oldText);
                        detail.Append("old_text must match the file exactly, including whitespace and indentation.");
                        throw new ToolError(ActionErrorCodes.EditNoMatch, detail.ToString());
                    }

                    if (occurrences > 1)
                    {
                        throw new ToolError(ActionErrorCodes.EditAmbiguous, $"old_text occurs {occurrences} times in '{path}'; include enough surrounding lines to make it unique.");
                    }

                    var at = text.IndexOf(oldText, StringComparison.Ordinal);
                    fork.Write(path, string.Concat(text.AsSpan(0, at), newText, text.AsSpan(at + oldText.Length)));
                    return $"Edited {path}.";
                }

                case AgentTools.DeleteFile:
                    if (!fork.Exists(path))
                    {
                        throw new ToolError(ActionErrorCodes.EditFileState, $"There is no file '{path}' to delete.");
                    }

                    fork.Delete(path);
                    return $"Deleted {path}.";

                case AgentTools.MoveFile:
                {
                    var destination = workspace.Normalize(arguments.Required("destination"));
                    var text = fork.Read(path) ?? throw new ToolError(ActionErrorCodes.EditFileState, $"There is no file '{path}' to move.");
                    if (fork.Exists(destination))
                    {
                        throw new ToolError(ActionErrorCodes.EditFileState, $"'{destination}' already exists; delete it first or choose another name.");
                    }

                    fork.Delete(path);
                    fork.Write(destination, text);
                    return $"Moved {path} to {destination}.";
                }

                default:
                    throw new ToolError("unknown_tool", $"'{tool}' is not a file tool.");
            }
        }
    }
}
