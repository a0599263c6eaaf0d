using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Wright.Core.Accounts;
using Wright.Core.Actions;
using Wright.Core.Actions.EditFormats;
using Wright.Core.Answers;
using Wright.Core.Cluster;
using Wright.Core.Conversations;
using Wright.Core.Engine;
using Wright.Core.Errors;
using Wright.Core.Events;
using Wright.Core.Git;
using Wright.Core.Llm;
using Wright.Core.Merges;
using Wright.Core.Projects;

namespace Wright.Core.Flows;

/// <summary>Settings of flow runs (section <c>Flows</c>).</summary>
public sealed class FlowOptions
{
    public const string Section = "Flows";

    /// <summary>
    /// Fault injection for crash tests only: a node whose effect is recorded (its answer saved, its
    /// ActionRun committed) waits here, before its end checkpoint, until the server stops — the
    /// moment a crash must not make the node's work happen twice.
    /// </summary>
    public bool HoldAfterEffect { get; set; }
}

/// <summary>Payload of <c>flow.run</c> on the project's event bus.</summary>
/// <remarks><see cref="Flow"/> tells the chat's own <c>default</c> run (which waits at <c>ask</c> between prompts) from a custom one.</remarks>
public sealed record FlowRunBusData(Guid RunId, Guid SessionId, string State, string? CurrentNodeId, string? PausedNodeId, string Flow);

/// <summary>
/// Runs flows in the background, never inside a request: a run is driven node by node, and every
/// node boundary is one database transaction (the checkpoint, the run's variables and position,
/// its events), so a run picks up after a restart exactly where its last checkpoint left it. A
/// node records what it is about to do before doing it (the prompt message of an <c>llm</c> node,
/// the tag of an <c>action</c> node's ActionRun); a resumed node looks for that finished work (a
/// complete answer, a commit carrying the tag) and takes it instead of doing it again. An
/// <c>llm</c> node with tools is the chat's own answer pipeline; one without is one plain completion.
/// </summary>
public sealed partial class FlowRunner : IAsyncDisposable
{
    private const int ChunkFlushMs = 100;

    private readonly IFlowRepository _repository;
    private readonly FlowTemplates _templates;
    private readonly SessionService _sessions;
    private readonly IConversationRepository _conversations;
    private readonly IProjectRepository _projects;
    private readonly ProjectService _projectAccess;
    private readonly ProviderRegistry _registry;
    private readonly AnswerPipeline _pipeline;
    private readonly LlmStreamer _streamer;
    private readonly ActionRunner _actions;
    private readonly GitRunner _git;
    private readonly IAnswerRepository _answers;
    private readonly IEventBus _bus;
    private readonly IClusterStore _cluster;
    private readonly ClusterInstance _instance;
    private readonly EngineOptions _engine;
    private readonly FlowOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<FlowRunner> _logger;
    private readonly Lock _gate = new();
    private readonly Dictionary<Guid, Driver> _live = [];
    private readonly ConcurrentDictionary<Guid, TaskCompletionSource> _signals = new();
    private readonly CancellationTokenSource _stopping = new();

    public FlowRunner(
        IFlowRepository repository,
        FlowTemplates templates,
        SessionService sessions,
        IConversationRepository conversations,
        IProjectRepository projects,
        ProjectService projectAccess,
        ProviderRegistry registry,
        AnswerPipeline pipeline,
        LlmStreamer streamer,
        ActionRunner actions,
        GitRunner git,
        IAnswerRepository answers,
        IEventBus bus,
        IClusterStore cluster,
        ClusterInstance instance,
        IOptions<EngineOptions> engine,
        IOptions<FlowOptions> options,
        TimeProvider time,
        ILogger<FlowRunner> logger)
    {
        _repository = repository;
        _templates = templates;
        _sessions = sessions;
        _conversations = conversations;
        _projects = projects;
        _projectAccess = projectAccess;
        _registry = registry;
        _pipeline = pipeline;
        _streamer = streamer;
        _actions = actions;
        _git = git;
        _answers = answers;
        _bus = bus;
        _cluster = cluster;
        _instance = instance;
        _engine = engine.Value;
        _options = options.Value;
        _time = time;
        _logger = logger;
    }

    /// <summary>Starts <paramref name="flow"/> in the session; it runs in the background until its first userInput, its end or an error.</summary>
    public async Task<FlowRun> StartAsync(Actor actor, Guid sessionId, string flow, string? input, CancellationToken cancellationToken)
    {
        var session = await _sessions.GetAsync(actor, sessionId, cancellationToken).ConfigureAwait(false);
        var project = await _projectAccess.GetAsync(actor, session.ProjectId, cancellationToken).ConfigureAwait(false);
        var template = await _templates.FindAsync(actor.UserId, project, flow, cancellationToken).ConfigureAwait(false) ?? throw FlowTemplates.NotFound(flow);
        if (!template.Valid)
        {
            throw FlowTemplates.Invalid(template.Problems);
        }

        var graph = template.Graph!;
        var now = _time.GetUtcNow();
        var variables = new JsonObject { ["input"] = input };
        var run = new FlowRun(Guid.CreateVersion7(now), sessionId, project.Id, actor.UserId, template.Name, graph, FlowRunStates.Running, new FlowPosition(graph.StartNodeId!, false, 0), null, null, variables, null, null, 0, false, now, now, null);
        if (!await _repository.InsertRunAsync(run, [], cancellationToken).ConfigureAwait(false)
            && !(template.Name != FlowTemplates.DefaultName && await EndWaitingChatAsync(sessionId, cancellationToken).ConfigureAwait(false) && await _repository.InsertRunAsync(run, [], cancellationToken).ConfigureAwait(false)))
        {
            throw WrightException.Conflict(FlowErrorCodes.FlowRunActive, "This session already has a running or paused flow; answer or cancel it first.");
        }

        Published(run);
        Launch(run.Id);
        return run;
    }

