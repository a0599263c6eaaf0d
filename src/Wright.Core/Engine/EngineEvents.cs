using Wright.Core.Actions;
using Wright.Core.Context;

namespace Wright.Core.Engine;

/// <summary>The SSE event types the answer pipeline adds to an answer's stream; never rename one.</summary>
public static class EngineEventTypes
{
    /// <summary>The Context assembled for the prompt (what was sent, its token count and budget).</summary>
    public const string Context = "context";

    /// <summary>The answer runs on a new git branch (a sibling of an earlier message).</summary>
    public const string GitBranch = "git.branch";

    /// <summary>The result of a tool call, as sent back to the model.</summary>
    public const string ToolResult = "toolResult";

    /// <summary>Output of a running command, as it is printed.</summary>
    public const string CommandOutput = "command.output";

    /// <summary>A command waits for the user's approval (<c>POST /api/sessions/{id}/approvals/{approvalId}</c>).</summary>
    public const string ApprovalRequired = "approval.required";

    public const string ApprovalResolved = "approval.resolved";

    /// <summary>The answer's changes were committed (one ActionRun, one commit).</summary>
    public const string ActionCommitted = "action.committed";

    /// <summary>The answer's changes could not be applied; the workspace is back at the safety point.</summary>
    public const string ActionFailed = "action.failed";

    /// <summary>Why the answer stopped (always sent before the message ends).</summary>
    public const string AnswerStopped = "answer.stopped";
}

public sealed record ContextEventData(Guid MessageId, Guid PromptMessageId, int Turn, int TokenCount, int BudgetTokens, IReadOnlyList<string> Files, IReadOnlyList<ContextSourceRecord> Sources);

public sealed record GitBranchEventData(Guid MessageId, string Branch, string Commit);

public sealed record ToolResultEventData(Guid MessageId, string CallId, string Name, bool Ok, string? Code, string Output);

public sealed record CommandOutputEventData(Guid MessageId, string CallId, string Text);

public sealed record ApprovalRequiredEventData(Guid MessageId, Guid ApprovalId, string CallId, string Command);

public sealed record ApprovalResolvedEventData(Guid MessageId, Guid ApprovalId, bool Approved);

public sealed record ActionCommittedEventData(Guid MessageId, string ActionId, string Commit, string Subject, IReadOnlyList<ActionFileChange> Files, string? UserCommit);

public sealed record ActionFailedEventData(Guid MessageId, string ActionId, ActionFailure Failure);

/// <summary>Payload of <c>answer.stopped</c>; the cost is null and <see cref="Unpriced"/> true when a provider call had no known price.</summary>
public sealed record AnswerStoppedEventData(Guid MessageId, string Reason, string? Detail, int Steps, decimal? Cost, IReadOnlyList<string> Commits)
{
    public bool Unpriced { get; init; }
}
