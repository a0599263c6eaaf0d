using System.Text;
using Microsoft.Extensions.Options;
using Wright.Core.Conversations;
using Wright.Core.Llm;

namespace Wright.Core.Answers;

/// <summary>The text and tool calls of the whole answer so far, as its message shows them.</summary>
public sealed class AnswerText
{
    public StringBuilder Text { get; } = new();

    public List<ToolCall> Calls { get; } = [];
}

/// <summary>What one provider call returned, and its account.</summary>
public sealed record StepOutput(string Text, IReadOnlyList<ToolCall> Calls, LlmUsage? Usage, StepAccount Account);

/// <summary>
/// The answer's turn could not be stored, so its provider call was cancelled and nothing of it
/// recorded. Wrapped so that a step's own failure handling (which ends the call's row) never takes
/// it for a provider failure.
/// </summary>
public sealed class TurnNotStoredException(Exception inner) : Exception("The prompt and its answer could not be stored.", inner);

/// <summary>A provider call that did not end normally: how it ended, with its account.</summary>
public sealed class ModelStepFailed(StepAccount account, Exception inner) : Exception(inner.Message, inner)
{
    public StepAccount Account { get; } = account;
}

/// <summary>
/// ModelStep: one provider call of an answer. Streams text and tool calls to the answer's clients
/// and (in batches) to its message; the call's AiRequest row exists from the moment the call starts
/// and is ended with its timings, usage, cost (or <c>unpriced</c>) or error.
/// </summary>
public sealed class ModelStep
{
    private readonly LlmStreamer _streamer;
    private readonly Recorder _recorder;
    private readonly ConversationsOptions _options;
    private readonly TimeProvider _time;

    public ModelStep(LlmStreamer streamer, Recorder recorder, IOptions<ConversationsOptions> options, TimeProvider time)
    {
        _streamer = streamer;
        _recorder = recorder;
        _options = options.Value;
        _time = time;
    }

    /// <summary>The catalog price of a call, or null when the model has no known price (reported <c>unpriced</c>, never 0).</summary>
    public static decimal? CostOf(ResolvedModel model, LlmUsage usage) =>
        model.Info is { InputCostPerToken: not null } info ? info.CostOf(usage.InputTokens, usage.OutputTokens, usage.CacheReadTokens, usage.CacheWriteTokens) : null;

    /// <summary>
    /// Waits for the answer's turn to be stored. When it could not be, the answer is cancelled (by
    /// the pipeline) and this waits for the call in flight to end before throwing: nothing of it is
    /// recorded.
    /// </summary>
    private static async Task WaitForTurnStoredAsync(AnswerScope scope, ValueTask<bool> next)
    {
        if (scope.TurnStored.IsCompletedSuccessfully)
        {
            return;
        }

        try
        {
            await scope.TurnStored.ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            scope.OutputStarted();
            try
            {
                await next.ConfigureAwait(false);
            }
            catch (Exception)
            {
                // The call's own ending (cancelled, most often) is not what failed.
            }

            throw new TurnNotStoredException(ex);
        }
    }

