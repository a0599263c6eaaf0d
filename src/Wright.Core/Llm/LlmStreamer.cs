using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Wright.Core.Errors;

namespace Wright.Core.Llm;

/// <summary>One piece of a streamed answer.</summary>
public abstract record LlmUpdate;

/// <summary>Text to append to the answer.</summary>
public sealed record LlmTextDelta(string Text) : LlmUpdate;

/// <summary>A complete tool call: its id, tool name and arguments as a JSON object text.</summary>
public sealed record LlmToolCall(string Id, string Name, string ArgumentsJson) : LlmUpdate;

/// <summary>
/// Token counts as the provider reported them. <see cref="InputTokens"/> counts every prompt
/// token, cache reads and writes included.
/// </summary>
public sealed record LlmUsage(long InputTokens, long OutputTokens, long CacheReadTokens, long CacheWriteTokens) : LlmUpdate;

/// <summary>An attempt that failed before any token and was retried; reported so every provider call is accounted.</summary>
public sealed record LlmAttemptFailed(int Attempt, string Code, string Detail, TimeSpan Duration) : LlmUpdate;

/// <summary>The stream ended normally, for this reason (stop, length, tool_calls…).</summary>
public sealed record LlmFinished(string? Reason) : LlmUpdate;

/// <summary>What to ask a model: the conversation so far (oldest first) and the sampling parameters.</summary>
public sealed record LlmRequest(ResolvedModel Model, IReadOnlyList<ChatMessage> Messages, float? Temperature = null)
{
    /// <summary>The tools the model may call (declarations only: Wright executes the calls itself).</summary>
    public IReadOnlyList<AITool>? Tools { get; init; }
}

/// <summary>
/// Streams a model's answer through its provider with Wright's resilience rules: retries with
/// exponential backoff and jitter (honouring <c>retry-after</c> and <c>x-should-retry</c>) only
/// while nothing has been streamed yet, so a retry can never duplicate text; a circuit breaker per
/// endpoint that fails fast while the endpoint is down; every failure classified to a stable code.
/// </summary>
public sealed partial class LlmStreamer
{
    private readonly ProviderRegistry _registry;
    private readonly TimeProvider _time;
    private readonly ILogger<LlmStreamer> _logger;
    private readonly ConcurrentDictionary<string, ResiliencePipeline> _pipelines = new();

    public LlmStreamer(ProviderRegistry registry, TimeProvider time, ILogger<LlmStreamer> logger)
    {
        _registry = registry;
        _time = time;
        _logger = logger;
    }

    /// <summary>The chat options of a request; the prompt preview renders the wire body with the same ones.</summary>
    public static ChatOptions OptionsFor(LlmRequest request) =>
        new() { MaxOutputTokens = request.Model.MaxOutputTokens, Temperature = request.Temperature, Tools = request.Tools is { Count: > 0 } tools ? [.. tools] : null };

