using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Wright.Core.Errors;
using Wright.Core.Projects;

namespace Wright.Core.Agents;

/// <summary>What <c>wright start</c> tells the server about an agent it is about to launch.</summary>
public sealed record AgentRegistration(Guid SessionUuid, string ProjectPath, string? ProjectName, string? Branch, string? Remote, string? TerminalPane, string? Name, string? Kind);

/// <summary>
/// The agent monitor: turns hooks into the board's model. Each hook is correlated to an agent
/// (WRIGHT_SESSION_ID, else the agent's own session id, else its working directory), moves the
/// agent's task through <see cref="TaskStateMachine"/>, is logged as an event, and is published on
/// the <see cref="AgentBoard"/>; transcripts are read in the background by <see cref="TranscriptReader"/>.
/// </summary>
public sealed class AgentMonitor
{
    // One writer at a time: a hook reads the open task and writes its next state, and two hooks of
    // one agent must not both read the same state. Ingest is a few small statements, so one lock
    // for all agents costs less than the bookkeeping of one lock per agent.
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly IAgentRepository _agents;
    private readonly IProjectRepository _projects;
    private readonly AgentBoard _board;
    private readonly TranscriptReader _transcripts;
    private readonly TimeProvider _time;
    private readonly AgentsOptions _options;
    private readonly ILogger<AgentMonitor> _logger;

    public AgentMonitor(IAgentRepository agents, IProjectRepository projects, AgentBoard board, TranscriptReader transcripts, TimeProvider time, IOptions<AgentsOptions> options, ILogger<AgentMonitor> logger)
    {
        _agents = agents;
        _projects = projects;
        _board = board;
        _transcripts = transcripts;
        _time = time;
        _options = options.Value;
        _logger = logger;
    }

    /// <summary>
    /// Records one hook of <paramref name="ownerId"/>'s agent: the agent it was correlated to, its
    /// task and the turn it recorded. <paramref name="kind"/> is the kind of an agent it creates;
    /// <paramref name="commit"/> goes on the turn it records (a Wright answer's commit).
    /// </summary>
    public async Task<HookOutcome> IngestAsync(Guid ownerId, HookPayload hook, CancellationToken cancellationToken, string kind = AgentKinds.ClaudeCode, string? commit = null)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var now = _time.GetUtcNow();
            var changes = new AgentChanges();
            var (agent, isNew) = await CorrelateAsync(ownerId, hook, kind, changes, now, cancellationToken).ConfigureAwait(false);
            var task = agent.CurrentTaskId is { } taskId ? await _agents.GetTaskAsync(taskId, cancellationToken).ConfigureAwait(false) : null;
            var before = task?.State;

            var step = TaskStateMachine.Next(task?.State, hook.Signal);
            AgentTurn? turn = null;
            var stateEvents = new List<AgentEvent>();
            if (step.CloseReason is { } reason && task is not null)
            {
                var closed = task with { State = AgentTaskState.Complete, WaitingOn = null, StateChangedAt = now, CompletedAt = now, EndReason = reason };
                changes.UpdatedTasks.Add(closed);
                stateEvents.Add(StateEvent(agent, closed, task.State, AgentTaskState.Complete, reason, now));
                task = step.StartsTask ? null : closed;
            }

            if (step.StartsTask)
            {
                task = new AgentTask(Guid.NewGuid(), agent.Id, AgentTaskState.Idle, null, now, now, null, null);
                changes.NewTasks.Add(task);
            }

            if (task is not null)
            {
                foreach (var next in step.Path)
                {
                    if (next == task.State)
                    {
                        continue;
                    }

                    var from = task.State;
                    task = task with { State = next, StateChangedAt = now, WaitingOn = next == AgentTaskState.AwaitingInput ? hook.WaitingOn : null };
                    stateEvents.Add(StateEvent(agent, task, from, next, null, now));
                }

                if (step.Path.Count == 0 && step.TurnIntent == TurnIntent.Question && hook.WaitingOn is { } waitingOn)
                {
                    task = task with { WaitingOn = waitingOn };
                }

                if (step.RecordsTurn)
                {
                    turn = new AgentTurn(Guid.NewGuid(), agent.Id, task.Id, step.TurnActor!.Value, step.TurnIntent!.Value, hook.TurnText, commit, now);
                    changes.Turns.Add(turn);
                }

                if (!step.StartsTask && !changes.UpdatedTasks.Any(t => t.Id == task.Id))
                {
                    changes.UpdatedTasks.Add(task);
                }
                else if (step.StartsTask)
                {
                    changes.NewTasks[^1] = task;
                }
            }