    /// <summary>Sends <paramref name="request"/> as step <paramref name="step"/>; throws <see cref="ModelStepFailed"/> when the call fails or is cancelled.</summary>
    public async Task<StepOutput> RunAsync(AnswerScope scope, PreparedRequest request, int step, AnswerText answer, CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        var startedAt = _time.GetUtcNow();
        long? ttft = null;
        var text = new StringBuilder();
        var calls = new List<ToolCall>();
        LlmUsage? usage = null;
        var attempt = 1;
        // The call's row is written beside the call (the first token does not wait for the
        // database); it is awaited before the row is ended or the step returns.
        var (row, inserted) = _recorder.RequestStarting(scope, attempt, request.Messages.Count + 1, cancellationToken);
        var lastFlush = _time.GetTimestamp();
        try
        {
            await using var updates = _streamer.StreamAsync(request.ToLlmRequest(scope.Model), cancellationToken).GetAsyncEnumerator(cancellationToken);

            // The call goes out now; its output waits for the turn it belongs to being stored,
            // which runs beside the call instead of before it.
            var next = updates.MoveNextAsync();
            await WaitForTurnStoredAsync(scope, next).ConfigureAwait(false);
            for (; await next.ConfigureAwait(false); next = updates.MoveNextAsync())
            {
                var update = updates.Current;
                switch (update)
                {
                    case LlmAttemptFailed failed:
                        // That attempt's row ends as it failed; the next attempt gets its own.
                        scope.OutputStarted();
                        await inserted.ConfigureAwait(false);
                        await _recorder.RequestEndedAsync(row with { Attempt = failed.Attempt, Status = AiRequestStatuses.Error, DurationMs = (long)failed.Duration.TotalMilliseconds, ErrorCode = failed.Code, ErrorDetail = failed.Detail }).ConfigureAwait(false);
                        attempt = failed.Attempt + 1;
                        row = await _recorder.RequestStartedAsync(scope, attempt, request.Messages.Count + 1, cancellationToken).ConfigureAwait(false);
                        break;
                    case LlmTextDelta delta:
                        ttft ??= (long)_time.GetElapsedTime(started).TotalMilliseconds;
                        text.Append(delta.Text);
                        answer.Text.Append(delta.Text);

                        // Clients first; the text so far is saved beside the relay, so a busy
                        // database never holds a chunk back (with a hundred answers streaming,
                        // waiting here queued every chunk behind the other answers' writes).
                        if (_time.GetElapsedTime(lastFlush) >= _options.FlushInterval)
                        {
                            _recorder.SaveProgress(scope, answer.Text.ToString(), [.. answer.Calls]);
                            lastFlush = _time.GetTimestamp();
                            if (_options.FlushInterval <= TimeSpan.Zero)
                            {
                                // A zero interval asks for every chunk to be stored before anyone sees it.
                                await _recorder.ProgressSavedAsync(scope).ConfigureAwait(false);
                            }
                        }

                        _recorder.Delta(scope, delta.Text);

                        // Relayed (clients write on this thread): the writes that waited for it may go.
                        scope.OutputStarted();

                        break;
                    case LlmToolCall call:
                        ttft ??= (long)_time.GetElapsedTime(started).TotalMilliseconds;

                        // The partial saves in flight land before this one.
                        await _recorder.ProgressSavedAsync(scope).ConfigureAwait(false);
                        var toolCall = new ToolCall(call.Id, call.Name, call.ArgumentsJson);
                        calls.Add(toolCall);
                        answer.Calls.Add(toolCall);
                        await _recorder.ContentAsync(scope, answer.Text.ToString(), answer.Calls, cancellationToken).ConfigureAwait(false);
                        lastFlush = _time.GetTimestamp();
                        _recorder.ToolCall(scope, toolCall);
                        scope.OutputStarted();
                        break;
                    case LlmUsage reported:
                        usage = reported;
                        break;
                }
            }

            await _recorder.ProgressSavedAsync(scope).ConfigureAwait(false);
            scope.OutputStarted();
            await inserted.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is LlmCallFailed or Errors.WrightException || (ex is OperationCanceledException && cancellationToken.IsCancellationRequested))
        {
            scope.OutputStarted();

            // A save of the partial text still running must not land after the final one.
            await _recorder.ProgressSavedAsync(scope).ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default).ConfigureAwait(false);
            await inserted.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default).ConfigureAwait(false);
            var (status, code, detail) = ex switch
            {
                LlmCallFailed failed => (AiRequestStatuses.Error, failed.Error.Code, failed.Error.Message),
                Errors.WrightException wright => (AiRequestStatuses.Error, wright.Code, wright.Message),
                _ when scope.Stream.CancelReason == AnswerCancelReason.ServerStopping => (AiRequestStatuses.Interrupted, "interrupted", (string?)null),
                _ => (AiRequestStatuses.Cancelled, (string?)null, (string?)null),
            };
            if (ex is LlmCallFailed { Retried.Count: > 0 } retried)
            {
                // Attempts that failed before the last one: each its own ended row.
                foreach (var earlier in retried.Retried)
                {
                    await _recorder.RequestEndedAsync(row with { Attempt = earlier.Attempt, Status = AiRequestStatuses.Error, DurationMs = (long)earlier.Duration.TotalMilliseconds, ErrorCode = earlier.Code, ErrorDetail = earlier.Detail }).ConfigureAwait(false);
                    row = await _recorder.RequestStartedAsync(scope, earlier.Attempt + 1, request.Messages.Count + 1, CancellationToken.None).ConfigureAwait(false);
                }
            }

            var duration = (long)_time.GetElapsedTime(started).TotalMilliseconds;
            await _recorder.RequestEndedAsync(row with { Status = status, TtftMs = ttft, DurationMs = duration, ErrorCode = code, ErrorDetail = detail }).ConfigureAwait(false);
            throw new ModelStepFailed(new StepAccount(step, startedAt, null, 0m, false, ttft, duration, status, code, detail), ex);
        }

        var cost = usage is null ? 0m : CostOf(scope.Model, usage);
        var account = new StepAccount(step, startedAt, usage, cost ?? 0m, cost is null, ttft, (long)_time.GetElapsedTime(started).TotalMilliseconds, AiRequestStatuses.Complete, null, null);
        await _recorder.RequestEndedAsync(row with
        {
            Status = AiRequestStatuses.Complete,
            TtftMs = ttft,
            DurationMs = account.DurationMs,
            InputTokens = usage?.InputTokens ?? 0,
            OutputTokens = usage?.OutputTokens ?? 0,
            CacheReadTokens = usage?.CacheReadTokens ?? 0,
            CacheWriteTokens = usage?.CacheWriteTokens ?? 0,
            Cost = account.Cost,
        }).ConfigureAwait(false);
        if (usage is not null)
        {
            _recorder.Usage(scope, usage, cost, ttft);
        }

        return new StepOutput(text.ToString(), calls, usage, account);
    }
}
