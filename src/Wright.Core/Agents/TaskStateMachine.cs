namespace Wright.Core.Agents;

/// <summary>What a hook means for the agent's task, whatever the hook's name.</summary>
public enum HookSignal
{
    /// <summary>Nothing for the task: the agent is alive (SessionStart, PreToolUse of most tools, …).</summary>
    Activity,

    /// <summary>The user submitted a prompt (UserPromptSubmit).</summary>
    Prompt,

    /// <summary>The agent waits for the user (a permission or idle notification, PermissionRequest, AskUserQuestion, ExitPlanMode, an MCP elicitation).</summary>
    Question,

    /// <summary>The agent goes on after waiting (PostToolUse, PostToolUseFailure, PermissionDenied, ElicitationResult).</summary>
    Resume,

    /// <summary>The agent reports progress within the task (a subagent or a todo task finished).</summary>
    Progress,

    /// <summary>The agent finished its turn (Stop).</summary>
    Stop,

    /// <summary>The agent's turn ended in an API error (StopFailure).</summary>
    StopFailure,

    /// <summary>The agent's session ended (SessionEnd).</summary>
    SessionEnd,
}

/// <summary>
/// What a signal does to the task: the open task closes (with a reason) and/or a new one starts,
/// the (new or open) task moves through <see cref="Path"/>, and a turn may be recorded on it.
/// </summary>
public sealed record TaskStep(string? CloseReason, bool StartsTask, IReadOnlyList<AgentTaskState> Path, TurnActor? TurnActor, TurnIntent? TurnIntent)
{
    public static TaskStep Nothing { get; } = new(null, false, [], null, null);

    public bool RecordsTurn => TurnActor is not null;
}

/// <summary>
/// The seed's task state machine: IDLE → COMMANDED → PROCESSING on a prompt, PROCESSING →
/// AWAITING_INPUT when the agent asks, back to PROCESSING when it goes on or the user answers,
/// COMPLETE on Stop. Stop never fires on an interrupt, so a prompt that finds a task still
/// working closes it as interrupted and starts a new one. A pure function: the table test covers
/// every pair of (open task state, signal).
/// </summary>
public static class TaskStateMachine
{
    /// <param name="open">The state of the agent's open task, or null when it has none (the agent is idle).</param>
    public static TaskStep Next(AgentTaskState? open, HookSignal signal) => (open, signal) switch
    {
        (null, HookSignal.Prompt) =>
            new(null, true, [AgentTaskState.Commanded, AgentTaskState.Processing], TurnActor.User, TurnIntent.Command),
        (AgentTaskState.AwaitingInput, HookSignal.Prompt) =>
            new(null, false, [AgentTaskState.Commanded, AgentTaskState.Processing], TurnActor.User, TurnIntent.Answer),
        (not null, HookSignal.Prompt) =>
            new(TaskEndReasons.Interrupted, true, [AgentTaskState.Commanded, AgentTaskState.Processing], TurnActor.User, TurnIntent.Command),

        (AgentTaskState.AwaitingInput, HookSignal.Question) => new(null, false, [], TurnActor.Agent, TurnIntent.Question),
        (not null, HookSignal.Question) => new(null, false, [AgentTaskState.AwaitingInput], TurnActor.Agent, TurnIntent.Question),

        (AgentTaskState.AwaitingInput, HookSignal.Resume) => new(null, false, [AgentTaskState.Processing], null, null),
        (AgentTaskState.Commanded, HookSignal.Resume or HookSignal.Activity or HookSignal.Progress) =>
            new(null, false, [AgentTaskState.Processing], signal == HookSignal.Progress ? TurnActor.Agent : null, signal == HookSignal.Progress ? TurnIntent.Progress : null),
        (not null, HookSignal.Progress) => new(null, false, [], TurnActor.Agent, TurnIntent.Progress),

        (not null, HookSignal.Stop) => new(TaskEndReasons.Stop, false, [AgentTaskState.Complete], TurnActor.Agent, TurnIntent.Completion),
        (not null, HookSignal.StopFailure) => new(TaskEndReasons.Failure, false, [AgentTaskState.Complete], TurnActor.Agent, TurnIntent.Completion),
        (not null, HookSignal.SessionEnd) => new(TaskEndReasons.SessionEnd, false, [AgentTaskState.Complete], null, null),

        _ => TaskStep.Nothing,
    };
}