            var open = task is { CompletedAt: null } ? task : null;
            agent = agent with
            {
                CurrentTaskId = open?.Id,
                LastSeenAt = now,
                AgentSessionId = agent.AgentSessionId ?? hook.SessionId,
                TranscriptPath = hook.TranscriptPath ?? agent.TranscriptPath,
                EndedAt = hook.Signal == HookSignal.SessionEnd ? now : hook.EventName == "SessionStart" ? null : agent.EndedAt,
            };
            if (isNew)
            {
                changes.NewAgent = agent;
            }
            else
            {
                changes.UpdatedAgent = agent;
            }

            changes.Events.Add(new AgentEvent(Guid.NewGuid(), agent.Id, agent.ProjectId, task?.Id, turn?.Id, hook.EventName, hook.LoggedPayload, now));
            changes.Events.AddRange(stateEvents);
            await _agents.SaveAsync(changes, cancellationToken).ConfigureAwait(false);
            AgentsLog.HookIngested(_logger, hook.EventName, agent.Id, before?.ToString() ?? "none", open?.State.ToString() ?? "none");

            await PublishAsync(agent, isNew, before, open?.State, turn, hook.Signal == HookSignal.SessionEnd, cancellationToken).ConfigureAwait(false);
            ScheduleTranscriptRead(agent, hook, task, turn);
            return new HookOutcome(agent, task, turn);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Registers an agent <c>wright start</c> is about to launch (or updates the one registered under the same session uuid).</summary>
    public async Task<Agent> RegisterAsync(Guid ownerId, AgentRegistration registration, CancellationToken cancellationToken)
    {
        var path = NormalizePath(registration.ProjectPath) ?? throw WrightException.Invalid(ErrorCodes.ValidationFailed, "projectPath must be an absolute path.");
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var now = _time.GetUtcNow();
            var changes = new AgentChanges();
            var project = await ProjectAtAsync(ownerId, path, registration.ProjectName, changes, now, cancellationToken).ConfigureAwait(false);
            if (registration.Branch is not null || registration.Remote is not null)
            {
                project = project with { Branch = registration.Branch ?? project.Branch, Remote = registration.Remote ?? project.Remote };
                if (changes.NewProject is not null)
                {
                    changes.NewProject = project;
                }
                else
                {
                    changes.UpdatedProject = project;
                }
            }

            var existing = await _agents.FindBySessionUuidAsync(ownerId, registration.SessionUuid, cancellationToken).ConfigureAwait(false);
            var agent = existing is null
                ? new Agent(Guid.NewGuid(), ownerId, registration.Kind ?? AgentKinds.ClaudeCode, Clean(registration.Name), project.Id, registration.SessionUuid, null, Clean(registration.TerminalPane), null, null, now, now, null)
                : existing with { Name = Clean(registration.Name) ?? existing.Name, TerminalPane = Clean(registration.TerminalPane) ?? existing.TerminalPane, LastSeenAt = now, EndedAt = null };
            if (existing is null)
            {
                changes.NewAgent = agent;
            }
            else
            {
                changes.UpdatedAgent = agent;
            }

            changes.Events.Add(new AgentEvent(Guid.NewGuid(), agent.Id, agent.ProjectId, null, null, "Registered", JsonSerializer.Serialize(new { registration.SessionUuid, registration.TerminalPane, registration.Branch }), now));
            await _agents.SaveAsync(changes, cancellationToken).ConfigureAwait(false);
            await PublishAsync(agent, existing is null, null, null, null, false, cancellationToken).ConfigureAwait(false);
            return agent;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Ends the agent <c>wright start</c> launched (it exited or crashed); an open task closes. False when there is no such agent.</summary>
    public async Task<bool> EndAsync(Guid ownerId, Guid sessionUuid, int? exitCode, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var agent = await _agents.FindBySessionUuidAsync(ownerId, sessionUuid, cancellationToken).ConfigureAwait(false);
            if (agent is null)
            {
                return false;
            }

            var now = _time.GetUtcNow();
            var changes = new AgentChanges();
            var before = await CloseOpenTaskAsync(agent, TaskEndReasons.SessionEnd, changes, now, cancellationToken).ConfigureAwait(false);
            var wasEnded = agent.EndedAt is not null;
            agent = agent with { CurrentTaskId = null, LastSeenAt = now, EndedAt = agent.EndedAt ?? now };
            changes.UpdatedAgent = agent;
            changes.Events.Add(new AgentEvent(Guid.NewGuid(), agent.Id, agent.ProjectId, null, null, "Exited", JsonSerializer.Serialize(new { exitCode }), now));
            await _agents.SaveAsync(changes, cancellationToken).ConfigureAwait(false);
            await PublishAsync(agent, false, before, null, null, !wasEnded, cancellationToken).ConfigureAwait(false);
            return true;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Closes the open tasks of agents silent for longer than the interrupt timeout (an interrupt never sends Stop).</summary>
    public async Task<int> CloseSilentTasksAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var silent = await _agents.ListSilentWithOpenTaskAsync(now - _options.InterruptTimeout, cancellationToken).ConfigureAwait(false);
        var closed = 0;
        foreach (var candidate in silent)
        {
            await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                // Read again under the lock: a hook may have come since the list was taken.
                var agent = await _agents.GetAsync(candidate.Id, cancellationToken).ConfigureAwait(false);
                if (agent is null || agent.CurrentTaskId is null || agent.LastSeenAt > now - _options.InterruptTimeout)
                {
                    continue;
                }

                var changes = new AgentChanges();
                var before = await CloseOpenTaskAsync(agent, TaskEndReasons.Timeout, changes, now, cancellationToken).ConfigureAwait(false);
                agent = agent with { CurrentTaskId = null };
                changes.UpdatedAgent = agent;
                await _agents.SaveAsync(changes, cancellationToken).ConfigureAwait(false);
                await PublishAsync(agent, false, before, null, null, false, cancellationToken).ConfigureAwait(false);
                closed++;
            }
            finally
            {
                _gate.Release();
            }
        }

        return closed;
    }

