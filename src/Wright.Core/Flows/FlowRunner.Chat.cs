using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Wright.Core.Accounts;
using Wright.Core.Answers;
using Wright.Core.Conversations;
using Wright.Core.Errors;
using Wright.Core.Merges;

namespace Wright.Core.Flows;

/// <summary>
/// The chat as the built-in <c>default</c> flow (ask → answer → ask). Every chat prompt is a turn of
/// the session's default run: it answers the run paused at <c>ask</c>, or starts one. The chat
/// request keeps its synchronous answer stream (refusals are 4xx before anything is stored); the
/// run records each turn beside it, off the path to the first token:
/// <list type="bullet">
/// <item>once the pipeline has stored the prompt and its streaming answer: one transaction ends
/// <c>ask</c> (its output: the turn's parameters — content, parentId, asRoot, commitFirst, model,
/// approval, the prompt's id) and starts <c>answer</c> (its recorded effect: the assistant message);</item>
/// <item>once the answer ends (complete, cancelled by stop, error, or interrupted by a shutdown):
/// one transaction ends <c>answer</c> (its output: the message, its status and text) and pauses the
/// run at <c>ask</c> again.</item>
/// </list>
/// Crash rule for the default flow: the <c>answer</c> node's effect is its assistant message. A run
/// found mid-answer after a restart never asks the model again: the message (interrupted, with its
/// saved text, when the crash cut it off) ends the node, and the run pauses at <c>ask</c>; the next
/// prompt continues it. A crash before the turn was recorded leaves the run paused at <c>ask</c> as
/// it was, and the stored prompt's answer becomes interrupted as every chat answer does.
/// Regenerate re-enters <c>answer</c> for the same prompt (no new <c>ask</c> output); stop ends
/// <c>answer</c> with the cancelled message and the run pauses at <c>ask</c>.
/// Custom templates keep their own resume semantics (a killed <c>llm</c> node is run again).
/// </summary>
public sealed partial class FlowRunner
{
    internal const string AskNodeId = "ask";
    internal const string AnswerNodeId = "answer";

    // Turns of one session are recorded one at a time (an answer's end waits for its start); striped
    // so sessions need no cleanup.
    private readonly SemaphoreSlim[] _turnLocks = Enumerable.Range(0, 64).Select(_ => new SemaphoreSlim(1, 1)).ToArray();
    private readonly Dictionary<Guid, Task> _turns = [];

    /// <summary>
    /// The chat may answer in this session unless a custom flow's run holds it (running or paused):
    /// then 409 <c>flow_run_active</c> naming the run — answer it through its input instead.
    /// </summary>
    public async Task EnsureChatAllowedAsync(Guid sessionId, CancellationToken cancellationToken)
    {
        var active = await _repository.ActiveRunAsync(sessionId, cancellationToken).ConfigureAwait(false);
        if (active is not null && active.Flow != FlowTemplates.DefaultName)
        {
            throw WrightException.Conflict(
                FlowErrorCodes.FlowRunActive,
                $"The session is running the flow '{active.Flow}' (run {active.Id}, {active.State}); answer it through its input or cancel it first.",
                new Dictionary<string, object?> { ["runId"] = active.Id, ["flow"] = active.Flow, ["state"] = active.State });
        }
    }

