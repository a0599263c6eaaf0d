using System.Text.Json;
using Microsoft.Extensions.Logging;
using Wright.Core.Actions;
using Wright.Core.Cluster;
using Wright.Core.Context;
using Wright.Core.Conversations;
using Wright.Core.Engine;
using Wright.Core.Events;
using Wright.Core.Llm;

namespace Wright.Core.Answers;

/// <summary>
/// One answer in progress as the pipeline's steps share it: the session, the prompt and the
/// assistant message being written, the live stream its events go to, the model and policy.
/// </summary>
public sealed class AnswerScope(Session session, Message prompt, Message assistant, AnswerStream stream, ResolvedModel model, Guid? userId, CommandApprovalPolicy? approvalOverride)
{
    private readonly TaskCompletionSource _firstOutput = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private DateTimeOffset _lastRequestStart = DateTimeOffset.MinValue;
    private AiRequest? _firstRequest;

    public Session Session { get; } = session;

    public Message Prompt { get; } = prompt;

    public Message Assistant { get; } = assistant;

    public AnswerStream Stream { get; } = stream;

    public ResolvedModel Model { get; } = model;

    public Guid? UserId { get; } = userId;

    /// <summary>A policy that wins over the project's (the CLI's <c>--approve</c>).</summary>
    public CommandApprovalPolicy? ApprovalOverride { get; } = approvalOverride;

    /// <summary>
    /// Completes when the provider's first output of the answer has been relayed (or its first call
    /// ended without any). A write that need not precede the first token (the prompt's Context)
    /// waits for it, so it never competes with the request going out on a busy machine.
    /// </summary>
    public Task FirstOutput => _firstOutput.Task;

    internal void OutputStarted() => _firstOutput.TrySetResult();

    /// <summary>
    /// Completes once the prompt and the answer's message are stored (<see cref="Recorder.BeginAsync"/>),
    /// which runs beside Prepare and the first provider call instead of before them. Nothing else
    /// of the answer is written, and none of the provider's output handled, before it; when it
    /// faults, nothing of the answer is recorded at all.
    /// </summary>
    public Task TurnStored { get; internal set; } = Task.CompletedTask;

    /// <summary>Keeps the first provider call's row, stored with the prompt, for the call that takes it.</summary>
    internal void HoldFirstRequest(AiRequest row) => _firstRequest = row;

    /// <summary>The first provider call's row, stored with the prompt; null once a call took it.</summary>
    internal AiRequest? TakeFirstRequest()
    {
        var first = _firstRequest;
        _firstRequest = null;
        return first;
    }

    /// <summary>
    /// The start time of the next provider call row: its real start, unless that falls within the
    /// millisecond of the previous row (the stored order is by start time, at millisecond precision).
    /// </summary>
    internal DateTimeOffset NextRequestStart(DateTimeOffset now)
    {
        var start = now > _lastRequestStart.AddMilliseconds(1) ? now : _lastRequestStart.AddMilliseconds(1);
        _lastRequestStart = start;
        return start;
    }
}

/// <summary>
/// Recorder: the one writer of an answer's rows — its messages, its prompt's Context, its
/// provider calls (each row created when the call starts and ended when it ends), its record and
/// state between steps — and the one publisher of its events.
/// </summary>
public sealed partial class Recorder
{
    private readonly IConversationRepository _conversations;
    private readonly IContextRepository _contexts;
    private readonly IAnswerRepository _answers;
    private readonly IEventBus _bus;
    private readonly TimeProvider _time;
    private readonly ILogger<Recorder> _logger;

    private readonly AnswerLeases _leases;
    private readonly ProgressSaves _progress;

    public Recorder(IConversationRepository conversations, IContextRepository contexts, IAnswerRepository answers, IEventBus bus, TimeProvider time, ILogger<Recorder> logger, AnswerLeases leases)
    {
        _leases = leases;
        _conversations = conversations;
        _contexts = contexts;
        _answers = answers;
        _bus = bus;
        _time = time;
        _logger = logger;
        _progress = new ProgressSaves(conversations.UpdateStreamingContentAsync, time);
    }

