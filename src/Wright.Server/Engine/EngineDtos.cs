using Wright.Core.Answers;
using Wright.Core.Actions;
using Wright.Core.Context;
using Wright.Core.Engine;

namespace Wright.Server.Engine;

/// <summary><c>POST /api/sessions/{id}/approvals/{approvalId}</c>: run the waiting command or not.</summary>
public sealed record ApprovalDecisionRequest(bool Approve);

/// <summary>A command waiting for approval.</summary>
public sealed record PendingApprovalDto(Guid Id, Guid MessageId, string CallId, string Command)
{
    public static PendingApprovalDto From(PendingApproval a) => new(a.Id, a.MessageId, a.CallId, a.Command);
}

/// <summary>One message of a previewed request.</summary>
public sealed record PreviewMessageDto(string Role, string Content)
{
    public static PreviewMessageDto From(TurnMessage message) => new(
        message.Role,
        message.ToolResults.Count > 0 ? string.Join("\n", message.ToolResults.Select(r => r.Output)) : message.Text);
}

/// <summary>The provider request body as it goes on the wire (rendered by the provider's own client).</summary>
public sealed record PreviewWireDto(string Method, string Path, System.Text.Json.JsonElement Body);

/// <summary>One tool of a previewed request: its name, description and argument schema.</summary>
public sealed record PreviewToolDto(string Name, string Description, System.Text.Json.JsonElement Parameters);

/// <summary>The Context a prompt was (or would be) sent with.</summary>
public sealed record ContextDto(int Turn, string? Head, int BudgetTokens, int TokenCount, IReadOnlyList<ContextSourceRecord> Sources, IReadOnlyList<ContextFileRecord> FilesSent, IReadOnlyList<ContextExcludedFile> Excluded)
{
    public static ContextDto From(ContextRecord r) => new(r.Turn, r.Head, r.BudgetTokens, r.TokenCount, r.Sources, r.FilesSent, r.Excluded) { History = r.History, Merge = r.Merge };

    /// <summary>When earlier turns did not fit: the stored summary sent in their place, and how many turns it replaced.</summary>
    public ContextHistoryRecord? History { get; init; }

    /// <summary>On the prompt of a merge: the branch merged, the merge commit and the summary of the merged branch.</summary>
    public ContextMergeRecord? Merge { get; init; }
}

/// <summary><c>GET /api/sessions/{id}/prompt-preview</c>: exactly what would be sent, without calling the model.</summary>
public sealed record PromptPreviewDto(string Model, string System, IReadOnlyList<PreviewMessageDto> Messages, IReadOnlyList<PreviewToolDto> Tools, int EstimatedTokens, ContextDto Context)
{
    /// <summary>The prepared request: messages with their tool calls and results, max tokens, cache breakpoints.</summary>
    public PreparedRequest? Request { get; init; }

    /// <summary>What the provider would receive, byte for byte.</summary>
    public PreviewWireDto? Wire { get; init; }
}

/// <summary>What an answer did to the project.</summary>
public sealed record AnswerDto(
    Guid MessageId,
    string? BaseCommit,
    string? Commit,
    IReadOnlyList<string> Commits,
    string? GitBranch,
    string? StopReason,
    string? StopDetail,
    int Steps,
    decimal? Cost,
    ActionFailure? Failure,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    bool Unpriced)
{
    /// <summary>The model steps made so far.</summary>
    public int? Step { get; init; }

    /// <summary>File changes staged and not yet applied.</summary>
    public IReadOnlyList<StagedChangeRecord> Staged { get; init; } = [];

    /// <summary>The command waiting for approval, while one does.</summary>
    public PendingApprovalRecord? PendingApproval { get; init; }

    /// <summary>The answer's record; its cost is null (and <c>unpriced</c> true) when a provider call had no known price.</summary>
    public static AnswerDto From(AnswerRecord r) => new(r.MessageId, r.BaseCommit, r.CommitSha, r.Commits, r.GitBranch, r.StopReason, r.StopDetail, r.Steps, r.Unpriced ? null : r.Cost, r.Failure, r.CreatedAt, r.UpdatedAt, r.Unpriced)
    {
        Step = r.State?.Step,
        Staged = r.State?.Staged ?? [],
        PendingApproval = r.State?.PendingApproval,
    };
}

/// <summary><c>POST /api/projects/{id}/git/undo</c>: optionally the commit the client means to undo (as it last saw HEAD).</summary>
public sealed record UndoRequest(string? Commit);

public sealed record UndoResultDto(string Undone, string Head, IReadOnlyList<string> Files)
{
    public static UndoResultDto From(UndoResult r) => new(r.UndoneSha, r.Head, r.Files);
}

/// <summary>A new version of a prompt template.</summary>
public sealed record SavePromptRequest(string Content);

public sealed record PromptVersionDto(int Version, string Content, Guid? AuthorId, DateTimeOffset CreatedAt)
{
    public static PromptVersionDto From(PromptVersion v) => new(v.Version, v.Content, v.AuthorId, v.CreatedAt);
}

/// <summary>Every version of a prompt, oldest first (the last is in use).</summary>
public sealed record PromptVersionsDto(string Scope, IReadOnlyList<PromptVersionDto> Versions);

public sealed record PromptDiffDto(int From, int To, string Diff);
