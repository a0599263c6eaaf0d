namespace Wright.Core.Actions.EditFormats;

/// <summary>The text formats a model can answer with to change files (the names Aider gives them).</summary>
public enum EditFormat
{
    /// <summary>SEARCH/REPLACE blocks after a file name line (Aider's <c>diff</c>).</summary>
    SearchReplace,

    /// <summary>A whole file in a fence after a line naming it (Aider's <c>whole</c>).</summary>
    Whole,

    /// <summary>Unified diffs in <c>```diff</c> fences, line numbers ignored (Aider's <c>udiff</c>).</summary>
    UnifiedDiff,

    /// <summary>The V4A patch format (<c>*** Begin Patch</c> … <c>*** End Patch</c>, Aider's <c>patch</c>).</summary>
    Patch,
}

/// <summary>One change a model's answer asks for, before it is matched against the files.</summary>
public abstract record ParsedEdit(string Path);

/// <summary>Replace the first match of <see cref="Search"/> in the file by <see cref="Replace"/>; an empty search creates the file or appends to it.</summary>
public sealed record SearchReplaceEdit(string Path, string Search, string Replace) : ParsedEdit(Path);

/// <summary>The complete new content of a file.</summary>
public sealed record WholeFileEdit(string Path, string Content) : ParsedEdit(Path);

/// <summary>One hunk of a unified diff: lines starting with ' ', '-' or '+' (headers and <c>@@</c> lines removed).</summary>
public sealed record UnifiedDiffHunk(string Path, IReadOnlyList<string> Lines) : ParsedEdit(Path);

/// <summary>What a V4A patch does to one file.</summary>
public enum PatchOperation
{
    Add,
    Update,
    Delete,
}

/// <summary>One section of a V4A patch: the lines after an <c>@@</c> marker with the optional scope line it names.</summary>
public sealed record PatchChunk(string? Scope, IReadOnlyList<string> Lines, bool AtEndOfFile);

/// <summary>One file section of a V4A patch.</summary>
public sealed record PatchFileEdit(string Path, PatchOperation Operation, string? MoveTo, string? NewContent, IReadOnlyList<PatchChunk> Chunks) : ParsedEdit(Path);

/// <summary>What parsing an answer found: edits in answer order, shell commands it suggested, and format warnings.</summary>
public sealed record ParsedResponse(IReadOnlyList<ParsedEdit> Edits, IReadOnlyList<string> ShellCommands, IReadOnlyList<string> Warnings);

/// <summary>How an answer is read and applied.</summary>
public sealed record EditOptions
{
    /// <summary>Files the model was shown (project-relative); file names in the answer are matched against them.</summary>
    public IReadOnlyList<string> InChatFiles { get; init; } = [];

    /// <summary>The fence the prompt asked for; answers with triple backticks are accepted as well.</summary>
    public (string Open, string Close) Fence { get; init; } = ("```", "```");

    /// <summary>
    /// Asked before a file outside <see cref="InChatFiles"/> is created or changed; answering false
    /// skips that edit (it is reported, not an error). Null allows every such edit.
    /// </summary>
    public Func<string, bool>? ConfirmOutsideChat { get; init; }
}