    /// <summary>
    /// Stores the new user message (when there is one) and the streaming assistant message on a
    /// pool thread, moves the session's leaf to it and announces both; the returned task is the
    /// storing. The first provider call's row is stored with them (no write of its own on the way
    /// to the first token): it is held for that call before this returns, and the call ends it
    /// with its real start and parameters.
    /// </summary>
    public Task BeginAsync(AnswerScope scope, Message? user, CancellationToken cancellationToken)
    {
        var first = NewRequestRow(scope, 1, 0);
        scope.HoldFirstRequest(first);
        return Task.Run(() => StoreTurnAsync(scope, user, first, cancellationToken), CancellationToken.None);
    }

    private async Task StoreTurnAsync(AnswerScope scope, Message? user, AiRequest first, CancellationToken cancellationToken)
    {
        var session = scope.Session;
        var inserted = user is null ? new[] { scope.Assistant } : [user, scope.Assistant];
        await _conversations.InsertTurnAsync(session with { CurrentLeafId = scope.Assistant.Id, UpdatedAt = scope.Assistant.CreatedAt }, inserted, first, cancellationToken).ConfigureAwait(false);
        // This instance owns the answer while it streams; another instance marks it interrupted only after the lease lapses.
        await _leases.ClaimAsync(scope.Assistant.Id, cancellationToken).ConfigureAwait(false);
        scope.Stream.Append(AnswerEventTypes.MessageCreated, new MessageCreatedData(session.Id, scope.Assistant, user));
        if (user is not null)
        {
            _bus.Publish(SessionEventTypes.MessageCreated, session.ProjectId, new MessageEventData(session.Id, user.Id, user.Role, user.Status));
        }

        _bus.Publish(SessionEventTypes.MessageCreated, session.ProjectId, new MessageEventData(session.Id, scope.Assistant.Id, scope.Assistant.Role, scope.Assistant.Status));
    }

    public void Branched(AnswerScope scope, string branch, string commit) =>
        scope.Stream.Append(EngineEventTypes.GitBranch, new GitBranchEventData(scope.Assistant.Id, branch, commit));

    /// <summary>Stores the prompt's Context and announces what it holds.</summary>
    public async Task ContextAsync(AnswerScope scope, ContextRecord context, CancellationToken cancellationToken)
    {
        await scope.TurnStored.ConfigureAwait(false);
        await _contexts.SaveContextAsync(new StoredContext(scope.Session.Id, scope.Prompt.Id, context), cancellationToken).ConfigureAwait(false);
        scope.Stream.Append(EngineEventTypes.Context, new ContextEventData(
            scope.Assistant.Id,
            scope.Prompt.Id,
            context.Turn,
            context.TokenCount,
            context.BudgetTokens,
            context.FilesSent.Select(f => f.Path).ToList(),
            context.Sources));
    }

    /// <summary>The row of a provider call, created as the call starts.</summary>
    public async Task<AiRequest> RequestStartedAsync(AnswerScope scope, int attempt, int messages, CancellationToken cancellationToken)
    {
        var row = NewRequestRow(scope, attempt, messages);
        await _conversations.InsertRequestAsync(row, cancellationToken).ConfigureAwait(false);
        return row;
    }

    /// <summary>
    /// The row of a provider call as it starts: the first call's, stored with the prompt, or a new
    /// one inserted on another thread so the call goes out beside the database write instead of
    /// after it. The insert must be awaited before the row is ended.
    /// </summary>
    public (AiRequest Row, Task Inserted) RequestStarting(AnswerScope scope, int attempt, int messages, CancellationToken cancellationToken)
    {
        var row = NewRequestRow(scope, attempt, messages);
        if (scope.TakeFirstRequest() is { } first)
        {
            return (row with { Id = first.Id }, scope.TurnStored);
        }

        return (row, Task.Run(() => _conversations.InsertRequestAsync(row, cancellationToken), CancellationToken.None));
    }

