using Wright.Core.Agents;

namespace Wright.Server.Agents;

/// <summary>Tokens and USD cost.</summary>
public sealed record AgentUsageDto(long InputTokens, long OutputTokens, long CacheReadTokens, long CacheWriteTokens, decimal Cost)
{
    public static AgentUsageDto From(UsageTotals u) => new(u.InputTokens, u.OutputTokens, u.CacheReadTokens, u.CacheWriteTokens, u.Cost);

    public static AgentUsageDto Sum(IEnumerable<AgentUsage> usages)
    {
        var list = usages.ToList();
        return new(list.Sum(u => u.InputTokens), list.Sum(u => u.OutputTokens), list.Sum(u => u.CacheReadTokens), list.Sum(u => u.CacheWriteTokens), list.Sum(u => u.Cost));
    }
}

/// <summary>The directory an agent works in; <c>wrightProjectId</c> when a Wright project has the same path.</summary>
public sealed record AgentProjectDto(Guid Id, string Path, string Name, string? Remote, string? Branch, Guid? WrightProjectId)
{
    public static AgentProjectDto From(AgentProject p) => new(p.Id, p.Path, p.Name, p.Remote, p.Branch, p.WrightProjectId);
}

public sealed record AgentTaskDto(Guid Id, AgentTaskState State, string? WaitingOn, DateTimeOffset StartedAt, DateTimeOffset StateChangedAt, DateTimeOffset? CompletedAt, string? EndReason, AgentUsageDto? Usage)
{
    public static AgentTaskDto From(AgentTask t, AgentUsageDto? usage = null) => new(t.Id, t.State, t.WaitingOn, t.StartedAt, t.StateChangedAt, t.CompletedAt, t.EndReason, usage);
}

public sealed record AgentTurnDto(Guid Id, Guid TaskId, TurnActor Actor, TurnIntent Intent, string? Text, string? Commit, DateTimeOffset At, AgentUsageDto? Usage)
{
    public static AgentTurnDto From(AgentTurn t, AgentUsageDto? usage = null) => new(t.Id, t.TaskId, t.Actor, t.Intent, t.Text, t.Commit, t.At, usage);
}

/// <summary>One entry of an agent's log; <c>payload</c> is the hook's JSON with long strings cut.</summary>
public sealed record AgentEventDto(Guid Id, string Type, Guid? TaskId, Guid? TurnId, DateTimeOffset At, System.Text.Json.JsonElement Payload);

/// <summary>
/// An agent as the board shows it: <c>state</c> is derived from its current task (idle without
/// one), <c>stale</c> when it is processing but silent for too long.
/// </summary>
public sealed record AgentDto(
    Guid Id,
    string Kind,
    string? Name,
    AgentTaskState State,
    bool Stale,
    bool Ended,
    AgentProjectDto Project,
    AgentTaskDto? CurrentTask,
    string? Command,
    string? LastAgentText,
    string? TerminalPane,
    Guid? SessionUuid,
    string? AgentSessionId,
    DateTimeOffset StartedAt,
    DateTimeOffset LastSeenAt,
    DateTimeOffset? EndedAt,
    AgentUsageDto Usage)
{
    public static AgentDto From(AgentSummary s, (AgentTaskState State, bool Stale) derived) => new(
        s.Agent.Id,
        s.Agent.Kind,
        s.Agent.Name,
        derived.State,
        derived.Stale,
        s.Agent.EndedAt is not null,
        AgentProjectDto.From(s.Project),
        s.CurrentTask is { CompletedAt: null } task ? AgentTaskDto.From(task) : null,
        s.CurrentCommand?.Text,
        s.LastAgentTurn?.Text,
        s.Agent.TerminalPane,
        s.Agent.SessionUuid,
        s.Agent.AgentSessionId,
        s.Agent.StartedAt,
        s.Agent.LastSeenAt,
        s.Agent.EndedAt,
        AgentUsageDto.From(s.Usage));
}

/// <summary>An agent with its whole timeline: tasks (each with its usage), turns and the newest events.</summary>
public sealed record AgentDetailDto(AgentDto Agent, IReadOnlyList<AgentTaskDto> Tasks, IReadOnlyList<AgentTurnDto> Turns, IReadOnlyList<AgentEventDto> Events);

/// <summary>An <c>agent.*</c> event on <c>/api/agents/events</c>: the agent, and for <c>agent.state</c> the move; for <c>agent.turn</c> the turn.</summary>
public sealed record AgentBoardEventDto(AgentDto Agent, AgentTaskState? From, AgentTaskState? To, AgentTurnDto? Turn);

/// <summary>What <c>wright start</c> registers.</summary>
public sealed record RegisterAgentRequest(Guid SessionUuid, string ProjectPath, string? ProjectName, string? Branch, string? Remote, string? TerminalPane, string? Name);

public sealed record EndAgentRequest(int? ExitCode);

public sealed record UsageBucketDto(string Key, AgentUsageDto Usage);
