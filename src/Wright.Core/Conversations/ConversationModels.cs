namespace Wright.Core.Conversations;

/// <summary>Who wrote a message.</summary>
public enum MessageRole
{
    User,
    Assistant,
}

/// <summary>Where a message is in its life; only assistant messages are ever anything but <see cref="Complete"/>.</summary>
public enum MessageStatus
{
    Complete,

    /// <summary>The answer is being streamed; its content so far is saved in batches.</summary>
    Streaming,

    /// <summary>Stopped by the user (stop, or the client went away); the partial text is kept.</summary>
    Cancelled,

    /// <summary>The provider failed; the partial text is kept with the error.</summary>
    Error,

    /// <summary>The server stopped or crashed while it streamed; the text saved until then is kept.</summary>
    Interrupted,
}

/// <summary>How a session got its title.</summary>
public static class TitleSources
{
    /// <summary>Not titled yet: the first exchange will title it.</summary>
    public const string None = "none";

    public const string Auto = "auto";

    public const string User = "user";
}

/// <summary>A tool call the model made: its id, tool name and arguments as JSON text.</summary>
public sealed record ToolCall(string Id, string Name, string Arguments);

/// <summary>What a streaming answer has said so far, as of <paramref name="At"/>.</summary>
public sealed record StreamingContent(Guid MessageId, string Content, IReadOnlyList<ToolCall> ToolCalls, DateTimeOffset At);

/// <summary>One conversation in a project: a tree of messages and the leaf the user is on.</summary>
public sealed record Session(
    Guid Id,
    Guid ProjectId,
    string Title,
    string TitleSource,
    Guid? CurrentLeafId,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? ArchivedAt)
{
    public const string DefaultTitle = "New session";

    public bool IsArchived => ArchivedAt is not null;
}

/// <summary>A node of a session's tree. <see cref="Seq"/> orders messages (and siblings) by creation within the session.</summary>
public sealed record Message(
    Guid Id,
    Guid SessionId,
    Guid? ParentId,
    long Seq,
    MessageRole Role,
    string Content,
    MessageStatus Status,
    string? Model,
    IReadOnlyList<ToolCall> ToolCalls,
    string? ErrorCode,
    string? ErrorDetail,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

/// <summary>Status of one provider call.</summary>
public static class AiRequestStatuses
{
    public const string Streaming = "streaming";
    public const string Complete = "complete";
    public const string Cancelled = "cancelled";
    public const string Error = "error";
    public const string Interrupted = "interrupted";
}

/// <summary>One provider call: what was asked, how long it took, what it used and cost, how it ended.</summary>
public sealed record AiRequest(
    Guid Id,
    Guid SessionId,
    Guid? MessageId,
    int Attempt,
    string Provider,
    string Model,
    string Parameters,
    string Status,
    DateTimeOffset StartedAt,
    long? TtftMs,
    long? DurationMs,
    long InputTokens,
    long OutputTokens,
    long CacheReadTokens,
    long CacheWriteTokens,
    decimal Cost,
    string Currency,
    string? ErrorCode,
    string? ErrorDetail);

/// <summary>The sums of a session's provider calls for one provider and model.</summary>
public sealed record UsageSum(string Provider, string Model, long Requests, long InputTokens, long OutputTokens, long CacheReadTokens, long CacheWriteTokens, decimal Cost);