    /// <summary>
    /// The answer as updates. Failures surface as <see cref="WrightException"/>s with a provider
    /// code; cancellation by <paramref name="cancellationToken"/> as <see cref="OperationCanceledException"/>.
    /// </summary>
    public async IAsyncEnumerable<LlmUpdate> StreamAsync(LlmRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var endpoint = request.Model.Endpoint;
        var client = _registry.ClientFor(request.Model);
        var options = OptionsFor(request);
        var pipeline = PipelineFor(endpoint);
        var failed = new List<LlmAttemptFailed>();
        var attempt = 0;

        Opened opened;
        try
        {
            opened = await pipeline.ExecuteAsync(
                async token =>
                {
                    attempt++;
                    var started = _time.GetTimestamp();
                    try
                    {
                        return await OpenAsync(client, request.Messages, options, token).ConfigureAwait(false);
                    }
                    catch (Exception ex) when (!token.IsCancellationRequested)
                    {
                        var failure = ProviderFailure.Classify(ex, endpoint.Name);
                        LlmLog.AttemptFailed(_logger, endpoint.Name, request.Model.Name.Model, attempt, failure.Code, failure.Retryable);
                        failed.Add(new LlmAttemptFailed(attempt, failure.Code, failure.Message, _time.GetElapsedTime(started)));
                        throw failure;
                    }
                },
                cancellationToken).ConfigureAwait(false);
        }
        catch (BrokenCircuitException ex)
        {
            LlmLog.CircuitOpen(_logger, endpoint.Name);
            var error = new WrightException(ErrorKind.Unavailable, ErrorCodes.ProviderUnavailable, $"{endpoint.Name} failed repeatedly, so Wright stopped calling it for a while. Try again in {Math.Ceiling((ex.RetryAfter ?? _registry.Options.CircuitBreakDuration).TotalSeconds)} s or pick another provider.", inner: ex);
            throw new LlmCallFailed(error, failed);
        }
        catch (ProviderFailure failure)
        {
            // The last attempt's failure is reported as the error; the earlier ones are retries.
            if (failed.Count > 0)
            {
                failed.RemoveAt(failed.Count - 1);
            }

            throw new LlmCallFailed(failure.ToWrightException(), failed);
        }

        // Retried attempts first: each was a provider call and is accounted as one.
        for (var i = 0; i < failed.Count; i++)
        {
            yield return failed[i];
        }

        await using var stream = opened.Enumerator;
        foreach (var update in opened.Buffered)
        {
            yield return update;
        }

        if (opened.Ended)
        {
            yield break;
        }

        // The update that opened the stream may also have ended it (tool calls and the finish
        // reason arrive together from Microsoft.Extensions.AI.OpenAI).
        var finished = opened.Buffered.Any(u => u is LlmFinished);
        while (true)
        {
            ChatResponseUpdate current;
            try
            {
                if (!await stream.MoveNextAsync().ConfigureAwait(false))
                {
                    break;
                }

                current = stream.Current;
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested && ex is not WrightException)
            {
                // After the first token a retry would send the text again: the failure goes to the
                // caller, who keeps what was streamed.
                var failure = ProviderFailure.Classify(ex, endpoint.Name);
                LlmLog.StreamFailed(_logger, endpoint.Name, request.Model.Name.Model, failure.Code);
                throw failure.ToWrightException();
            }

            foreach (var update in Convert(current))
            {
                finished |= update is LlmFinished;
                yield return update;
            }
        }

        if (!finished)
        {
            // A stream cut without its end marker (an error chunk, a proxy closing early) must not
            // pass for a complete answer.
            LlmLog.StreamFailed(_logger, endpoint.Name, request.Model.Name.Model, ErrorCodes.ProviderStreamFailed);
            throw EndedEarly(endpoint.Name, retryable: false).ToWrightException();
        }
    }

    private static ProviderFailure EndedEarly(string provider, bool retryable) =>
        new(ErrorKind.BadGateway, ErrorCodes.ProviderStreamFailed, $"{provider} ended its answer before it was complete (no finish reason). Try again.", retryable, endpointFault: true);