    /// <summary>
    /// The default flow's <c>answer</c> node for one chat turn: starts the answer pipeline and
    /// records the turn beside it, in the background — the request that asked gets the answer's
    /// stream at once and never waits for the record.
    /// </summary>
    /// <param name="turn">The <c>ask</c> node's output (the turn's parameters); null for a regenerate, which re-runs <c>answer</c> for the same prompt.</param>
    public async Task<AnswerStream> AnswerChatTurnAsync(AnswerStart start, Guid promptId, JsonObject? turn, CancellationToken cancellationToken)
    {
        // No merge may move the session's workspace while its answer starts (409 session_merging while one runs).
        AnswerStream stream;
        using (SessionMergeLock.BeginPrompt(start.Session.Id))
        {
            stream = await _pipeline.StartAsync(start, cancellationToken).ConfigureAwait(false);
        }

        var task = Task.Run(() => FollowAsync(start.Session, start.UserId, promptId, turn, stream), CancellationToken.None);
        lock (_gate)
        {
            _turns[stream.MessageId] = task;
        }

        _ = task.ContinueWith(
            _ =>
            {
                lock (_gate)
                {
                    _turns.Remove(stream.MessageId);
                }
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
        return stream;
    }

    /// <summary>The background recording of a chat turn (a completed task once it has ended).</summary>
    public Task ChatTurnTask(Guid assistantMessageId)
    {
        lock (_gate)
        {
            return _turns.TryGetValue(assistantMessageId, out var task) ? task : Task.CompletedTask;
        }
    }

    private async Task FollowAsync(Session session, Guid? userId, Guid promptId, JsonObject? turn, AnswerStream stream)
    {
        try
        {
            // The turn is recorded once the answer's first token is out (or it ended without one), so
            // its writes never stand between the prompt and that token; the answer's final message
            // comes with its last event.
            var begun = false;
            Message? final = null;
            await foreach (var evt in stream.ReadAsync(0, CancellationToken.None).ConfigureAwait(false))
            {
                if (!begun && evt.Type is AnswerEventTypes.Delta or AnswerEventTypes.ToolCall or AnswerEventTypes.MessageCompleted or AnswerEventTypes.Error)
                {
                    begun = true;
                    await OneAtATimeAsync(session.Id, () => BeginTurnAsync(session, userId, promptId, turn, stream.MessageId)).ConfigureAwait(false);
                }

                if (evt.Data is MessageEndedData ended)
                {
                    final = ended.Message;
                }
            }

            if (!begun)
            {
                await OneAtATimeAsync(session.Id, () => BeginTurnAsync(session, userId, promptId, turn, stream.MessageId)).ConfigureAwait(false);
            }

            await stream.Completion.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            await OneAtATimeAsync(session.Id, () => EndTurnAsync(session, stream.MessageId, final)).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The answer itself is saved by the pipeline; a lost turn record is repaired at the next
            // start (a run left mid-answer ends with its message) or by the next prompt.
            FlowLog.TurnNotRecorded(_logger, ex, session.Id, stream.MessageId);
        }
    }

    private async Task OneAtATimeAsync(Guid sessionId, Func<Task> step)
    {
        var gate = _turnLocks[(sessionId.GetHashCode() & int.MaxValue) % _turnLocks.Length];
        await gate.WaitAsync().ConfigureAwait(false);
        try
        {
            await step().ConfigureAwait(false);
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Ends <c>ask</c> with the turn (starting the run if the session has none) and enters <c>answer</c> with its message as the recorded effect.</summary>
    private async Task BeginTurnAsync(Session session, Guid? userId, Guid promptId, JsonObject? turn, Guid assistantId)
    {
        var none = CancellationToken.None;
        var now = _time.GetUtcNow();
        var checkpoints = new List<FlowCheckpoint>();
        var events = new List<(string, JsonObject)>();
        var run = await _repository.ActiveRunAsync(session.Id, none).ConfigureAwait(false);
        if (run is null)
        {
            run = NewChatRun(session, userId, now);
            if (await _repository.InsertRunAsync(run, [], none).ConfigureAwait(false))
            {
                checkpoints.Add(new FlowCheckpoint(0, AskNodeId, "start", now, null, null, 0, new JsonObject { ["prompt"] = run.PausedPrompt }, null));
                events.Add((FlowEventTypes.NodeStart, new JsonObject { ["nodeId"] = AskNodeId, ["type"] = FlowNodeTypes.UserInput, ["at"] = now }));
            }
            else
            {
                run = await _repository.ActiveRunAsync(session.Id, none).ConfigureAwait(false);
            }
        }

        if (run is null || run.Flow != FlowTemplates.DefaultName || run.Position is not { } position)
        {
            // A custom run took the session between the prompt's check and here; the chat answer stands on its own.
            return;
        }

        var head = await ChatHeadAsync(session.ProjectId, none).ConfigureAwait(false);
        var variables = (JsonObject)run.Variables.DeepClone();
        if (turn is not null)
        {
            // Paused at ask: it ends now. Still in an earlier answer (the chat lets a prompt in while
            // one streams): the run records one more ask → answer beside it.
            var waited = run.State == FlowRunStates.Paused && position.NodeId == AskNodeId ? Math.Max(0, now.ToUnixTimeMilliseconds() - position.EnteredAtMs) : 0;
            checkpoints.Add(new FlowCheckpoint(0, AskNodeId, "end", now, head, waited, 0, null, turn.DeepClone()));
            events.Add((FlowEventTypes.NodeEnd, new JsonObject { ["nodeId"] = AskNodeId, ["outputs"] = turn.DeepClone(), ["durationMs"] = waited, ["costUsd"] = 0, ["unpriced"] = false, ["at"] = now }));
            variables["request"] = turn.DeepClone();
            variables["last"] = turn.DeepClone();
        }

        var effect = new JsonObject { ["promptMessageId"] = promptId.ToString(), ["assistantMessageId"] = assistantId.ToString() };
        var inputs = (JsonObject)effect.DeepClone();
        inputs["regenerate"] = turn is null;
        checkpoints.Add(new FlowCheckpoint(0, AnswerNodeId, "start", now, head, null, 0, inputs, null));
        events.Add((FlowEventTypes.NodeStart, new JsonObject { ["nodeId"] = AnswerNodeId, ["type"] = FlowNodeTypes.Llm, ["at"] = now }));
        var next = run with
        {
            State = FlowRunStates.Running,
            Position = new FlowPosition(AnswerNodeId, true, position.Visit + 1, now.ToUnixTimeMilliseconds(), effect),
            PausedPrompt = null,
            PausedAt = null,
            Variables = variables,
            UpdatedAt = now,
        };
        var step = new FlowStep(next, [FlowRunStates.Paused, FlowRunStates.Running], checkpoints[^1], events) { Before = checkpoints.GetRange(0, checkpoints.Count - 1) };
        if (!await _repository.SaveStepAsync(step, none).ConfigureAwait(false))
        {
            return;
        }

        if (_cluster.IsShared)
        {
            // This instance answers; no other instance takes the run over while it lives. (Alone,
            // nobody else drives runs, and start-up recovery claims what it resumes.)
            await _repository.ClaimRunAsync(next.Id, _instance.Id.ToString(), now, true, none).ConfigureAwait(false);
        }
        Signal(next.Id);
        Published(next);
    }

    /// <summary>Ends <c>answer</c> with its message and pauses the run at <c>ask</c> (unless a later turn's answer is the one the run is in).</summary>
    private async Task EndTurnAsync(Session session, Guid assistantId, Message? final)
    {
        var none = CancellationToken.None;
        var run = await _repository.ActiveRunAsync(session.Id, none).ConfigureAwait(false);
        if (run is null || run.Flow != FlowTemplates.DefaultName || run.Position is not { } position)
        {
            return;
        }

        var message = final ?? await _conversations.GetMessageAsync(assistantId, none).ConfigureAwait(false);
        var (output, cost, unpriced) = await ChatAnswerOutputAsync(message, assistantId, none).ConfigureAwait(false);
        var now = _time.GetUtcNow();
        var head = await ChatHeadAsync(session.ProjectId, none).ConfigureAwait(false);
        var ours = run.State == FlowRunStates.Running && position.NodeId == AnswerNodeId && EffectMessage(position) == assistantId;
        var started = message?.CreatedAt.ToUnixTimeMilliseconds() ?? position.EnteredAtMs;
        var durationMs = Math.Max(0, now.ToUnixTimeMilliseconds() - (ours ? position.EnteredAtMs : started));
        var end = new FlowCheckpoint(0, AnswerNodeId, "end", now, head, durationMs, cost, null, output.DeepClone());
        List<(string, JsonObject)> events = [(FlowEventTypes.NodeEnd, new JsonObject { ["nodeId"] = AnswerNodeId, ["outputs"] = output.DeepClone(), ["durationMs"] = durationMs, ["costUsd"] = cost, ["unpriced"] = unpriced, ["at"] = now })];
        if (!ours)
        {
            // An earlier answer that finished while a later one streams: its end is recorded, the run stays in the later one.
            var recorded = run with { Cost = run.Cost + cost, Unpriced = run.Unpriced || unpriced, UpdatedAt = now };
            await _repository.SaveStepAsync(new FlowStep(recorded, [FlowRunStates.Running, FlowRunStates.Paused], end, events), none).ConfigureAwait(false);
            Signal(run.Id);
            return;
        }

        var variables = (JsonObject)run.Variables.DeepClone();
        variables["answer"] = output.DeepClone();
        variables["last"] = output.DeepClone();
        var paused = PausedAtAsk(run, variables, now) with { Cost = run.Cost + cost, Unpriced = run.Unpriced || unpriced };
        events.Add((FlowEventTypes.NodeStart, new JsonObject { ["nodeId"] = AskNodeId, ["type"] = FlowNodeTypes.UserInput, ["at"] = now }));
        events.Add((FlowEventTypes.WaitingForInput, new JsonObject { ["nodeId"] = AskNodeId, ["prompt"] = paused.PausedPrompt, ["at"] = now }));
        var ask = new FlowCheckpoint(0, AskNodeId, "start", now, head, null, 0, new JsonObject { ["prompt"] = paused.PausedPrompt }, null);
        if (await _repository.SaveStepAsync(new FlowStep(paused, [FlowRunStates.Running], ask, events) { Before = [end] }, none).ConfigureAwait(false))
        {
            Signal(run.Id);
            Published(paused);
        }
    }

    /// <summary>
    /// The default flow's <c>answer</c> node met by the driver (after a restart, or a takeover on a
    /// shared database): the node's effect is its assistant message, never a new model call. Null
    /// while that answer still streams in this server (its turn ends it).
    /// </summary>
    private async Task<(JsonNode? Output, decimal Cost, bool Unpriced)?> SettleChatAnswerAsync(FlowRun run, CancellationToken stop)
    {
        var assistantId = EffectMessage(run.Position!);
        if (assistantId is { } id && _pipeline.Live(id) is not null)
        {
            return null;
        }

        var message = assistantId is { } found ? await _conversations.GetMessageAsync(found, stop).ConfigureAwait(false) : null;
        return await ChatAnswerOutputAsync(message, assistantId, stop).ConfigureAwait(false);
    }

    /// <summary>The output of a chat answer: its message, status (a message still marked streaming here was cut off: interrupted) and text.</summary>
    private async Task<(JsonObject Output, decimal Cost, bool Unpriced)> ChatAnswerOutputAsync(Message? message, Guid? assistantId, CancellationToken cancellationToken)
    {
        var status = message is null ? "interrupted" : message.Status == MessageStatus.Streaming ? "interrupted" : message.Status.ToString().ToLowerInvariant();
        var output = new JsonObject { ["messageId"] = assistantId?.ToString(), ["status"] = status, ["text"] = message?.Content };
        if (message?.ErrorCode is { } code)
        {
            output["errorCode"] = code;
        }

        var record = message is null ? null : await _answers.GetAnswerAsync(message.Id, cancellationToken).ConfigureAwait(false);
        return (output, record?.Cost ?? 0, record?.Unpriced ?? false);
    }

    /// <summary>
    /// The commit of a chat turn's checkpoints, read from <c>.git</c>'s files (HEAD, then the loose
    /// ref or <c>packed-refs</c>) so that recording a turn starts no git process beside the answer;
    /// git itself answers whenever the layout is anything else (a worktree, a detached gitdir).
    /// </summary>
    private async Task<string?> ChatHeadAsync(Guid projectId, CancellationToken cancellationToken)
    {
        var project = await _projects.GetAsync(projectId, cancellationToken).ConfigureAwait(false);
        if (project is null)
        {
            return null;
        }

        try
        {
            var git = Path.Combine(project.RootPath, ".git");
            if (Directory.Exists(git))
            {
                var head = (await File.ReadAllTextAsync(Path.Combine(git, "HEAD"), cancellationToken).ConfigureAwait(false)).Trim();
                if (!head.StartsWith("ref: ", StringComparison.Ordinal))
                {
                    return IsSha(head) ? head : null;
                }

                var name = head[5..];
                if (name.StartsWith("refs/", StringComparison.Ordinal) && !name.Contains("..", StringComparison.Ordinal))
                {
                    var loose = Path.Combine(git, name);
                    if (File.Exists(loose) && (await File.ReadAllTextAsync(loose, cancellationToken).ConfigureAwait(false)).Trim() is var sha && IsSha(sha))
                    {
                        return sha;
                    }

                    var packed = Path.Combine(git, "packed-refs");
                    if (File.Exists(packed))
                    {
                        foreach (var line in await File.ReadAllLinesAsync(packed, cancellationToken).ConfigureAwait(false))
                        {
                            if (line.EndsWith(" " + name, StringComparison.Ordinal) && line[..line.IndexOf(' ', StringComparison.Ordinal)] is var found && IsSha(found))
                            {
                                return found;
                            }
                        }
                    }
                }
            }
        }
        catch (IOException)
        {
            // Caught mid-update (git writes a ref through a lock file and a rename): git answers.
        }

        return await HeadAsync(projectId, cancellationToken).ConfigureAwait(false);
    }

    private static bool IsSha(string text) => text.Length is 40 or 64 && text.All(char.IsAsciiHexDigitLower);

    private static Guid? EffectMessage(FlowPosition position) =>
        position.Effect?["assistantMessageId"]?.GetValue<string>() is { } text && Guid.TryParse(text, out var id) ? id : null;

    private FlowRun NewChatRun(Session session, Guid? userId, DateTimeOffset now)
    {
        var graph = FlowTemplates.Default;
        var run = new FlowRun(Guid.CreateVersion7(now), session.Id, session.ProjectId, userId, FlowTemplates.DefaultName, graph, FlowRunStates.Paused, null, null, null, new JsonObject { ["input"] = null }, null, null, 0, false, now, now, null);
        return PausedAtAsk(run, run.Variables, now);
    }

    private static FlowRun PausedAtAsk(FlowRun run, JsonObject variables, DateTimeOffset now) => run with
    {
        State = FlowRunStates.Paused,
        Position = new FlowPosition(AskNodeId, true, (run.Position?.Visit ?? 0) + 1, now.ToUnixTimeMilliseconds()),
        PausedPrompt = run.Graph.Node(AskNodeId)?.Prompt,
        PausedAt = now,
        Variables = variables,
        UpdatedAt = now,
    };
}

/// <summary>Log messages of the chat's turns in the default flow.</summary>
internal static partial class FlowLog
{
    [LoggerMessage(EventId = 9508, Level = LogLevel.Warning, Message = "The chat turn of session {SessionId} (answer {MessageId}) was not recorded in its default flow run")]
    public static partial void TurnNotRecorded(ILogger logger, Exception exception, Guid sessionId, Guid messageId);
}
