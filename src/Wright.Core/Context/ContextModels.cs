using Wright.Core.Git;

namespace Wright.Core.Context;

/// <summary>What to build a prompt's context for.</summary>
/// <param name="BudgetTokens">The most tokens the context may take (the model's window minus the reserve for the answer, instructions and the prompt itself).</param>
public sealed record ContextRequest(string ProjectRoot, string Prompt, int BudgetTokens)
{
    /// <summary>Files the user named in the prompt (project-relative); sent whole when they fit.</summary>
    public IReadOnlyList<string> MentionedFiles { get; init; } = [];

    /// <summary>Files open in the user's editor; sent after the mentioned ones.</summary>
    public IReadOnlyList<string> OpenFiles { get; init; } = [];

    /// <summary>The model, for its token calibration.</summary>
    public string? Model { get; init; }

    /// <summary>The context of the session's previous prompt; null for a session's first prompt.</summary>
    public ContextRecord? Previous { get; init; }

    /// <summary>The commit the previous turn ended at (its AI commit), to diff the user's changes against; defaults to the previous context's HEAD.</summary>
    public string? BaselineCommit { get; init; }

    /// <summary>Earlier turns of the conversation, oldest first, as text; the newest that fit are kept.</summary>
    public IReadOnlyList<string> History { get; init; } = [];

    /// <summary>The workspace's git status when the caller has just read it (the answer's branch check); the scan reads it otherwise.</summary>
    public GitStatus? Status { get; init; }
}

/// <summary>The kinds of material a context is made of, in the order they are given room.</summary>
public enum ContextSourceKind
{
    MentionedFile,
    OpenFile,
    UserChanges,
    GitStatus,
    ProjectOverview,
    RepoMap,
    Docs,
    PreviouslySent,
    History,

    /// <summary>A file the first prompt's ranking put near the top, sent whole.</summary>
    RelevantFile,
}

/// <summary>One part of a context as sent: its text (with its heading) and what it costs.</summary>
public sealed record ContextSection(ContextSourceKind Kind, string Title, string Text, int Tokens, IReadOnlyList<string> Files, bool Truncated);

/// <summary>A file whose content was sent, with the hash of the content it had.</summary>
public sealed record ContextFileRecord(string Path, string Hash, bool Whole);

/// <summary>A source as stored: kind, title, cost and the files it drew on.</summary>
public sealed record ContextSourceRecord(ContextSourceKind Kind, string Title, int Tokens, IReadOnlyList<string> Files, bool Truncated);

/// <summary>A file kept out of the context, and why.</summary>
public sealed record ContextExcludedFile(string Path, ContextExclusion Reason);

/// <summary>
/// The stored record of one prompt's context: what was sent (sources, files with content hashes,
/// token count) and the workspace it was built from (every admitted file's hash), which is all
/// the next prompt needs to send only what changed.
/// </summary>
public sealed record ContextRecord(
    Guid Id,
    DateTimeOffset CreatedAt,
    int Turn,
    string? Head,
    int BudgetTokens,
    int TokenCount,
    IReadOnlyList<ContextSourceRecord> Sources,
    IReadOnlyList<ContextFileRecord> FilesSent,
    IReadOnlyDictionary<string, string> Workspace,
    IReadOnlyList<ContextExcludedFile> Excluded)
{
    /// <summary>Set when earlier turns did not fit and were sent as a stored summary.</summary>
    public ContextHistoryRecord? History { get; init; }

    /// <summary>Set on the prompt of a merge: the branch merged and the summary of it that later prompts see.</summary>
    public ContextMergeRecord? Merge { get; init; }
}

/// <summary>What a merge brought into the conversation: the merged branch (a leaf of this or another session), its commit, the merge commit, the files it changed, the conflicts a strategy settled, and the summary of the merged branch.</summary>
public sealed record ContextMergeRecord(Guid FromSessionId, Guid FromMessageId, string MergedCommit, string Commit, string? Strategy, IReadOnlyList<string> Files, IReadOnlyList<string> SettledConflicts, string Summary);

/// <summary>What a request's history was made of when older turns were summarized.</summary>
/// <param name="SummaryId">The stored summary sent in place of the older turns.</param>
/// <param name="ThroughMessageId">The last message the summary covers.</param>
/// <param name="SummarizedTurns">Turns (a prompt and its answer) the summary replaces.</param>
/// <param name="KeptTurns">The newest turns, sent as they were.</param>
/// <param name="HistoryTokens">Estimated tokens of the history as sent (summary and kept turns).</param>
/// <param name="HistoryBudgetTokens">What the history was allowed to take.</param>
public sealed record ContextHistoryRecord(Guid SummaryId, Guid ThroughMessageId, int SummarizedTurns, int KeptTurns, int SummaryTokens, int HistoryTokens, int HistoryBudgetTokens, string Summary);

/// <summary>A context ready to send, and its record.</summary>
public sealed record BuiltContext(ContextRecord Record, IReadOnlyList<ContextSection> Sections)
{
    public string Text => string.Concat(Sections.Select(s => s.Text));

    /// <summary>The filter the workspace was scanned with, for tools of the same answer to reuse (one git listing, not two).</summary>
    public ContextFileFilter? Filter { get; init; }
}

/// <summary>
/// The workspace as the context sees it at one moment: admitted files with their text and hash,
/// their symbols, the (filtered) git status and the user's changes as a diff. Gathered by
/// <see cref="WorkspaceScanner"/>; everything after it is a pure function of this and the previous record.
/// </summary>
public sealed record WorkspaceSnapshot(
    string? Head,
    IReadOnlyDictionary<string, AdmittedFile> Files,
    IReadOnlyList<FileSymbols> Symbols,
    IReadOnlyList<GitStatusEntry> Status,
    string ChangesDiff,
    bool ChangesDiffTruncated,
    IReadOnlyList<ContextExcludedFile> Excluded)
{
    /// <summary>The filter this snapshot was taken with.</summary>
    public ContextFileFilter? Filter { get; init; }

    /// <summary>The commits before HEAD (read for a session's first prompt only).</summary>
    public CommitHistory History { get; init; } = CommitHistory.Empty;

    /// <summary>Files the last commits changed, each weighted in (0, 1] by how recently and how often.</summary>
    public IReadOnlyDictionary<string, double> RecentChanges => History.RecentChanges;
}
