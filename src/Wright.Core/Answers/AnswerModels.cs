using Wright.Core.Actions;
using Wright.Core.Llm;

namespace Wright.Core.Answers;

/// <summary>
/// What an assistant message did to the project: the commit it started from (what its prompt's
/// parent saw), the commits it made (the last is <see cref="CommitSha"/>), the git branch it ran
/// on, why it stopped, its steps and cost (<see cref="Unpriced"/> when a call had no known price,
/// so the cost is incomplete rather than zero), the failed action when its changes were rolled
/// back, and its <see cref="State"/> between steps.
/// </summary>
public sealed record AnswerRecord(
    Guid MessageId,
    Guid SessionId,
    string? BaseCommit,
    string? CommitSha,
    IReadOnlyList<string> Commits,
    string? GitBranch,
    string? StopReason,
    string? StopDetail,
    int Steps,
    decimal Cost,
    ActionFailure? Failure,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    AnswerState? State = null,
    bool Unpriced = false)
{
    /// <summary>The commit the workspace was at when the answer ended.</summary>
    public string? HeadAfter => CommitSha ?? BaseCommit;
}

/// <summary>A file change a tool call staged and no ActionRun has applied yet.</summary>
public sealed record StagedChangeRecord(string Kind, string Path);

/// <summary>A command waiting for the user's decision.</summary>
public sealed record PendingApprovalRecord(Guid ApprovalId, string CallId, string Command);

/// <summary>
/// An answer between two steps, persisted after each: the step reached, the messages of this
/// turn so far (the prompt with its Context, then each tool round) exactly as sent, what is staged,
/// a pending approval, the commits made, and — once it ends with commits — the workspace it left
/// (file hashes), which the next prompt's "changed since the last prompt" is measured against.
/// </summary>
public sealed record AnswerState(
    int Step,
    IReadOnlyList<TurnMessage> Messages,
    IReadOnlyList<StagedChangeRecord> Staged,
    PendingApprovalRecord? PendingApproval,
    IReadOnlyList<string> Commits)
{
    public IReadOnlyDictionary<string, string>? WorkspaceAfter { get; init; }
}

/// <summary>One provider call of an answer: its retried attempts, usage, cost, timings and how it ended.</summary>
public sealed record StepAccount(int Step, DateTimeOffset StartedAt, LlmUsage? Usage, decimal Cost, bool Unpriced, long? TtftMs, long DurationMs, string Status, string? Code, string? Detail);
