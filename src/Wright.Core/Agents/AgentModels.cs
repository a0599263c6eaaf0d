namespace Wright.Core.Agents;

/// <summary>The state of one task of an agent: the seed's state machine.</summary>
public enum AgentTaskState
{
    Idle,
    Commanded,
    Processing,
    AwaitingInput,
    Complete,
}

/// <summary>Who took a turn.</summary>
public enum TurnActor
{
    User,
    Agent,
}

/// <summary>What a turn was for.</summary>
public enum TurnIntent
{
    Command,
    Answer,
    Question,
    Completion,
    Progress,
}

/// <summary>The kinds of agent on the board; never rename one.</summary>
public static class AgentKinds
{
    /// <summary>Claude Code, reported by its hooks.</summary>
    public const string ClaudeCode = "claude-code";

    /// <summary>A session of Wright's own engine: each answer is a turn.</summary>
    public const string Wright = "wright";
}

/// <summary>Why a task ended; never rename one.</summary>
public static class TaskEndReasons
{
    /// <summary>The agent said it was done (Claude Code's Stop hook, or a Wright answer completed).</summary>
    public const string Stop = "stop";

    /// <summary>The agent's turn ended in an API error (StopFailure).</summary>
    public const string Failure = "failure";

    /// <summary>A new prompt came while the task was still open: the user interrupted it (Stop never fires on an interrupt).</summary>
    public const string Interrupted = "interrupted";

    /// <summary>The agent was silent for longer than <see cref="AgentsOptions.InterruptTimeout"/>.</summary>
    public const string Timeout = "timeout";

    /// <summary>The agent's session ended with the task open.</summary>
    public const string SessionEnd = "session_end";
}

/// <summary>A directory agents work in, per user; linked to the Wright project at the same path when there is one.</summary>
public sealed record AgentProject(Guid Id, Guid OwnerId, string Path, string Name, string? Remote, string? Branch, Guid? WrightProjectId, DateTimeOffset CreatedAt);

/// <summary>
/// One agent session. <see cref="SessionUuid"/> is the id <c>wright start</c> gave it (WRIGHT_SESSION_ID),
/// <see cref="AgentSessionId"/> the agent's own session id that its hooks report. Its state is never
/// stored: it is derived from <see cref="CurrentTaskId"/>'s task.
/// </summary>
public sealed record Agent(
    Guid Id,
    Guid OwnerId,
    string Kind,
    string? Name,
    Guid ProjectId,
    Guid? SessionUuid,
    string? AgentSessionId,
    string? TerminalPane,
    Guid? CurrentTaskId,
    string? TranscriptPath,
    DateTimeOffset StartedAt,
    DateTimeOffset LastSeenAt,
    DateTimeOffset? EndedAt);

/// <summary>One piece of work: from a command to its completion. <see cref="WaitingOn"/> says what an AWAITING_INPUT task waits for.</summary>
public sealed record AgentTask(
    Guid Id,
    Guid AgentId,
    AgentTaskState State,
    string? WaitingOn,
    DateTimeOffset StartedAt,
    DateTimeOffset StateChangedAt,
    DateTimeOffset? CompletedAt,
    string? EndReason)
{
    public bool IsOpen => CompletedAt is null;
}

/// <summary>One turn of a task: a command, a question, an answer, a completion. <see cref="Commit"/> is the commit a Wright answer made.</summary>
public sealed record AgentTurn(Guid Id, Guid AgentId, Guid TaskId, TurnActor Actor, TurnIntent Intent, string? Text, string? Commit, DateTimeOffset At);

/// <summary>One entry of an agent's log: a hook it reported, or a task's state change; the payload is JSON.</summary>
public sealed record AgentEvent(Guid Id, Guid AgentId, Guid ProjectId, Guid? TaskId, Guid? TurnId, string Type, string Payload, DateTimeOffset At);

/// <summary>
/// The usage of one model response, de-duplicated on <see cref="Key"/> within an agent (Claude Code's
/// <c>message.id</c> + <c>requestId</c>, or a Wright message id). Cost in USD from the model catalog.
/// </summary>
public sealed record AgentUsage(
    Guid AgentId,
    string Key,
    Guid? TaskId,
    Guid? TurnId,
    string? Model,
    long InputTokens,
    long OutputTokens,
    long CacheReadTokens,
    long CacheWriteTokens,
    decimal Cost,
    DateTimeOffset At)
{
    /// <summary>Every token of the response: the size that decides which of two lines of one response wins.</summary>
    public long TotalTokens => InputTokens + OutputTokens + CacheReadTokens + CacheWriteTokens;
}

/// <summary>Summed tokens and cost.</summary>
public sealed record UsageTotals(long InputTokens, long OutputTokens, long CacheReadTokens, long CacheWriteTokens, decimal Cost)
{
    public static UsageTotals Zero { get; } = new(0, 0, 0, 0, 0m);
}

/// <summary>An agent as the board shows it: its derived state, project, current task, last turns and totals.</summary>
public sealed record AgentSummary(
    Agent Agent,
    AgentProject Project,
    AgentTask? CurrentTask,
    AgentTurn? CurrentCommand,
    AgentTurn? LastAgentTurn,
    UsageTotals Usage);

/// <summary>Usage summed for one project or one day.</summary>
public sealed record UsageBucket(string Key, UsageTotals Usage);
