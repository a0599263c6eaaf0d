using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Wright.Core.Context;
using Wright.Core.Conversations;
using Wright.Core.Engine;
using Wright.Core.Llm;

namespace Wright.Core.Answers;

/// <summary>
/// A model's summary of a conversation's earlier turns: every turn on the path up to and including
/// <see cref="ThroughMessageId"/> (the last message of the last turn it covers). A path to a message
/// is unique in the conversation tree, so one summary serves every later prompt below that message,
/// on any branch.
/// </summary>
public sealed record HistorySummary(Guid Id, Guid SessionId, Guid ThroughMessageId, int Turns, string Text, string Model, int Tokens, DateTimeOffset CreatedAt);

/// <summary>Stores the history summaries of sessions.</summary>
public interface IHistorySummaryRepository
{
    /// <summary>Every summary of a session, oldest first.</summary>
    Task<IReadOnlyList<HistorySummary>> ListSummariesAsync(Guid sessionId, CancellationToken cancellationToken);

    /// <summary>Stores a summary; a second summary through the same message keeps the first (the one earlier requests were sent with).</summary>
    Task<HistorySummary> SaveSummaryAsync(HistorySummary summary, CancellationToken cancellationToken);
}

/// <summary>One earlier turn of the path: its prompt, its answer and the messages they were sent as.</summary>
public sealed record HistoryTurn(Message Prompt, Message? Answer, IReadOnlyList<TurnMessage> Messages)
{
    /// <summary>The message a summary through this turn is keyed by.</summary>
    public Guid LastId => Answer?.Id ?? Prompt.Id;
}

/// <summary>
/// Makes history summaries: one model call (the session's model unless
/// <c>Engine:Summarization:Model</c> names another), recorded as a provider call of the session
/// (its row in <c>ai_requests</c>, tokens and cost), and the summary stored for reuse. The request
/// itself is built by <see cref="Prepare.SummaryRequest"/>.
/// </summary>
public sealed class HistorySummarizer
{
    private readonly LlmStreamer _streamer;
    private readonly ProviderRegistry _registry;
    private readonly IHistorySummaryRepository _summaries;
    private readonly IConversationRepository _conversations;
    private readonly TokenEstimator _estimator;
    private readonly EngineOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<HistorySummarizer> _logger;

    public HistorySummarizer(LlmStreamer streamer, ProviderRegistry registry, IHistorySummaryRepository summaries, IConversationRepository conversations, TokenEstimator estimator, IOptions<EngineOptions> options, TimeProvider time, ILogger<HistorySummarizer> logger)
    {
        _streamer = streamer;
        _registry = registry;
        _summaries = summaries;
        _conversations = conversations;
        _estimator = estimator;
        _options = options.Value;
        _time = time;
        _logger = logger;
    }

    public Task<IReadOnlyList<HistorySummary>> StoredAsync(Guid sessionId, CancellationToken cancellationToken) =>
        _summaries.ListSummariesAsync(sessionId, cancellationToken);

    /// <summary>
    /// Summarizes <paramref name="turns"/> (continuing <paramref name="earlier"/>, the summary of the
    /// turns before them, when there is one) and stores the result. A failed call throws the
    /// provider's error: the prompt is not sent with a history that does not fit.
    /// </summary>
    public async Task<HistorySummary> SummarizeAsync(Guid sessionId, ResolvedModel sessionModel, HistorySummary? earlier, IReadOnlyList<HistoryTurn> turns, CancellationToken cancellationToken)
    {
        var model = _options.Summarization.Model is { Length: > 0 } name ? await _registry.ResolveAsync(name, cancellationToken).ConfigureAwait(false) : sessionModel;
        var request = Prepare.SummaryRequest(model, earlier?.Text, turns, _options.Summarization.MaxSummaryTokens, _options.DefaultContextWindow);
        var started = _time.GetTimestamp();
        var row = new AiRequest(
            Guid.NewGuid(), sessionId, null, 1, model.Endpoint.Name, model.Name.Model,
            JsonSerializer.Serialize(new { purpose = "history_summary", maxOutputTokens = request.MaxTokens, messages = request.Messages.Count + 1 }),
            AiRequestStatuses.Streaming, _time.GetUtcNow(), null, null, 0, 0, 0, 0, 0m, ModelInfo.Currency, null, null);
        await _conversations.InsertRequestAsync(row, cancellationToken).ConfigureAwait(false);
        var text = new StringBuilder();
        LlmUsage? usage = null;
        long? ttft = null;
        try
        {
            await foreach (var update in _streamer.StreamAsync(request.ToLlmRequest(model), cancellationToken).ConfigureAwait(false))
            {
                switch (update)
                {
                    case LlmTextDelta delta:
                        ttft ??= (long)_time.GetElapsedTime(started).TotalMilliseconds;
                        text.Append(delta.Text);
                        break;
                    case LlmUsage reported:
                        usage = reported;
                        break;
                }
            }
        }
        catch (Exception ex) when (ex is LlmCallFailed or Errors.WrightException or OperationCanceledException)
        {
            var (status, code) = ex switch
            {
                LlmCallFailed failed => (AiRequestStatuses.Error, failed.Error.Code),
                Errors.WrightException wright => (AiRequestStatuses.Error, wright.Code),
                _ => (AiRequestStatuses.Cancelled, (string?)null),
            };
            await EndAsync(row with { Status = status, TtftMs = ttft, DurationMs = (long)_time.GetElapsedTime(started).TotalMilliseconds, ErrorCode = code, ErrorDetail = code is null ? null : ex.Message }).ConfigureAwait(false);

            // The provider's own error (its code and status) reaches the answer or the preview.
            if (ex is LlmCallFailed call)
            {
                throw call.Error;
            }

            throw;
        }

        var cost = usage is null ? 0m : ModelStep.CostOf(model, usage) ?? 0m;
        await EndAsync(row with
        {
            Status = AiRequestStatuses.Complete,
            TtftMs = ttft,
            DurationMs = (long)_time.GetElapsedTime(started).TotalMilliseconds,
            InputTokens = usage?.InputTokens ?? 0,
            OutputTokens = usage?.OutputTokens ?? 0,
            CacheReadTokens = usage?.CacheReadTokens ?? 0,
            CacheWriteTokens = usage?.CacheWriteTokens ?? 0,
            Cost = cost,
        }).ConfigureAwait(false);

        var summaryText = text.ToString().Trim();
        if (summaryText.Length == 0)
        {
            throw new Errors.WrightException(Errors.ErrorKind.BadGateway, Errors.ErrorCodes.HistorySummaryEmpty, "The model returned an empty summary of the earlier conversation.");
        }

        var covered = (earlier?.Turns ?? 0) + turns.Count;
        var summary = new HistorySummary(Guid.NewGuid(), sessionId, turns[^1].LastId, covered, summaryText, model.Name.ToString(), _estimator.Estimate(summaryText, model.Name.ToString()), _time.GetUtcNow());
        var stored = await _summaries.SaveSummaryAsync(summary, cancellationToken).ConfigureAwait(false);
        HistoryLog.Summarized(_logger, sessionId, covered, stored.Tokens);
        return stored;
    }

    private async Task EndAsync(AiRequest row)
    {
        using var bounded = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _conversations.UpdateRequestAsync(row, bounded.Token).ConfigureAwait(false);
    }
}

internal static partial class HistoryLog
{
    [LoggerMessage(EventId = 7031, Level = LogLevel.Information, Message = "Session {SessionId}: summarized its first {Turns} turns in about {Tokens} tokens")]
    public static partial void Summarized(ILogger logger, Guid sessionId, int turns, int tokens);
}
