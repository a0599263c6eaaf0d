using Wright.Core.Answers;
using Wright.Core.Conversations;

namespace Wright.Server.Conversations;

/// <summary>A session as the API shows it.</summary>
public sealed record SessionDto(Guid Id, Guid ProjectId, string Title, string TitleSource, Guid? CurrentLeafId, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, bool Archived, DateTimeOffset? ArchivedAt)
{
    public static SessionDto From(Session s) => new(s.Id, s.ProjectId, s.Title, s.TitleSource, s.CurrentLeafId, s.CreatedAt, s.UpdatedAt, s.IsArchived, s.ArchivedAt);
}

/// <summary>A tool call of a message; <c>arguments</c> is the JSON text the model sent.</summary>
public sealed record ToolCallDto(string Id, string Name, string Arguments);

/// <summary>A message as the API shows it.</summary>
public sealed record MessageDto(
    Guid Id,
    Guid? ParentId,
    MessageRole Role,
    string Content,
    MessageStatus Status,
    string? Model,
    IReadOnlyList<ToolCallDto> ToolCalls,
    string? ErrorCode,
    string? ErrorDetail,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt)
{
    public static MessageDto From(Message m) => new(
        m.Id, m.ParentId, m.Role, m.Content, m.Status, m.Model, m.ToolCalls.Select(c => new ToolCallDto(c.Id, c.Name, c.Arguments)).ToList(), m.ErrorCode, m.ErrorDetail, m.CreatedAt, m.UpdatedAt);
}

/// <summary>A message in a tree: with the branch navigator's data (its siblings in order and its index among them) and its children.</summary>
public sealed record TreeMessageDto(
    Guid Id,
    Guid? ParentId,
    MessageRole Role,
    string Content,
    MessageStatus Status,
    string? Model,
    IReadOnlyList<ToolCallDto> ToolCalls,
    string? ErrorCode,
    string? ErrorDetail,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    IReadOnlyList<Guid> SiblingIds,
    int SiblingIndex,
    IReadOnlyList<Guid> ChildIds);

/// <summary><c>GET /api/sessions/{id}</c>: the session, its whole tree, the active path and its totals.</summary>
public sealed record SessionTreeDto(SessionDto Session, Guid? CurrentLeafId, IReadOnlyList<Guid> ActivePath, IReadOnlyList<TreeMessageDto> Messages, SessionTotals Totals)
{
    /// <summary>The flow the session ran last (the seed's <c>session.lastUsedFlow</c>); null before any run.</summary>
    public string? LastUsedFlow { get; init; }

    /// <summary>While a run of the session is paused: which, since when and at which node (the seed's <c>session.flowState</c>).</summary>
    public Wright.Server.Flows.SessionFlowStateDto? FlowState { get; init; }

    /// <summary>The merge messages of the tree and what each merged (a leaf of this session or of another), so a branch map can draw the merge edges.</summary>
    public IReadOnlyList<MergeEdgeDto> Merges { get; init; } = [];

    public static SessionTreeDto From(SessionTree tree)
    {
        var children = tree.Messages.ToLookup(m => m.ParentId);
        var items = tree.Messages.Select(m =>
        {
            var siblings = children[m.ParentId].Select(s => s.Id).ToList();
            var dto = MessageDto.From(m);
            return new TreeMessageDto(
                dto.Id, dto.ParentId, dto.Role, dto.Content, dto.Status, dto.Model, dto.ToolCalls, dto.ErrorCode, dto.ErrorDetail, dto.CreatedAt, dto.UpdatedAt,
                siblings, siblings.IndexOf(m.Id), children[m.Id].Select(c => c.Id).ToList());
        }).ToList();
        return new SessionTreeDto(SessionDto.From(tree.Session), tree.Session.CurrentLeafId, tree.ActivePath, items, tree.Totals)
        {
            Merges = tree.Merges.Select(l => new MergeEdgeDto(l.MessageId, l.FromSessionId, l.FromMessageId, l.MergedCommit, l.CommitSha, l.Strategy, l.CreatedAt)).ToList(),
        };
    }
}

/// <summary>A merge edge of a session's tree: merge message <c>messageId</c> merged leaf <c>fromMessageId</c> of session <c>fromSessionId</c> (this one for a branch of its own tree) at commit <c>mergedCommit</c>, making <c>commitSha</c>.</summary>
public sealed record MergeEdgeDto(Guid MessageId, Guid FromSessionId, Guid FromMessageId, string? MergedCommit, string? CommitSha, string? Strategy, DateTimeOffset CreatedAt);

/// <summary>A provider call as the API shows it.</summary>
public sealed record AiRequestDto(
    Guid Id,
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
    string? ErrorDetail)
{
    public static AiRequestDto From(AiRequest r) => new(
        r.Id, r.MessageId, r.Attempt, r.Provider, r.Model, r.Parameters, r.Status, r.StartedAt, r.TtftMs, r.DurationMs, r.InputTokens, r.OutputTokens, r.CacheReadTokens, r.CacheWriteTokens, r.Cost, r.Currency, r.ErrorCode, r.ErrorDetail);
}

/// <summary><c>GET /api/sessions/{id}/usage</c>: the totals and every provider call they sum.</summary>
public sealed record SessionUsageDto(SessionTotals Totals, IReadOnlyList<AiRequestDto> Requests);

/// <summary>Body of <c>POST /api/projects/{id}/sessions</c>.</summary>
public sealed record CreateSessionRequest(string? Title);

/// <summary>Body of <c>PATCH /api/sessions/{id}</c>: absent fields stay as they are.</summary>
public sealed record UpdateSessionRequest(string? Title, bool? Archived);

/// <summary>
/// Body of <c>POST /api/sessions/{id}/messages</c>: the prompt, its parent (default: the current
/// leaf) and the model (default: WRIGHT_DEFAULT_MODEL). <c>asRoot: true</c> makes it a new first
/// prompt (a new version of the session's first prompt), which a null or absent parent cannot say.
/// </summary>
public sealed record PostMessageRequest(string Content, Guid? ParentId, string? Model, bool? CommitFirst = null, bool? AsRoot = null);

/// <summary>Body of <c>POST /api/sessions/{id}/messages/{mid}/regenerate</c>.</summary>
public sealed record RegenerateRequest(string? Model);

/// <summary>Body of <c>PUT /api/sessions/{id}/current</c>.</summary>
public sealed record SwitchLeafRequest(Guid LeafId, bool? CommitFirst = null);

/// <summary>Body of <c>POST /api/sessions/{id}/fork</c>.</summary>
public sealed record ForkRequest(Guid MessageId);

/// <summary>The payloads of an answer's stream, with messages as DTOs.</summary>
internal static class RunEventDtos
{
    public static object From(object data) => data switch
    {
        MessageCreatedData created => new { created.SessionId, Message = MessageDto.From(created.Message), UserMessage = created.UserMessage is null ? null : MessageDto.From(created.UserMessage) },
        MessageEndedData ended => new { Message = MessageDto.From(ended.Message), ended.Code, ended.Detail },
        ToolCallData call => new { call.MessageId, call.ToolCall.Id, call.ToolCall.Name, call.ToolCall.Arguments },
        _ => data,
    };
}