    /// <summary>The state the board shows: the open task's, IDLE without one; stale when PROCESSING and silent for too long.</summary>
    public (AgentTaskState State, bool Stale) StateOf(AgentSummary summary)
    {
        var state = summary.CurrentTask is { CompletedAt: null } task ? task.State : AgentTaskState.Idle;
        var stale = state == AgentTaskState.Processing && _time.GetUtcNow() - summary.Agent.LastSeenAt > _options.StaleAfter;
        return (state, stale);
    }

    private async Task<AgentTaskState?> CloseOpenTaskAsync(Agent agent, string reason, AgentChanges changes, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (agent.CurrentTaskId is not { } taskId || await _agents.GetTaskAsync(taskId, cancellationToken).ConfigureAwait(false) is not { CompletedAt: null } task)
        {
            return null;
        }

        var closed = task with { State = AgentTaskState.Complete, WaitingOn = null, StateChangedAt = now, CompletedAt = now, EndReason = reason };
        changes.UpdatedTasks.Add(closed);
        changes.Events.Add(StateEvent(agent, closed, task.State, AgentTaskState.Complete, reason, now));
        return task.State;
    }

    private async Task<(Agent Agent, bool IsNew)> CorrelateAsync(Guid ownerId, HookPayload hook, string kind, AgentChanges changes, DateTimeOffset now, CancellationToken cancellationToken)
    {
        Guid? sessionUuid = Guid.TryParse(hook.WrightSessionId, out var parsed) ? parsed : null;
        if (sessionUuid is { } uuid && await _agents.FindBySessionUuidAsync(ownerId, uuid, cancellationToken).ConfigureAwait(false) is { } registered)
        {
            return (registered, false);
        }

        if (hook.SessionId is { } sessionId && await _agents.FindByAgentSessionIdAsync(ownerId, sessionId, cancellationToken).ConfigureAwait(false) is { } linked)
        {
            return (linked, false);
        }

        var cwd = NormalizePath(hook.Cwd)
            ?? throw WrightException.Invalid(ErrorCodes.HookUncorrelated, "The hook names no agent: send WRIGHT_SESSION_ID (X-Wright-Session-Id), session_id or an absolute cwd.");
        var project = await ProjectAtAsync(ownerId, cwd, null, changes, now, cancellationToken).ConfigureAwait(false);
        if (changes.NewProject is null && sessionUuid is null
            && await _agents.FindActiveInProjectAsync(ownerId, project.Id, unlinkedOnly: hook.SessionId is not null, cancellationToken).ConfigureAwait(false) is { } inProject)
        {
            return (inProject, false);
        }

        // An agent Wright has not heard of: one started without `wright start`, or whose
        // registration was lost. It appears on the board from its first hook.
        return (new Agent(Guid.NewGuid(), ownerId, kind, null, project.Id, sessionUuid, hook.SessionId, null, null, hook.TranscriptPath, now, now, null), true);
    }

