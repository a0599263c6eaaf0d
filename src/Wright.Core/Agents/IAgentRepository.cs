using Wright.Core.Paging;

namespace Wright.Core.Agents;

/// <summary>What one hook (or registration) changes, written in one transaction.</summary>
public sealed class AgentChanges
{
    public AgentProject? NewProject { get; set; }

    public AgentProject? UpdatedProject { get; set; }

    public Agent? NewAgent { get; set; }

    public Agent? UpdatedAgent { get; set; }

    public List<AgentTask> NewTasks { get; } = [];

    public List<AgentTask> UpdatedTasks { get; } = [];

    public List<AgentTurn> Turns { get; } = [];

    public List<AgentEvent> Events { get; } = [];
}

/// <summary>Storage of the agent monitor: projects, agents, tasks, turns, events and usage, per user.</summary>
public interface IAgentRepository
{
    Task<AgentProject?> FindProjectAsync(Guid ownerId, string path, CancellationToken cancellationToken);

    Task<Agent?> GetAsync(Guid id, CancellationToken cancellationToken);

    Task<Agent?> FindBySessionUuidAsync(Guid ownerId, Guid sessionUuid, CancellationToken cancellationToken);

    Task<Agent?> FindByAgentSessionIdAsync(Guid ownerId, string agentSessionId, CancellationToken cancellationToken);

    /// <summary>The newest agent in a project that has not ended; with <paramref name="unlinkedOnly"/>, only one no hook has linked yet.</summary>
    Task<Agent?> FindActiveInProjectAsync(Guid ownerId, Guid projectId, bool unlinkedOnly, CancellationToken cancellationToken);

    Task<AgentTask?> GetTaskAsync(Guid id, CancellationToken cancellationToken);

    /// <summary>Writes everything in <paramref name="changes"/> in one transaction.</summary>
    Task SaveAsync(AgentChanges changes, CancellationToken cancellationToken);

    /// <summary>Stores a response's usage, or replaces the stored one with the same key when this one is larger; true when something changed.</summary>
    Task<bool> SaveUsageAsync(AgentUsage usage, CancellationToken cancellationToken);

    Task<long> GetTranscriptOffsetAsync(Guid agentId, string path, CancellationToken cancellationToken);

    Task SetTranscriptOffsetAsync(Guid agentId, string path, long offset, CancellationToken cancellationToken);

    /// <summary>A user's agents, newest activity first, each with its derived state's inputs and usage totals.</summary>
    Task<Page<AgentSummary>> ListAsync(Guid ownerId, AgentTaskState? state, Guid? projectId, PageRequest page, CancellationToken cancellationToken);

    Task<AgentSummary?> GetSummaryAsync(Guid ownerId, Guid agentId, CancellationToken cancellationToken);

    Task<IReadOnlyList<AgentTask>> ListTasksAsync(Guid agentId, CancellationToken cancellationToken);

    Task<IReadOnlyList<AgentTurn>> ListTurnsAsync(Guid agentId, CancellationToken cancellationToken);

    /// <summary>The newest <paramref name="limit"/> events of an agent, in order.</summary>
    Task<IReadOnlyList<AgentEvent>> ListEventsAsync(Guid agentId, int limit, CancellationToken cancellationToken);

    Task<IReadOnlyList<AgentUsage>> ListUsageAsync(Guid agentId, CancellationToken cancellationToken);

    /// <summary>A user's usage summed per day (UTC, <c>yyyy-MM-dd</c>) or per project id.</summary>
    Task<IReadOnlyList<UsageBucket>> UsageByAsync(Guid ownerId, UsageGrouping grouping, CancellationToken cancellationToken);

    /// <summary>Agents with an open task whose last sign of life is older than <paramref name="seenBefore"/>.</summary>
    Task<IReadOnlyList<Agent>> ListSilentWithOpenTaskAsync(DateTimeOffset seenBefore, CancellationToken cancellationToken);
}

/// <summary>How usage is summed.</summary>
public enum UsageGrouping
{
    Day,
    Project,
}
