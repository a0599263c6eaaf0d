using System.Globalization;
using System.Text;
using Wright.Core.Errors;

namespace Wright.Core.Actions.EditFormats;

/// <summary>The outcome of applying an answer's edits to staged files.</summary>
/// <param name="ChangedPaths">Files the edits changed, created or deleted, in order.</param>
/// <param name="SkippedPaths">Files outside the chat whose edits the user declined.</param>
public sealed record TextEditReport(IReadOnlyList<string> ChangedPaths, IReadOnlyList<string> SkippedPaths, IReadOnlyList<string> Warnings, IReadOnlyList<string> ShellCommands);

/// <summary>One edit of an answer that could not be applied, and why.</summary>
/// <param name="Index">1-based position of the edit (block, hunk or patch section) in the answer.</param>
/// <param name="Reason">A stable reason: <c>SearchReplaceNoExactMatch</c>, <c>UnifiedDiffNoMatch</c>, <c>PatchContextNotFound</c>, <c>FileMissing</c>, <c>FileExists</c>.</param>
public sealed record EditFailure(int Index, string Path, string Reason, string Detail);

/// <summary>
/// Parses the edits in a model's text answer and applies them to <see cref="StagedFiles"/>,
/// all or nothing: when any edit fails, no staged file changes and the error lists every edit
/// that failed, why, and the closest lines the file does have.
/// </summary>
public static class TextEdits
{
    public static ParsedResponse Parse(EditFormat format, string response, EditOptions options) => format switch
    {
        EditFormat.SearchReplace => SearchReplaceParser.Parse(response, options),
        EditFormat.Whole => WholeFileParser.Parse(response, options),
        EditFormat.UnifiedDiff => UnifiedDiffParser.Parse(response),
        EditFormat.Patch => PatchParser.Parse(response),
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, "Unknown edit format."),
    };

    /// <summary>Parses and applies; throws a <see cref="WrightException"/> (<c>edit_malformed</c>, <c>edit_no_match</c>, <c>edit_file_state</c>) leaving <paramref name="files"/> untouched.</summary>
    public static TextEditReport Apply(EditFormat format, string response, StagedFiles files, EditOptions options) =>
        Apply(format, Parse(format, response, options), files, options);

    public static TextEditReport Apply(EditFormat format, ParsedResponse parsed, StagedFiles files, EditOptions options)
    {
        var scratch = files.Fork();
        var failures = new List<EditFailure>();
        var skipped = new List<string>();
        var edits = format == EditFormat.UnifiedDiff ? UniqueNormalizedHunks(parsed.Edits) : parsed.Edits;
        for (var i = 0; i < edits.Count; i++)
        {
            var edit = edits[i];
            if (!Allowed(edit.Path, scratch, options))
            {
                skipped.Add(edit.Path);
                continue;
            }

            var failure = edit switch
            {
                SearchReplaceEdit block => ApplyBlock(i + 1, block, scratch, options),
                WholeFileEdit whole => ApplyWhole(whole, scratch),
                UnifiedDiffHunk hunk => ApplyHunk(i + 1, hunk, scratch),
                PatchFileEdit patch => PatchApplier.Apply(i + 1, patch, scratch),
                _ => throw new InvalidOperationException($"No way to apply {edit.GetType().Name}."),
            };
            if (failure is not null)
            {
                failures.Add(failure);
            }
        }

        if (failures.Count > 0)
        {
            throw Failed(format, edits.Count, failures);
        }

        files.Adopt(scratch);
        return new TextEditReport(scratch.ChangedPaths, skipped, parsed.Warnings, parsed.ShellCommands);
    }

    private static bool Allowed(string path, StagedFiles files, EditOptions options) =>
        options.ConfirmOutsideChat is null
        || options.InChatFiles.Contains(path, StringComparer.Ordinal)
        || options.ConfirmOutsideChat(path);

    private static EditFailure? ApplyBlock(int index, SearchReplaceEdit block, StagedFiles files, EditOptions options)
    {
        var search = SearchReplaceMatcher.StripQuotedWrapping(block.Search, block.Path, options.Fence);
        var replace = SearchReplaceMatcher.StripQuotedWrapping(block.Replace, block.Path, options.Fence);
        var path = block.Path;
        var content = files.Read(path);
        string? updated = null;
        if (search.Trim().Length == 0)
        {
            // An empty SEARCH creates the file, or appends to it when it exists.
            updated = (content ?? "") + replace;
        }
        else if (content is not null)
        {
            updated = SearchReplaceMatcher.Replace(content, search, replace);
        }

        if (updated is null)
        {
            // Models often name the wrong file: try the other files of the chat before giving up.
            foreach (var other in options.InChatFiles)
            {
                if (files.Read(other) is { } otherContent && SearchReplaceMatcher.Replace(otherContent, search, replace) is { } result)
                {
                    path = other;
                    updated = result;
                    break;
                }
            }
        }

        if (updated is null)
        {
            var detail = new StringBuilder();
            detail.Append(CultureInfo.InvariantCulture, $"SearchReplaceNoExactMatch: the SEARCH section does not exactly match lines in {block.Path}");
            detail.Append(content is null ? " (the file does not exist)\n" : "\n");
            detail.Append("<<<<<<< SEARCH\n").Append(TextLines.EnsureFinalNewline(block.Search)).Append("=======\n")
                .Append(TextLines.EnsureFinalNewline(block.Replace)).Append(">>>>>>> REPLACE\n");
            if (content is not null)
            {
                AppendClosest(detail, block.Path, content, search);
                if (replace.Trim().Length > 0 && content.Contains(replace, StringComparison.Ordinal))
                {
                    detail.Append(CultureInfo.InvariantCulture, $"Are you sure you need this SEARCH/REPLACE block? The REPLACE lines are already in {block.Path}.\n");
                }
            }

            detail.Append("The SEARCH section must exactly match existing lines, including whitespace, comments, indentation and docstrings.");
            return new EditFailure(index, block.Path, "SearchReplaceNoExactMatch", detail.ToString());
        }

        files.Write(path, updated);
        return null;
    }

    private static EditFailure? ApplyWhole(WholeFileEdit whole, StagedFiles files)
    {
        files.Write(whole.Path, whole.Content);
        return null;
    }

    private static EditFailure? ApplyHunk(int index, UnifiedDiffHunk hunk, StagedFiles files)
    {
        var content = files.Read(hunk.Path);
        var (before, _) = UnifiedDiffApplier.BeforeAfter(hunk.Lines);
        if (content is null)
        {
            if (before.Trim().Length > 0)
            {
                return new EditFailure(index, hunk.Path, "FileMissing", $"FileMissing: the hunk changes {hunk.Path}, which does not exist. To create a file, diff it from /dev/null with only '+' lines.");
            }

            content = "";
        }

        var updated = UnifiedDiffApplier.Apply(content, hunk.Lines);
        if (updated is null)
        {
            var detail = new StringBuilder();
            var beforeLines = TextLines.Split(before);
            detail.Append(CultureInfo.InvariantCulture, $"UnifiedDiffNoMatch: hunk failed to apply! {hunk.Path} does not contain these {beforeLines.Count} lines in a row (or they occur more than once and are too short to tell apart):\n```\n");
            detail.Append(TextLines.EnsureFinalNewline(before)).Append("```\n");
            AppendClosest(detail, hunk.Path, content, before);
            detail.Append("Do not skip blank lines, comments or docstrings: the diff must apply cleanly to the lines in the file.");
            return new EditFailure(index, hunk.Path, "UnifiedDiffNoMatch", detail.ToString());
        }

        files.Write(hunk.Path, updated);
        return null;
    }

    /// <summary>Normalized hunks, each distinct (path, hunk) once, dropping hunks that change nothing.</summary>
    private static List<ParsedEdit> UniqueNormalizedHunks(IReadOnlyList<ParsedEdit> edits)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var unique = new List<ParsedEdit>();
        foreach (var edit in edits)
        {
            if (edit is not UnifiedDiffHunk hunk)
            {
                unique.Add(edit);
                continue;
            }

            var normalized = UnifiedDiffApplier.Normalize(hunk.Lines);
            if (normalized.Count > 0 && seen.Add(hunk.Path + "\n" + string.Concat(normalized)))
            {
                unique.Add(new UnifiedDiffHunk(hunk.Path, normalized));
            }
        }

        return unique;
    }

    /// <summary>Appends the block of the file most like <paramref name="search"/>, so the model (or user) sees what is really there.</summary>
    internal static void AppendClosest(StringBuilder detail, string path, string content, string search)
    {
        var fileLines = TextLines.Split(content);
        var searchLines = TextLines.Split(search);
        if (Similarity.ClosestBlock(fileLines, searchLines) is not { } closest)
        {
            return;
        }

        var count = Math.Min(searchLines.Count, fileLines.Count);
        detail.Append(CultureInfo.InvariantCulture, $"Did you mean these lines of {path} (lines {closest.Start + 1}-{closest.Start + count}, {closest.Score:P0} alike)?\n```\n");
        foreach (var line in fileLines.Skip(closest.Start).Take(count))
        {
            detail.Append(line).Append('\n');
        }

        detail.Append("```\n");
    }

    private static WrightException Failed(EditFormat format, int total, List<EditFailure> failures)
    {
        var noun = format switch
        {
            EditFormat.SearchReplace => "SEARCH/REPLACE block",
            EditFormat.UnifiedDiff => "diff hunk",
            EditFormat.Patch => "patch section",
            _ => "edit",
        };
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"{failures.Count} of {total} {noun}s failed to apply, so no file was changed.\n");
        foreach (var failure in failures)
        {
            text.Append(CultureInfo.InvariantCulture, $"\n## {noun} {failure.Index} ({failure.Path}): ").Append(failure.Detail).Append('\n');
        }

        var code = failures.All(f => f.Reason is "FileMissing" or "FileExists") ? ActionErrorCodes.EditFileState : ActionErrorCodes.EditNoMatch;
        return new WrightException(ErrorKind.Conflict, code, text.ToString(), new Dictionary<string, object?> { ["failures"] = failures });
    }
}