    /// <summary>Starts the stream and reads until its first token (or its end), so the whole of that can be retried.</summary>
    private static async Task<Opened> OpenAsync(IChatClient client, IReadOnlyList<ChatMessage> messages, ChatOptions options, CancellationToken cancellationToken)
    {
        var enumerator = client.GetStreamingResponseAsync(messages, options, cancellationToken).GetAsyncEnumerator(cancellationToken);
        var buffered = new List<LlmUpdate>();
        try
        {
            while (await enumerator.MoveNextAsync().ConfigureAwait(false))
            {
                var updates = Convert(enumerator.Current).ToList();
                buffered.AddRange(updates);
                if (updates.Any(u => u is LlmTextDelta or LlmToolCall))
                {
                    return new Opened(enumerator, buffered, Ended: false);
                }
            }

            if (!buffered.Any(u => u is LlmFinished))
            {
                throw EndedEarly("The provider", retryable: true);
            }

            return new Opened(enumerator, buffered, Ended: true);
        }
        catch
        {
            await enumerator.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static IEnumerable<LlmUpdate> Convert(ChatResponseUpdate update)
    {
        foreach (var content in update.Contents)
        {
            switch (content)
            {
                case TextContent { Text.Length: > 0 } text:
                    yield return new LlmTextDelta(text.Text);
                    break;
                case FunctionCallContent call:
                    yield return new LlmToolCall(call.CallId, call.Name, ArgumentsJson(call));
                    break;
                case UsageContent usage:
                    yield return ToUsage(usage.Details);
                    break;
            }
        }

        if (update.FinishReason is { } reason)
        {
            yield return new LlmFinished(reason.Value);
        }
    }

    private static string ArgumentsJson(FunctionCallContent call)
    {
        if (call.RawRepresentation is string raw && raw.Length > 0)
        {
            return raw;
        }

        return JsonSerializer.Serialize(call.Arguments ?? new Dictionary<string, object?>());
    }

    private static LlmUsage ToUsage(UsageDetails details)
    {
        long cacheWrite = 0;
        if (details.AdditionalCounts is { } extra)
        {
            foreach (var (key, value) in extra)
            {
                if (key.Contains("CacheCreation", StringComparison.OrdinalIgnoreCase) || key.Contains("cache_creation", StringComparison.OrdinalIgnoreCase))
                {
                    cacheWrite += value;
                }
            }
        }

        return new LlmUsage(details.InputTokenCount ?? 0, details.OutputTokenCount ?? 0, details.CachedInputTokenCount ?? 0, cacheWrite);
    }

    private ResiliencePipeline PipelineFor(ProviderEndpoint endpoint) =>
        _pipelines.GetOrAdd(endpoint.Identity, _ => BuildPipeline(endpoint));

    private ResiliencePipeline BuildPipeline(ProviderEndpoint endpoint)
    {
        var options = _registry.Options;
        var builder = new ResiliencePipelineBuilder { TimeProvider = _time, Name = $"llm:{endpoint.Name}" };
        if (options.MaxRetries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = options.MaxRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.RetryBaseDelay,
                MaxDelay = options.RetryMaxDelay,
                ShouldHandle = args => ValueTask.FromResult(
                    args.Outcome.Exception is ProviderFailure { Retryable: true } failure &&
                    (failure.RetryAfter is null || failure.RetryAfter <= options.MaxRetryAfter)),
                DelayGenerator = args => ValueTask.FromResult(
                    args.Outcome.Exception is ProviderFailure { RetryAfter: { } wait } ? (TimeSpan?)wait : null),
            });
        }

        // Inside the retries: every attempt counts, and an open circuit stops the retrying at once.
        builder.AddCircuitBreaker(new CircuitBreakerStrategyOptions
        {
            FailureRatio = options.CircuitFailureRatio,
            MinimumThroughput = options.CircuitMinimumThroughput,
            SamplingDuration = options.CircuitSamplingDuration,
            BreakDuration = options.CircuitBreakDuration,
            ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is ProviderFailure { EndpointFault: true }),
        });
        return builder.Build();
    }

    private sealed record Opened(IAsyncEnumerator<ChatResponseUpdate> Enumerator, List<LlmUpdate> Buffered, bool Ended);
}

/// <summary>A call that failed before any token, after every retry: the error, and the earlier attempts for accounting.</summary>
public sealed class LlmCallFailed : Exception
{
    public LlmCallFailed(WrightException error, IReadOnlyList<LlmAttemptFailed> retried)
        : base(error.Message, error)
    {
        Error = error;
        Retried = retried;
    }

    public WrightException Error { get; }

    public IReadOnlyList<LlmAttemptFailed> Retried { get; }
}

/// <summary>Log messages of provider calls; event ids 8000–8099.</summary>
internal static partial class LlmLog
{
    [LoggerMessage(EventId = 8001, Level = LogLevel.Warning, Message = "Provider {Provider} ({Model}) attempt {Attempt} failed with {Code}; retryable: {Retryable}")]
    public static partial void AttemptFailed(ILogger logger, string provider, string model, int attempt, string code, bool retryable);

    [LoggerMessage(EventId = 8002, Level = LogLevel.Warning, Message = "Provider {Provider} ({Model}) stream failed after its first token with {Code}; not retried")]
    public static partial void StreamFailed(ILogger logger, string provider, string model, string code);

    [LoggerMessage(EventId = 8003, Level = LogLevel.Warning, Message = "Provider {Provider} circuit is open: failing fast")]
    public static partial void CircuitOpen(ILogger logger, string provider);
}