    private AiRequest NewRequestRow(AnswerScope scope, int attempt, int messages)
    {
        var model = scope.Model;
        var parameters = JsonSerializer.Serialize(new { maxOutputTokens = model.MaxOutputTokens, temperature = (float?)null, messages });
        return new AiRequest(Guid.NewGuid(), scope.Session.Id, scope.Assistant.Id, attempt, model.Endpoint.Name, model.Name.Model, parameters, AiRequestStatuses.Streaming, scope.NextRequestStart(_time.GetUtcNow()), null, null, 0, 0, 0, 0, 0m, ModelInfo.Currency, null, null);
    }

    /// <summary>Removes the first call's row when the answer ended before making that call (a failed Prepare, a stop right away); never throws.</summary>
    public async Task FirstRequestUnusedAsync(AnswerScope scope)
    {
        if (scope.TakeFirstRequest() is not { } unused)
        {
            return;
        }

        try
        {
            using var bounded = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await _conversations.DeleteUnsentRequestAsync(unused.Id, bounded.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The row stays 'streaming' and start-up recovery marks it interrupted.
            AnswerLog.RecordFailed(_logger, ex, "request", scope.Assistant.Id);
        }
    }

    /// <summary>Ends a provider call's row; never throws (a lost row must not lose the answer).</summary>
    public async Task RequestEndedAsync(AiRequest row)
    {
        try
        {
            // Not the answer's token: a cancelled call's row must still be ended.
            using var bounded = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await _conversations.UpdateRequestAsync(row, bounded.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The row stays 'streaming' and start-up recovery marks it interrupted.
            AnswerLog.RecordFailed(_logger, ex, "request", row.MessageId ?? Guid.Empty);
        }
    }

    /// <summary>A provider attempt that failed before any token and was retried: a row of its own.</summary>
    public async Task AttemptFailedAsync(AnswerScope scope, LlmAttemptFailed failed, int messages, CancellationToken cancellationToken)
    {
        var row = await RequestStartedAsync(scope, failed.Attempt, messages, cancellationToken).ConfigureAwait(false);
        await RequestEndedAsync(row with { Status = AiRequestStatuses.Error, DurationMs = (long)failed.Duration.TotalMilliseconds, ErrorCode = failed.Code, ErrorDetail = failed.Detail }).ConfigureAwait(false);
    }

    public void Delta(AnswerScope scope, string text) => scope.Stream.Append(AnswerEventTypes.Delta, new DeltaData(scope.Assistant.Id, text));

    public void ToolCall(AnswerScope scope, ToolCall call) => scope.Stream.Append(AnswerEventTypes.ToolCall, new ToolCallData(scope.Assistant.Id, call));

    /// <summary>Saves the answer's text and tool calls so far, now.</summary>
    public Task ContentAsync(AnswerScope scope, string text, IReadOnlyList<ToolCall> calls, CancellationToken cancellationToken) =>
        _conversations.UpdateStreamingContentAsync([new StreamingContent(scope.Assistant.Id, text, calls, _time.GetUtcNow())], cancellationToken);

    /// <summary>Saves the answer's text so far beside its relay, together with the other streaming answers' (<see cref="ProgressSaves"/>).</summary>
    public void SaveProgress(AnswerScope scope, string text, IReadOnlyList<ToolCall> calls) => _progress.Save(scope.Assistant.Id, text, calls);

    /// <summary>Completes when the answer's progress saves asked for so far have landed (or failed: its exception).</summary>
    public Task ProgressSavedAsync(AnswerScope scope) => _progress.SavedAsync(scope.Assistant.Id);

    public void Usage(AnswerScope scope, LlmUsage usage, decimal? cost, long? ttftMs) =>
        scope.Stream.Append(AnswerEventTypes.Usage, new UsageData(scope.Assistant.Id, scope.Model.Endpoint.Name, scope.Model.Name.Model, usage.InputTokens, usage.OutputTokens, usage.CacheReadTokens, usage.CacheWriteTokens, cost, ModelInfo.Currency, ttftMs) { Unpriced = cost is null });

    public void ToolResult(AnswerScope scope, string callId, string name, bool ok, string? code, string output) =>
        scope.Stream.Append(EngineEventTypes.ToolResult, new ToolResultEventData(scope.Assistant.Id, callId, name, ok, code, output));

    public void CommandOutput(AnswerScope scope, string callId, string text) =>
        scope.Stream.Append(EngineEventTypes.CommandOutput, new CommandOutputEventData(scope.Assistant.Id, callId, text));

    public void ApprovalRequired(AnswerScope scope, Guid approvalId, string callId, string command) =>
        scope.Stream.Append(EngineEventTypes.ApprovalRequired, new ApprovalRequiredEventData(scope.Assistant.Id, approvalId, callId, command));

    public void ApprovalResolved(AnswerScope scope, Guid approvalId, bool approved) =>
        scope.Stream.Append(EngineEventTypes.ApprovalResolved, new ApprovalResolvedEventData(scope.Assistant.Id, approvalId, approved));

    public void Committed(AnswerScope scope, ActionRunResult result) =>
        scope.Stream.Append(EngineEventTypes.ActionCommitted, new ActionCommittedEventData(scope.Assistant.Id, result.ActionId, result.Commit!.Sha, result.Commit.Subject, result.Changes, result.UserCommit?.Sha));

    public void ActionFailed(AnswerScope scope, ActionRunResult result) =>
        scope.Stream.Append(EngineEventTypes.ActionFailed, new ActionFailedEventData(scope.Assistant.Id, result.ActionId, result.Failure!));

    /// <summary>Saves the answer's record and its state between steps.</summary>
    public Task SaveAsync(AnswerRecord record, CancellationToken cancellationToken) => _answers.SaveAnswerAsync(record, cancellationToken);

    /// <summary>Saves the final record and announces why the answer stopped; never throws.</summary>
    public async Task StoppedAsync(AnswerScope scope, AnswerRecord record)
    {
        try
        {
            using var bounded = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await _answers.SaveAnswerAsync(record, bounded.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The message itself is still saved; only the answer's record is missing.
            AnswerLog.RecordFailed(_logger, ex, "answer", scope.Assistant.Id);
        }

        scope.Stream.Append(EngineEventTypes.AnswerStopped, new AnswerStoppedEventData(scope.Assistant.Id, record.StopReason ?? StopReasons.Completed, record.StopDetail, record.Steps, record.Unpriced ? null : record.Cost, record.Commits) { Unpriced = record.Unpriced });
    }

    /// <summary>Saves the message's final state, runs <paramref name="afterComplete"/> for a complete one, then ends the stream.</summary>
    public async Task FinishedAsync(AnswerScope scope, Message final, Func<CancellationToken, Task>? afterComplete)
    {
        try
        {
            // Not the answer's token (it may be the reason we are here): the final state must be saved.
            using var bounded = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await _conversations.FinishMessageAsync(final, null, [], bounded.Token).ConfigureAwait(false);
            if (final.Status == MessageStatus.Complete && afterComplete is not null)
            {
                await afterComplete(bounded.Token).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The message stays 'streaming' in the database with its last batch of text, and the
            // next start-up marks it interrupted: nothing is lost beyond the last batch.
            AnswerLog.RecordFailed(_logger, ex, "message", final.Id);
        }

        scope.Stream.Append(final.Status == MessageStatus.Error ? AnswerEventTypes.Error : AnswerEventTypes.MessageCompleted, new MessageEndedData(final, final.ErrorCode, final.ErrorDetail));
        scope.Stream.Finish();
        _bus.Publish(SessionEventTypes.MessageCompleted, scope.Session.ProjectId, new MessageEventData(scope.Session.Id, final.Id, final.Role, final.Status));
    }
}
