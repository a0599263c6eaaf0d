using System.Text.Json.Nodes;

namespace Wright.Core.Flows;

/// <summary>The states of a FlowRun; never rename one.</summary>
public static class FlowRunStates
{
    public const string Running = "running";
    public const string Paused = "paused";
    public const string Completed = "completed";
    public const string Failed = "failed";
    public const string Cancelled = "cancelled";

    public static bool IsActive(string state) => state is Running or Paused;
}

/// <summary>The events of a FlowRun (its SSE stream); never rename one.</summary>
public static class FlowEventTypes
{
    public const string NodeStart = "nodeStart";
    public const string Chunk = "chunk";
    public const string ToolCall = "toolCall";
    public const string ToolResult = "toolResult";
    public const string NodeEnd = "nodeEnd";
    public const string WaitingForInput = "waitingForInput";
    public const string Done = "done";
    public const string Error = "error";
    public const string Cancelled = "cancelled";

    /// <summary>On the project's event bus whenever a run's state changes.</summary>
    public const string BusFlowRun = "flow.run";

    public static bool IsFinal(string type) => type is Done or Error or Cancelled;
}

/// <summary>
/// Where a run is inside its graph: the node, whether it has <see cref="Entered"/> it (its start
/// checkpoint is saved), the how-manieth visit of that node this is, and the effect the node
/// recorded before doing it (the prompt message of an <c>llm</c> node, the tag of an ActionRun)
/// so a resumed node finds its finished work instead of repeating it.
/// </summary>
public sealed record FlowPosition(string NodeId, bool Entered, int Visit, long EnteredAtMs = 0, JsonObject? Effect = null);

/// <summary>A FlowRun: one execution of a template inside a session, with its state, variables and position.</summary>
public sealed record FlowRun(
    Guid Id,
    Guid SessionId,
    Guid ProjectId,
    Guid? UserId,
    string Flow,
    FlowGraph Graph,
    string State,
    FlowPosition? Position,
    string? PausedPrompt,
    DateTimeOffset? PausedAt,
    JsonObject Variables,
    string? ErrorCode,
    string? ErrorDetail,
    decimal Cost,
    bool Unpriced,
    DateTimeOffset StartedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? EndedAt)
{
    public string? CurrentNodeId => Position?.NodeId;

    public string? PausedNodeId => State == FlowRunStates.Paused ? Position?.NodeId : null;
}

/// <summary>A node boundary of a run: the node's start (its inputs) or end (its outputs, duration, cost), with the commit the workspace was at.</summary>
public sealed record FlowCheckpoint(long Seq, string NodeId, string Phase, DateTimeOffset At, string? Commit, long? DurationMs, decimal Cost, JsonNode? Inputs, JsonNode? Outputs);

/// <summary>A stored event of a run: its number in the run (the SSE id), type, payload and time.</summary>
public sealed record FlowRunEvent(long Seq, string Type, JsonObject Data, DateTimeOffset At);

/// <summary>A user's own template, kept in the database.</summary>
public sealed record StoredFlowTemplate(Guid UserId, string Name, string Format, string Text, DateTimeOffset UpdatedAt);

/// <summary>
/// One durable step of a run, saved in one transaction: the run's new row, at most one checkpoint
/// and the events it produced. It only applies while the run is in one of <see cref="FromStates"/>
/// (a cancelled run is not brought back by a late step).
/// </summary>
public sealed record FlowStep(FlowRun Run, IReadOnlyList<string> FromStates, FlowCheckpoint? Checkpoint, IReadOnlyList<(string Type, JsonObject Data)> Events)
{
    /// <summary>Checkpoints saved before <see cref="Checkpoint"/> in the same transaction (a chat turn crosses two node boundaries at once).</summary>
    public IReadOnlyList<FlowCheckpoint> Before { get; init; } = [];

    public IReadOnlyList<FlowCheckpoint> Checkpoints => Checkpoint is null ? Before : [.. Before, Checkpoint];
}

/// <summary>Storage of templates kept with users, runs, their checkpoints and events.</summary>
public interface IFlowRepository
{
    Task<IReadOnlyList<StoredFlowTemplate>> ListTemplatesAsync(Guid userId, CancellationToken cancellationToken);

    Task<StoredFlowTemplate?> GetTemplateAsync(Guid userId, string name, CancellationToken cancellationToken);

    Task SaveTemplateAsync(StoredFlowTemplate template, CancellationToken cancellationToken);

    Task<bool> DeleteTemplateAsync(Guid userId, string name, CancellationToken cancellationToken);

    /// <summary>Inserts a run unless its session already has an active one; false when it has.</summary>
    Task<bool> InsertRunAsync(FlowRun run, IReadOnlyList<(string Type, JsonObject Data)> events, CancellationToken cancellationToken);

    Task<FlowRun?> GetRunAsync(Guid id, CancellationToken cancellationToken);

    /// <summary>A session's runs, newest first, keyset-paged.</summary>
    Task<(IReadOnlyList<FlowRun> Items, string? NextCursor)> ListRunsAsync(Guid sessionId, int limit, string? cursor, CancellationToken cancellationToken);

    /// <summary>The session's running or paused run, if any (one indexed read: the chat asks it before every prompt).</summary>
    Task<FlowRun?> ActiveRunAsync(Guid sessionId, CancellationToken cancellationToken);

    /// <summary>The newest run of a session (its last used flow) and its active run, if any.</summary>
    Task<(FlowRun? Latest, FlowRun? Active)> SessionRunsAsync(Guid sessionId, CancellationToken cancellationToken);

    /// <summary>Ids of runs in <paramref name="state"/>, oldest first.</summary>
    Task<IReadOnlyList<Guid>> ListRunIdsAsync(string state, CancellationToken cancellationToken);

    /// <summary>Applies a step; false when the run is no longer in one of its <see cref="FlowStep.FromStates"/>.</summary>
    Task<bool> SaveStepAsync(FlowStep step, CancellationToken cancellationToken);

    /// <summary>Appends events to an active run (streamed text between two checkpoints).</summary>
    Task AppendEventsAsync(Guid runId, IReadOnlyList<(string Type, JsonObject Data)> events, DateTimeOffset at, CancellationToken cancellationToken);

    Task<IReadOnlyList<FlowRunEvent>> EventsAfterAsync(Guid runId, long afterSeq, int limit, CancellationToken cancellationToken);

    Task<IReadOnlyList<FlowCheckpoint>> CheckpointsAsync(Guid runId, CancellationToken cancellationToken);

    /// <summary>
    /// Makes <paramref name="instanceId"/> the owner of a running run unless a live instance (its
    /// lease not expired at <paramref name="now"/>) owns it; true when this instance owns it now.
    /// </summary>
    Task<bool> ClaimRunAsync(Guid runId, string instanceId, DateTimeOffset now, bool shared, CancellationToken cancellationToken);
}