    /// <summary>The chat's run paused at <c>ask</c> ends (completed) so a custom flow can take the session; false when no such run is in the way.</summary>
    private async Task<bool> EndWaitingChatAsync(Guid sessionId, CancellationToken cancellationToken)
    {
        var active = await _repository.ActiveRunAsync(sessionId, cancellationToken).ConfigureAwait(false);
        if (active is not { Flow: FlowTemplates.DefaultName, State: FlowRunStates.Paused })
        {
            return false;
        }

        var now = _time.GetUtcNow();
        var ended = active with { State = FlowRunStates.Completed, PausedPrompt = null, PausedAt = null, UpdatedAt = now, EndedAt = now };
        if (!await _repository.SaveStepAsync(new FlowStep(ended, [FlowRunStates.Paused], null, [(FlowEventTypes.Done, new JsonObject { ["variables"] = ended.Variables.DeepClone(), ["at"] = now })]), cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        Signal(active.Id);
        Published(ended);
        return true;
    }

    /// <summary>A run the actor may see; <c>flow_run_not_found</c> otherwise (another user's run is not found either).</summary>
    public async Task<FlowRun> GetAsync(Actor actor, Guid runId, CancellationToken cancellationToken)
    {
        var run = await _repository.GetRunAsync(runId, cancellationToken).ConfigureAwait(false) ?? throw RunNotFound();
        try
        {
            await _sessions.GetAsync(actor, run.SessionId, cancellationToken).ConfigureAwait(false);
        }
        catch (WrightException ex) when (ex.Kind == ErrorKind.NotFound)
        {
            throw RunNotFound();
        }

        return run;
    }

    public async Task<(IReadOnlyList<FlowRun> Items, string? NextCursor)> ListAsync(Actor actor, Guid sessionId, int limit, string? cursor, CancellationToken cancellationToken)
    {
        await _sessions.GetAsync(actor, sessionId, cancellationToken).ConfigureAwait(false);
        return await _repository.ListRunsAsync(sessionId, Math.Clamp(limit, 1, 200), cursor, cancellationToken).ConfigureAwait(false);
    }

    public Task<IReadOnlyList<FlowCheckpoint>> CheckpointsAsync(Guid runId, CancellationToken cancellationToken) => _repository.CheckpointsAsync(runId, cancellationToken);

    /// <summary>The seed's session fields: the flow used last and, while a run is paused, where.</summary>
    public Task<(FlowRun? Latest, FlowRun? Active)> SessionStateAsync(Guid sessionId, CancellationToken cancellationToken) => _repository.SessionRunsAsync(sessionId, cancellationToken);

    /// <summary>
    /// A run that can take <paramref name="content"/> as its input now: the actor's, paused at a
    /// userInput node; <c>flow_run_not_paused</c> otherwise. The chat's own <c>default</c> run takes
    /// its input as a chat prompt (<see cref="ChatService"/>), every other run through <see cref="InputAsync"/>.
    /// </summary>
    public async Task<FlowRun> AwaitingInputAsync(Actor actor, Guid runId, string content, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(content))
        {
            throw WrightException.Invalid(ErrorCodes.ValidationFailed, "content must not be empty.");
        }

        var run = await GetAsync(actor, runId, cancellationToken).ConfigureAwait(false);
        return run.State == FlowRunStates.Paused && run.Graph.Node(run.CurrentNodeId) is { Type: FlowNodeTypes.UserInput } ? run : throw NotPaused(run);
    }

    /// <summary>Answers a paused run of a custom flow: the userInput node ends with <paramref name="content"/> (saved before anything else happens) and the run goes on.</summary>
    public async Task<FlowRun> InputAsync(Actor actor, Guid runId, string content, CancellationToken cancellationToken)
    {
        var run = await AwaitingInputAsync(actor, runId, content, cancellationToken).ConfigureAwait(false);
        if (run.Flow == FlowTemplates.DefaultName)
        {
            throw WrightException.Conflict(FlowErrorCodes.FlowRunActive, "The chat's own run takes its input as a chat prompt.");
        }

        var node = run.Graph.Node(run.CurrentNodeId)!;
        var value = JsonValue.Create(content);
        var (next, step) = EndOf(run, node, value, 0, false, await HeadAsync(run.ProjectId, cancellationToken).ConfigureAwait(false));
        if (!await _repository.SaveStepAsync(step with { FromStates = [FlowRunStates.Paused] }, cancellationToken).ConfigureAwait(false))
        {
            throw NotPaused(run);
        }

        Signal(run.Id);
        Published(next);
        Launch(run.Id);
        return next;
    }

    /// <summary>Cancels a running or paused run (a node in progress is stopped: an answer ends cancelled); an ended run is returned as it is.</summary>
    public async Task<FlowRun> CancelAsync(Actor actor, Guid runId, CancellationToken cancellationToken)
    {
        var run = await GetAsync(actor, runId, cancellationToken).ConfigureAwait(false);
        if (!FlowRunStates.IsActive(run.State))
        {
            return run;
        }

        var now = _time.GetUtcNow();
        var cancelled = run with { State = FlowRunStates.Cancelled, UpdatedAt = now, EndedAt = now, PausedPrompt = null, PausedAt = null };
        if (!await _repository.SaveStepAsync(new FlowStep(cancelled, [FlowRunStates.Running, FlowRunStates.Paused], null, [(FlowEventTypes.Cancelled, new JsonObject { ["at"] = now })]), cancellationToken).ConfigureAwait(false))
        {
            return await _repository.GetRunAsync(runId, cancellationToken).ConfigureAwait(false) ?? run;
        }

        lock (_gate)
        {
            if (_live.TryGetValue(runId, out var driver))
            {
                driver.Stop.Cancel();
            }
        }

        if (run.Flow == FlowTemplates.DefaultName && run.Position is { } at && EffectMessage(at) is { } answering)
        {
            // The default run's answer streams in the chat, not in a driver: it is stopped there.
            _pipeline.Live(answering)?.Cancel(AnswerCancelReason.Stopped);
        }

        Signal(run.Id);
        Published(cancelled);
        return cancelled;
    }

    public Task<IReadOnlyList<FlowRunEvent>> EventsAfterAsync(Guid runId, long after, CancellationToken cancellationToken) =>
        _repository.EventsAfterAsync(runId, after, 500, cancellationToken);

    /// <summary>Waits until the run writes something (or <paramref name="timeout"/>: a run driven by another instance is polled).</summary>
    public async Task WaitForChangeAsync(Guid runId, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var signal = _signals.GetOrAdd(runId, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        try
        {
            await signal.Task.WaitAsync(timeout, _time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // Nothing happened here in that time; the caller looks at the database again.
        }
    }

    /// <summary>At start-up: every run left running (by a crash, or by an instance whose lease ran out) is resumed from its checkpoint; paused runs stay paused.</summary>
    public async Task<int> RecoverAsync(CancellationToken cancellationToken)
    {
        var running = await _repository.ListRunIdsAsync(FlowRunStates.Running, cancellationToken).ConfigureAwait(false);
        foreach (var id in running)
        {
            Launch(id);
        }

        if (running.Count > 0)
        {
            FlowLog.Resuming(_logger, running.Count);
        }

        return running.Count;
    }

    /// <summary>
    /// On a shared database: every <paramref name="every"/>, takes over the running runs whose owner's
    /// lease ran out (an instance that died while others live). Alone, start-up recovery is enough.
    /// </summary>
    public async Task SweepAsync(TimeSpan every, CancellationToken cancellationToken)
    {
        if (!_cluster.IsShared)
        {
            return;
        }

        using var timer = new PeriodicTimer(every, _time);
        while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
        {
            try
            {
                foreach (var id in await _repository.ListRunIdsAsync(FlowRunStates.Running, cancellationToken).ConfigureAwait(false))
                {
                    bool driving;
                    lock (_gate)
                    {
                        driving = _live.ContainsKey(id);
                    }

                    if (!driving)
                    {
                        Launch(id);
                    }
                }
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested && ex is not OutOfMemoryException)
            {
                // Most likely the database is away; the next tick looks again.
                FlowLog.SweepFailed(_logger, ex.Message);
            }
        }
    }

    /// <summary>At shutdown: drivers stop at once; their runs stay <c>running</c> at their last checkpoint and resume at the next start.</summary>
    public async Task StopAllAsync(CancellationToken cancellationToken)
    {
        if (!_stopping.IsCancellationRequested)
        {
            await _stopping.CancelAsync().ConfigureAwait(false);
        }

        List<Task> tasks;
        lock (_gate)
        {
            tasks = _live.Values.Select(d => d.Task).ToList();
        }

        await Task.WhenAll(tasks).WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    public async ValueTask DisposeAsync()
    {
        using var bounded = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await StopAllAsync(bounded.Token).ConfigureAwait(false);
    }

    internal static WrightException RunNotFound() => WrightException.NotFound(FlowErrorCodes.FlowRunNotFound, "There is no such flow run.");

    private static WrightException NotPaused(FlowRun run) =>
        WrightException.Conflict(FlowErrorCodes.FlowRunNotPaused, $"The run is {run.State}, not waiting for input.");

    /// <summary>Drives the run here unless this server already does (then it goes round once more) or another live instance owns it.</summary>
    private void Launch(Guid runId)
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        Driver driver;
        lock (_gate)
        {
            if (_live.TryGetValue(runId, out var existing))
            {
                existing.Again = true;
                return;
            }

            driver = new Driver(CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token));
            _live[runId] = driver;
        }

        driver.Task = Task.Run(() => DriveAsync(runId, driver), CancellationToken.None);
    }

    private async Task DriveAsync(Guid runId, Driver driver)
    {
        var stop = driver.Stop.Token;
        try
        {
            if (await _repository.ClaimRunAsync(runId, _instance.Id.ToString(), _time.GetUtcNow(), _cluster.IsShared, stop).ConfigureAwait(false))
            {
                while (true)
                {
                    await StepsAsync(runId, stop).ConfigureAwait(false);
                    lock (_gate)
                    {
                        if (!driver.Again || stop.IsCancellationRequested)
                        {
                            _live.Remove(runId);
                            break;
                        }

                        driver.Again = false;
                    }
                }

                return;
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Cancelled (its state is already saved) or the server is stopping (the run resumes at the next start).
        }
        catch (Exception ex)
        {
            FlowLog.DriverFailed(_logger, ex, runId);
        }

        lock (_gate)
        {
            _live.Remove(runId);
        }
    }

    /// <summary>Runs the run's nodes until it pauses, ends, fails or is stopped.</summary>
    private async Task StepsAsync(Guid runId, CancellationToken stop)
    {
        // The run is read once, then carried from step to step: only this driver changes a running
        // run, and every step's save is conditional on its state, so a cancel in between still wins.
        var run = await _repository.GetRunAsync(runId, stop).ConfigureAwait(false);
        string? head = null;
        string? enteredHead = null;
        while (!stop.IsCancellationRequested)
        {
            if (run is null || run.State != FlowRunStates.Running || run.Position is not { } position)
            {
                return;
            }

            var node = run.Graph.Node(position.NodeId);
            if (node is null)
            {
                await FailAsync(run, null, FlowErrorCodes.FlowNodeFailed, $"The run's node '{position.NodeId}' is not in its template.", stop).ConfigureAwait(false);
                return;
            }

            if (!position.Entered)
            {
                // The workspace is where the previous node's end checkpoint saw it, unless this is the first step.
                enteredHead = head ?? await HeadAsync(run.ProjectId, stop).ConfigureAwait(false);
                run = await EnterAsync(run, node, enteredHead, stop).ConfigureAwait(false);
                head = null;
                continue;
            }

            JsonNode? output;
            decimal cost = 0;
            var unpriced = false;
            try
            {
                switch (node.Type)
                {
                    case FlowNodeTypes.End:
                        await CompleteAsync(run, stop).ConfigureAwait(false);
                        return;
                    case FlowNodeTypes.UserInput:
                        // Entered and running without its input: pause (again) and wait for it.
                        await PauseAsync(run, node, stop).ConfigureAwait(false);
                        return;
                    case FlowNodeTypes.Condition:
                        output = JsonValue.Create(FlowExpression.Parse(node.Expression!).Evaluate(VariablesOf(run)));
                        break;
                    case FlowNodeTypes.Llm when run.Flow == FlowTemplates.DefaultName && node.Id == AnswerNodeId:
                        // The chat's answer: its message is its effect, settled, never asked again.
                        if (await SettleChatAnswerAsync(run, stop).ConfigureAwait(false) is not { } settled)
                        {
                            return;
                        }

                        (output, cost, unpriced) = settled;
                        break;
                    case FlowNodeTypes.Llm when node.Tools ?? true:
                        (output, cost, unpriced) = await AnswerAsync(run, node, stop).ConfigureAwait(false);
                        break;
                    case FlowNodeTypes.Llm:
                        (output, cost, unpriced) = await CompletionAsync(run, node, stop).ConfigureAwait(false);
                        break;
                    case FlowNodeTypes.Action:
                        output = await ActionAsync(run, node, stop).ConfigureAwait(false);
                        break;
                    default:
                        throw WrightException.Invalid(FlowErrorCodes.UnknownNodeType, $"'{node.Id}' has the unknown type '{node.Type}'.");
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                throw;
            }
            catch (NodeFailed failed)
            {
                await FailAsync(run, node.Id, failed.Code, failed.Message, stop).ConfigureAwait(false);
                return;
            }
            catch (WrightException ex)
            {
                await FailAsync(run, node.Id, ex.Code, ex.Message, stop).ConfigureAwait(false);
                return;
            }
            catch (FormatException ex)
            {
                await FailAsync(run, node.Id, FlowErrorCodes.InvalidExpression, ex.Message, stop).ConfigureAwait(false);
                return;
            }

            if (_options.HoldAfterEffect && node.Type is FlowNodeTypes.Llm or FlowNodeTypes.Action && run.Flow != FlowTemplates.DefaultName)
            {
                FlowLog.Holding(_logger, run.Id, node.Id);
                await Task.Delay(Timeout.InfiniteTimeSpan, _time, stop).ConfigureAwait(false);
            }

            // A condition only reads variables: the workspace is where the node's start checkpoint saw it.
            head = node.Type == FlowNodeTypes.Condition && enteredHead is not null ? enteredHead : await HeadAsync(run.ProjectId, stop).ConfigureAwait(false);
            var (next, step) = EndOf(run, node, output, cost, unpriced, head);
            if (!await _repository.SaveStepAsync(step, stop).ConfigureAwait(false))
            {
                return;
            }

            Signal(run.Id);
            if (next.State != run.State)
            {
                Published(next);
            }

            run = next;
        }
    }

    /// <summary>The start checkpoint of a node (its inputs, the commit); a userInput node pauses the run right there.</summary>
    /// <returns>The run as saved, or null when it is no longer running here (paused at a userInput, or cancelled).</returns>
    private async Task<FlowRun?> EnterAsync(FlowRun run, FlowNode node, string? head, CancellationToken stop)
    {
        var now = _time.GetUtcNow();
        var position = run.Position! with { Entered = true, Visit = run.Position!.Visit + 1, EnteredAtMs = now.ToUnixTimeMilliseconds(), Effect = null };
        var inputs = InputsOf(node, run.Variables);
        var checkpoint = new FlowCheckpoint(0, node.Id, "start", now, head, null, 0, inputs, null);
        List<(string, JsonObject)> events = [(FlowEventTypes.NodeStart, new JsonObject { ["nodeId"] = node.Id, ["type"] = node.Type, ["at"] = now })];
        var next = run with { Position = position, UpdatedAt = now };
        if (node.Type == FlowNodeTypes.UserInput)
        {
            next = next with { State = FlowRunStates.Paused, PausedPrompt = node.Prompt, PausedAt = now };
            events.Add((FlowEventTypes.WaitingForInput, new JsonObject { ["nodeId"] = node.Id, ["prompt"] = node.Prompt, ["at"] = now }));
        }

        if (!await _repository.SaveStepAsync(new FlowStep(next, [FlowRunStates.Running], checkpoint, events), stop).ConfigureAwait(false))
        {
            return null;
        }

        Signal(run.Id);
        if (next.State != run.State)
        {
            Published(next);
            return null;
        }

        return next;
    }

    private async Task PauseAsync(FlowRun run, FlowNode node, CancellationToken stop)
    {
        var now = _time.GetUtcNow();
        var paused = run with { State = FlowRunStates.Paused, PausedPrompt = node.Prompt, PausedAt = now, UpdatedAt = now };
        if (await _repository.SaveStepAsync(new FlowStep(paused, [FlowRunStates.Running], null, [(FlowEventTypes.WaitingForInput, new JsonObject { ["nodeId"] = node.Id, ["prompt"] = node.Prompt, ["at"] = now })]), stop).ConfigureAwait(false))
        {
            Signal(run.Id);
            Published(paused);
        }
    }

    /// <summary>The end checkpoint of a node: its output becomes its variable and <c>last</c>, and the run moves to the next node (or completes).</summary>
    private (FlowRun Next, FlowStep Step) EndOf(FlowRun run, FlowNode node, JsonNode? output, decimal cost, bool unpriced, string? commit)
    {
        var now = _time.GetUtcNow();
        var variables = (JsonObject)run.Variables.DeepClone();
        if (node.Output is { Length: > 0 } name)
        {
            variables[name] = output?.DeepClone();
        }

        variables["last"] = output?.DeepClone();
        var durationMs = Math.Max(0, now.ToUnixTimeMilliseconds() - run.Position!.EnteredAtMs);
        var following = NextOf(run.Graph, node, output);
        var events = new List<(string, JsonObject)>
        {
            (FlowEventTypes.NodeEnd, new JsonObject { ["nodeId"] = node.Id, ["outputs"] = output?.DeepClone(), ["durationMs"] = durationMs, ["costUsd"] = cost, ["unpriced"] = unpriced, ["at"] = now }),
        };
        var next = run with
        {
            Variables = variables,
            Position = following is null ? run.Position with { Effect = null } : new FlowPosition(following, false, run.Position.Visit),
            State = following is null ? FlowRunStates.Completed : FlowRunStates.Running,
            PausedPrompt = null,
            PausedAt = null,
            Cost = run.Cost + cost,
            Unpriced = run.Unpriced || unpriced,
            UpdatedAt = now,
            EndedAt = following is null ? now : null,
        };
        if (following is null)
        {
            events.Add((FlowEventTypes.Done, new JsonObject { ["variables"] = variables.DeepClone(), ["at"] = now }));
        }

        var checkpoint = new FlowCheckpoint(0, node.Id, "end", now, commit, durationMs, cost, null, output?.DeepClone());
        return (next, new FlowStep(next, [FlowRunStates.Running], checkpoint, events));
    }

    private static string? NextOf(FlowGraph graph, FlowNode node, JsonNode? output)
    {
        if (node.Type == FlowNodeTypes.Condition)
        {
            var branch = FlowExpression.Truthy(FlowExpression.FromNode(output)) ? "true" : "false";
            return graph.EdgesFrom(node.Id).FirstOrDefault(e => e.When == branch)?.To;
        }

        return node.Type == FlowNodeTypes.End ? null : graph.EdgesFrom(node.Id).FirstOrDefault()?.To;
    }

    private async Task CompleteAsync(FlowRun run, CancellationToken stop)
    {
        var now = _time.GetUtcNow();
        var done = run with { State = FlowRunStates.Completed, UpdatedAt = now, EndedAt = now };
        var checkpoint = new FlowCheckpoint(0, run.Position!.NodeId, "end", now, await HeadAsync(run.ProjectId, stop).ConfigureAwait(false), 0, 0, null, null);
        List<(string, JsonObject)> events =
        [
            (FlowEventTypes.NodeEnd, new JsonObject { ["nodeId"] = run.Position.NodeId, ["outputs"] = null, ["durationMs"] = 0, ["costUsd"] = 0, ["unpriced"] = false, ["at"] = now }),
            (FlowEventTypes.Done, new JsonObject { ["variables"] = run.Variables.DeepClone(), ["at"] = now }),
        ];
        if (await _repository.SaveStepAsync(new FlowStep(done, [FlowRunStates.Running], checkpoint, events), stop).ConfigureAwait(false))
        {
            Signal(run.Id);
            Published(done);
        }
    }

    private async Task FailAsync(FlowRun run, string? nodeId, string code, string detail, CancellationToken stop)
    {
        var now = _time.GetUtcNow();
        var failed = run with { State = FlowRunStates.Failed, ErrorCode = code, ErrorDetail = detail, UpdatedAt = now, EndedAt = now };
        var data = new JsonObject { ["nodeId"] = nodeId, ["code"] = code, ["detail"] = detail, ["at"] = now };
        if (await _repository.SaveStepAsync(new FlowStep(failed, [FlowRunStates.Running], null, [(FlowEventTypes.Error, data)]), stop).ConfigureAwait(false))
        {
            FlowLog.Failed(_logger, run.Id, nodeId ?? "", code);
            Signal(run.Id);
            Published(failed);
        }
    }

    /// <summary>Saves what a node is about to do, before it does it, so a resumed node can find it.</summary>
    private async Task<FlowRun> RecordEffectAsync(FlowRun run, JsonObject effect, CancellationToken stop)
    {
        var next = run with { Position = run.Position! with { Effect = effect }, UpdatedAt = _time.GetUtcNow() };
        if (!await _repository.SaveStepAsync(new FlowStep(next, [FlowRunStates.Running], null, []), stop).ConfigureAwait(false))
        {
            throw new OperationCanceledException("The run was cancelled.");
        }

        return next;
    }

    /// <summary>
    /// An <c>llm</c> node with tools: the prompt becomes a user message of the session and the
    /// chat's answer pipeline answers it (context, tools, ActionRun, one commit). Resumed, it takes
    /// the prompt's complete answer if there is one, else answers the stored prompt again.
    /// </summary>
    private async Task<(JsonNode? Output, decimal Cost, bool Unpriced)> AnswerAsync(FlowRun run, FlowNode node, CancellationToken stop)
    {
        var session = await _conversations.GetSessionAsync(run.SessionId, stop).ConfigureAwait(false) ?? throw new NodeFailed(ErrorCodes.SessionNotFound, "The run's session no longer exists.");
        var messages = await _conversations.ListMessagesAsync(run.SessionId, stop).ConfigureAwait(false);
        var model = await _registry.ResolveAsync(node.Model, stop).ConfigureAwait(false);
        AnswerStart start;
        if (run.Position!.Effect?["promptMessageId"]?.GetValue<string>() is { } stored && Guid.TryParse(stored, out var promptId) && messages.Any(m => m.Id == promptId))
        {
            var finished = messages.LastOrDefault(m => m.ParentId == promptId && m.Role == MessageRole.Assistant && m.Status == MessageStatus.Complete);
            if (finished is not null)
            {
                FlowLog.Reused(_logger, run.Id, node.Id, finished.Id);
                return await AnswerOutputAsync(finished, stop).ConfigureAwait(false);
            }

            start = new AnswerStart(session, null, SessionService.PathTo(messages, promptId)!, model, run.UserId);
        }
        else
        {
            var now = _time.GetUtcNow();
            var content = FlowValidator.Render(node.Prompt, VariablesOf(run));
            if (string.IsNullOrWhiteSpace(content))
            {
                throw new NodeFailed(FlowErrorCodes.FlowNodeFailed, $"The prompt of '{node.Id}' is empty once its variables are filled in.");
            }

            var parent = session.CurrentLeafId;
            var user = new Message(Guid.NewGuid(), run.SessionId, parent, 0, MessageRole.User, content, MessageStatus.Complete, null, [], null, null, now, now);
            run = await RecordEffectAsync(run, new JsonObject { ["promptMessageId"] = user.Id.ToString() }, stop).ConfigureAwait(false);
            var path = (parent is { } up ? SessionService.PathTo(messages, up) ?? [] : []).Append(user).ToList();
            start = new AnswerStart(session, user, path, model, run.UserId);
        }

        AnswerStream stream;
        using (SessionMergeLock.BeginPrompt(run.SessionId))
        {
            stream = await _pipeline.StartAsync(start, stop).ConfigureAwait(false);
        }

        // The run watches the answer for as long as it lasts, so no browser needs to.
        using var watching = stream.Watch();
        using var cancelling = stop.Register(() => stream.Cancel(AnswerCancelReason.Stopped));
        var pending = new List<(string, JsonObject)>();
        var flushed = Stopwatch.StartNew();
        await foreach (var evt in stream.ReadAsync(0, CancellationToken.None).ConfigureAwait(false))
        {
            switch (evt.Data)
            {
                case DeltaData delta:
                    if (pending.Count > 0 && pending[^1].Item1 == FlowEventTypes.Chunk)
                    {
                        pending[^1].Item2["text"] = pending[^1].Item2["text"]!.GetValue<string>() + delta.Text;
                    }
                    else
                    {
                        pending.Add((FlowEventTypes.Chunk, new JsonObject { ["nodeId"] = node.Id, ["text"] = delta.Text }));
                    }

                    break;
                case ToolCallData call:
                    pending.Add((FlowEventTypes.ToolCall, new JsonObject { ["nodeId"] = node.Id, ["toolCall"] = System.Text.Json.JsonSerializer.SerializeToNode(call.ToolCall, FlowTemplateText.Json) }));
                    break;
                default:
                    if (evt.Type == FlowEventTypes.ToolResult)
                    {
                        var data = System.Text.Json.JsonSerializer.SerializeToNode(evt.Data, FlowTemplateText.Json) as JsonObject ?? [];
                        data["nodeId"] = node.Id;
                        pending.Add((FlowEventTypes.ToolResult, data));
                    }

                    break;
            }

            if (pending.Count > 0 && flushed.ElapsedMilliseconds >= ChunkFlushMs)
            {
                await FlushAsync(run.Id, pending).ConfigureAwait(false);
                flushed.Restart();
            }
        }

        await FlushAsync(run.Id, pending).ConfigureAwait(false);
        await stream.Completion.ConfigureAwait(false);
        stop.ThrowIfCancellationRequested();
        var message = await _conversations.GetMessageAsync(stream.MessageId, CancellationToken.None).ConfigureAwait(false);
        if (message is not { Status: MessageStatus.Complete })
        {
            throw new NodeFailed(message?.ErrorCode ?? FlowErrorCodes.FlowNodeFailed, message?.ErrorDetail ?? $"The answer of '{node.Id}' ended {message?.Status.ToString().ToLowerInvariant() ?? "without a message"}.");
        }

        return await AnswerOutputAsync(message, stop).ConfigureAwait(false);
    }

    private async Task<(JsonNode? Output, decimal Cost, bool Unpriced)> AnswerOutputAsync(Message message, CancellationToken stop)
    {
        var record = await _answers.GetAnswerAsync(message.Id, stop).ConfigureAwait(false);
        return (JsonValue.Create(message.Content), record?.Cost ?? 0, record?.Unpriced ?? false);
    }

    private async Task FlushAsync(Guid runId, List<(string, JsonObject)> pending)
    {
        if (pending.Count == 0)
        {
            return;
        }

        await _repository.AppendEventsAsync(runId, pending.ToList(), _time.GetUtcNow(), CancellationToken.None).ConfigureAwait(false);
        pending.Clear();
        Signal(runId);
    }

    /// <summary>An <c>llm</c> node without tools: one plain completion of its prompt, streamed as chunks.</summary>
    private async Task<(JsonNode? Output, decimal Cost, bool Unpriced)> CompletionAsync(FlowRun run, FlowNode node, CancellationToken stop)
    {
        var model = await _registry.ResolveAsync(node.Model, stop).ConfigureAwait(false);
        var prompt = FlowValidator.Render(node.Prompt, VariablesOf(run));
        var text = new StringBuilder();
        LlmUsage? usage = null;
        var pending = new List<(string, JsonObject)>();
        var flushed = Stopwatch.StartNew();
        await foreach (var update in _streamer.StreamAsync(new LlmRequest(model, [new ChatMessage(ChatRole.User, prompt)]), stop).ConfigureAwait(false))
        {
            switch (update)
            {
                case LlmTextDelta delta:
                    text.Append(delta.Text);
                    pending.Add((FlowEventTypes.Chunk, new JsonObject { ["nodeId"] = node.Id, ["text"] = delta.Text }));
                    break;
                case LlmUsage u:
                    usage = u;
                    break;
            }

            if (pending.Count > 0 && flushed.ElapsedMilliseconds >= ChunkFlushMs)
            {
                await FlushAsync(run.Id, pending).ConfigureAwait(false);
                flushed.Restart();
            }
        }

        await FlushAsync(run.Id, pending).ConfigureAwait(false);
        var cost = usage is null ? 0 : ModelStep.CostOf(model, usage);
        return (JsonValue.Create(text.ToString()), cost ?? 0, usage is not null && cost is null);
    }

    /// <summary>
    /// An <c>action</c> node: a command, or the edits in a variable's text, as one ActionRun (its
    /// commit tagged with the node's visit). Resumed, a run a crash left half-way is settled first
    /// (kept if it committed, else rolled back), and a commit carrying the tag is taken as done.
    /// Commands follow the project's approval policy: <c>deny</c> refuses them; under <c>ask</c>
    /// the user approved the command by starting the flow whose template names it.
    /// </summary>
    private async Task<JsonNode?> ActionAsync(FlowRun run, FlowNode node, CancellationToken stop)
    {
        var project = await _projects.GetAsync(run.ProjectId, stop).ConfigureAwait(false) ?? throw new NodeFailed(ErrorCodes.ProjectNotFound, "The run's project no longer exists.");
        var root = project.RootPath;
        var tag = $"flow-{run.Id:N}-{node.Id}-{run.Position!.Visit}";
        if (run.Position.Effect?["tag"]?.GetValue<string>() == tag)
        {
            await _actions.RecoverAsync(root, stop, project.Id).ConfigureAwait(false);
            var found = await _git.RunAsync(root, ["log", "-n", "1", "--fixed-strings", $"--grep={ActionRunner.MessageTrailer}: {tag}", "--format=%H"], stop).ConfigureAwait(false);
            if (found.Succeeded && found.StandardOutput.Trim() is { Length: > 0 } sha)
            {
                FlowLog.ReusedCommit(_logger, run.Id, node.Id, sha);
                var files = await _git.RunAsync(root, ["show", "--name-only", "--format=", sha], stop).ConfigureAwait(false);
                return new JsonObject
                {
                    ["commit"] = sha,
                    ["files"] = new JsonArray(files.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(f => (JsonNode?)JsonValue.Create(f)).ToArray()),
                    ["exitCode"] = null,
                    ["output"] = "(the ActionRun had committed before the server stopped; it was not run again)",
                };
            }
        }
        else
        {
            run = await RecordEffectAsync(run, new JsonObject { ["tag"] = tag }, stop).ConfigureAwait(false);
        }

        var variables = VariablesOf(run);
        WrightAction action;
        if (node.Action == FlowActionKinds.Command)
        {
            var config = await LoadConfigAsync(root, stop).ConfigureAwait(false);
            if ((config.CommandApproval ?? _engine.DefaultCommandApproval) == CommandApprovalPolicy.Deny)
            {
                throw new NodeFailed(ActionErrorCodes.CommandDenied, $"The command of '{node.Id}' did not run: the project's approval policy is 'deny'.");
            }

            var words = CommandWords(FlowValidator.Render(node.Command, variables));
            if (words.Count == 0)
            {
                throw new NodeFailed(FlowErrorCodes.FlowNodeFailed, $"The command of '{node.Id}' is empty.");
            }

            action = new CommandAction(words[0], words.Skip(1).ToList(), _engine.CommandTimeout, RequireSuccess: false);
        }
        else
        {
            var text = FlowExpression.Text(FlowExpression.FromNode(run.Variables[node.From!]));
            var format = AnswerPipeline.TextEditFormatOf(text) ?? throw new NodeFailed(ActionErrorCodes.EditMalformed, $"The variable '{node.From}' holds no edits in a known format.");
            action = new TextEditAction(format, text, new EditOptions());
        }

        var result = await _actions.RunAsync(
            new ActionRunRequest(project.Id, root, $"Flow {run.Flow}, node {node.Id}", [action], "flow", null, run.SessionId.ToString(), tag, $"flow {run.Flow}: {node.Id}")
            {
                CommandPolicy = CommandApprovalPolicy.Auto,
            },
            stop).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            throw new NodeFailed(result.Failure!.Code, result.Failure.Detail);
        }

        var output = new JsonObject
        {
            ["commit"] = result.Commit?.Sha,
            ["files"] = new JsonArray(result.Changes.Select(c => (JsonNode?)JsonValue.Create(c.Path)).ToArray()),
        };
        if (result.Commands.FirstOrDefault() is { } ran)
        {
            output["exitCode"] = ran.ExitCode;
            output["output"] = ran.Output;
            output["timedOut"] = ran.TimedOut;
        }

        return output;
    }

    /// <summary>A command line split into words: whitespace separates, quotes group; never a shell.</summary>
    internal static List<string> CommandWords(string line)
    {
        var words = new List<string>();
        var word = new StringBuilder();
        var inWord = false;
        char? quote = null;
        foreach (var c in line)
        {
            if (quote is { } q)
            {
                if (c == q)
                {
                    quote = null;
                }
                else
                {
                    word.Append(c);
                }

                continue;
            }

            if (c is '"' or '\'')
            {
                quote = c;
                inWord = true;
            }
            else if (char.IsWhiteSpace(c))
            {
                if (inWord)
                {
                    words.Add(word.ToString());
                    word.Clear();
                    inWord = false;
                }
            }
            else
            {
                word.Append(c);
                inWord = true;
            }
        }

        if (inWord)
        {
            words.Add(word.ToString());
        }

        return words;
    }

    private static async Task<ProjectConfig> LoadConfigAsync(string root, CancellationToken cancellationToken)
    {
        try
        {
            return await ProjectConfig.LoadAsync(root, cancellationToken).ConfigureAwait(false);
        }
        catch (WrightException)
        {
            // A broken .wright/config falls back to the defaults, as in the chat.
            return ProjectConfig.Default;
        }
    }

    private static JsonNode? InputsOf(FlowNode node, JsonObject variables)
    {
        var map = VariablesOf(variables);
        return node.Type switch
        {
            FlowNodeTypes.Llm => new JsonObject { ["prompt"] = FlowValidator.Render(node.Prompt, map), ["model"] = node.Model, ["tools"] = node.Tools ?? true },
            FlowNodeTypes.Action when node.Action == FlowActionKinds.Command => new JsonObject { ["command"] = FlowValidator.Render(node.Command, map) },
            FlowNodeTypes.Action => new JsonObject { ["from"] = node.From },
            FlowNodeTypes.Condition => new JsonObject { ["expression"] = node.Expression, ["last"] = variables["last"]?.DeepClone() },
            FlowNodeTypes.UserInput => new JsonObject { ["prompt"] = node.Prompt },
            _ => null,
        };
    }

    private static Dictionary<string, JsonNode?> VariablesOf(FlowRun run) => VariablesOf(run.Variables);

    private static Dictionary<string, JsonNode?> VariablesOf(JsonObject variables) => variables.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);

    private async Task<string?> HeadAsync(Guid projectId, CancellationToken cancellationToken)
    {
        var project = await _projects.GetAsync(projectId, cancellationToken).ConfigureAwait(false);
        if (project is null)
        {
            return null;
        }

        var head = await _git.RunAsync(project.RootPath, ["rev-parse", "--verify", "-q", "HEAD"], cancellationToken).ConfigureAwait(false);
        return head.Succeeded ? head.StandardOutput.Trim() : null;
    }

    private void Signal(Guid runId)
    {
        if (_signals.TryRemove(runId, out var signal))
        {
            signal.TrySetResult();
        }
    }

    private void Published(FlowRun run) =>
        _bus.Publish(FlowEventTypes.BusFlowRun, run.ProjectId, new FlowRunBusData(run.Id, run.SessionId, run.State, run.CurrentNodeId, run.PausedNodeId, run.Flow));

    private sealed class Driver(CancellationTokenSource stop)
    {
        public CancellationTokenSource Stop { get; } = stop;

        public Task Task { get; set; } = Task.CompletedTask;

        public bool Again { get; set; }
    }

    /// <summary>A node that cannot finish; the run fails with its code.</summary>
    private sealed class NodeFailed(string code, string message) : Exception(message)
    {
        public string Code { get; } = code;
    }
}

/// <summary>Log messages of flow runs.</summary>
internal static partial class FlowLog
{
    [LoggerMessage(EventId = 9501, Level = LogLevel.Information, Message = "Resuming {Count} flow runs left running")]
    public static partial void Resuming(ILogger logger, int count);

    [LoggerMessage(EventId = 9502, Level = LogLevel.Error, Message = "The driver of flow run {RunId} failed")]
    public static partial void DriverFailed(ILogger logger, Exception exception, Guid runId);

    [LoggerMessage(EventId = 9503, Level = LogLevel.Warning, Message = "Flow run {RunId} failed at node {NodeId}: {Code}")]
    public static partial void Failed(ILogger logger, Guid runId, string nodeId, string code);

    [LoggerMessage(EventId = 9504, Level = LogLevel.Information, Message = "Flow run {RunId} resumed node {NodeId} with its finished answer {MessageId}")]
    public static partial void Reused(ILogger logger, Guid runId, string nodeId, Guid messageId);

    [LoggerMessage(EventId = 9505, Level = LogLevel.Information, Message = "Flow run {RunId} resumed node {NodeId} with its committed ActionRun {Commit}")]
    public static partial void ReusedCommit(ILogger logger, Guid runId, string nodeId, string commit);

    [LoggerMessage(EventId = 9507, Level = LogLevel.Warning, Message = "Could not look for flow runs to take over ({Reason}); retrying")]
    public static partial void SweepFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 9506, Level = LogLevel.Information, Message = "Flow run {RunId} holds after the effect of node {NodeId} (Flows:HoldAfterEffect)")]
    public static partial void Holding(ILogger logger, Guid runId, string nodeId);
}