    private async Task<AgentProject> ProjectAtAsync(Guid ownerId, string path, string? name, AgentChanges changes, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var project = await _agents.FindProjectAsync(ownerId, path, cancellationToken).ConfigureAwait(false);
        if (project is null)
        {
            var wright = await _projects.FindByPathAsync(path, cancellationToken).ConfigureAwait(false);
            var visible = wright is null ? null : await _projects.GetForUserAsync(wright.Id, ownerId, cancellationToken).ConfigureAwait(false);
            project = new AgentProject(Guid.NewGuid(), ownerId, path, Clean(name) ?? (Path.GetFileName(path) is { Length: > 0 } last ? last : path), null, null, visible?.Id, now);
            changes.NewProject = project;
        }

        return project;
    }

    private async Task PublishAsync(Agent agent, bool isNew, AgentTaskState? before, AgentTaskState? after, AgentTurn? turn, bool ended, CancellationToken cancellationToken)
    {
        var summary = await _agents.GetSummaryAsync(agent.OwnerId, agent.Id, cancellationToken).ConfigureAwait(false);
        if (summary is null)
        {
            return;
        }

        if (isNew)
        {
            _board.Publish(AgentEventTypes.Started, new AgentBoardEvent(summary, null, null, null));
        }

        if (before != after)
        {
            _board.Publish(AgentEventTypes.State, new AgentBoardEvent(summary, before ?? AgentTaskState.Idle, after ?? AgentTaskState.Idle, null));
        }

        if (turn is not null)
        {
            _board.Publish(AgentEventTypes.Turn, new AgentBoardEvent(summary, null, null, turn));
        }

        if (ended)
        {
            _board.Publish(AgentEventTypes.Ended, new AgentBoardEvent(summary, null, null, null));
        }
    }

    private void ScheduleTranscriptRead(Agent agent, HookPayload hook, AgentTask? task, AgentTurn? turn)
    {
        var final = hook.Signal is HookSignal.Stop or HookSignal.StopFailure or HookSignal.SessionEnd;
        if (!final && hook.Signal is not (HookSignal.Resume or HookSignal.Progress))
        {
            return;
        }

        foreach (var path in new[] { hook.TranscriptPath ?? agent.TranscriptPath, hook.AgentTranscriptPath }.OfType<string>().Distinct(StringComparer.Ordinal))
        {
            _transcripts.Schedule(new TranscriptReadRequest(agent.OwnerId, agent.Id, path, task?.Id, turn?.Id, final && hook.Signal == HookSignal.Stop));
        }
    }

    private static AgentEvent StateEvent(Agent agent, AgentTask task, AgentTaskState from, AgentTaskState to, string? reason, DateTimeOffset now) =>
        new(Guid.NewGuid(), agent.Id, agent.ProjectId, task.Id, null, TaskStateEvent, JsonSerializer.Serialize(new TaskStateChange(from.ToString(), to.ToString(), reason, task.WaitingOn)), now);

    /// <summary>The event type of a task's state change in the agent's log.</summary>
    public const string TaskStateEvent = "task.state";

    /// <summary>A path as the monitor keys projects: absolute, normalized, without a trailing separator; null when not absolute.</summary>
    public static string? NormalizePath(string? path)
    {
        if (string.IsNullOrWhiteSpace(path) || !Path.IsPathFullyQualified(path) || path.Contains('\0', StringComparison.Ordinal))
        {
            return null;
        }

        var full = Path.GetFullPath(path);
        return full.Length > 1 ? full.TrimEnd(Path.DirectorySeparatorChar) : full;
    }

    private static string? Clean(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();
}

/// <summary>What a hook did: the agent it was correlated to, its task (open or just closed) and the turn it recorded.</summary>
public sealed record HookOutcome(Agent Agent, AgentTask? Task, AgentTurn? Turn);

/// <summary>Payload of a <c>task.state</c> event.</summary>
public sealed record TaskStateChange(string From, string To, string? Reason, string? WaitingOn);
