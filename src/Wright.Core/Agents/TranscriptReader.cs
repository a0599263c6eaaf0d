using System.Text;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Wright.Core.Llm;

namespace Wright.Core.Agents;

/// <summary>
/// A request to read an agent's transcript from where the last read stopped; usage read now is
/// counted for <see cref="TaskId"/> and <see cref="TurnId"/>. <see cref="ExpectsResponse"/> says a
/// Stop announced a response: when the transcript does not hold it yet, read again with backoff.
/// </summary>
public sealed record TranscriptReadRequest(Guid OwnerId, Guid AgentId, string Path, Guid? TaskId, Guid? TurnId, bool ExpectsResponse, int Attempt = 0);

/// <summary>
/// Reads tokens and cost from Claude Code transcripts in the background, one request at a time:
/// incrementally (the offset of each file is stored), whole lines only, de-duplicated per response
/// across reads and files, priced with the model catalog (cache reads and writes at their own
/// rates). The hook that asked for the read has long been answered.
/// </summary>
public sealed class TranscriptReader
{
    /// <summary>The most a single read takes in; a longer backlog is read over the next requests.</summary>
    private const int MaxReadBytes = 16 * 1024 * 1024;

    private readonly Channel<TranscriptReadRequest> _requests = Channel.CreateBounded<TranscriptReadRequest>(new BoundedChannelOptions(10_000)
    {
        // A hook storm that outruns the reader loses reads, never blocks a hook: the next Stop
        // or PostToolUse of the same agent reads everything the lost one would have.
        FullMode = BoundedChannelFullMode.DropOldest,
        SingleReader = true,
    });

    private readonly IAgentRepository _agents;
    private readonly ProviderRegistry _providers;
    private readonly AgentBoard _board;
    private readonly TimeProvider _time;
    private readonly AgentsOptions _options;
    private readonly TranscriptJail _jail;
    private readonly ILogger<TranscriptReader> _logger;

    public TranscriptReader(IAgentRepository agents, ProviderRegistry providers, AgentBoard board, TimeProvider time, IOptions<AgentsOptions> options, ILogger<TranscriptReader> logger)
    {
        _agents = agents;
        _providers = providers;
        _board = board;
        _time = time;
        _options = options.Value;
        _jail = new TranscriptJail(_options.EffectiveTranscriptRoots);
        _logger = logger;
    }

    public void Schedule(TranscriptReadRequest request) => _requests.Writer.TryWrite(request);

    /// <summary>Serves requests until <paramref name="cancellationToken"/> ends.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        await foreach (var request in _requests.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            try
            {
                var read = await ReadAsync(request, cancellationToken).ConfigureAwait(false);
                if (read == 0 && request.ExpectsResponse && request.Attempt < _options.TranscriptRetryDelays.Count)
                {
                    _ = RetryLaterAsync(request, _options.TranscriptRetryDelays[request.Attempt], cancellationToken);
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // The agent's file, not ours: it may be rotated or unreadable. The board keeps the
                // usage it has, and the next read tries again.
                AgentsLog.TranscriptFailed(_logger, ex, request.AgentId);
            }
        }
    }

    /// <summary>Reads what is new in one transcript; returns how many responses' usage were new or grew, -1 when the path is refused.</summary>
    public async Task<int> ReadAsync(TranscriptReadRequest request, CancellationToken cancellationToken)
    {
        var path = _jail.Resolve(request.Path);
        if (path is null)
        {
            AgentsLog.TranscriptRefused(_logger, request.AgentId);
            return -1;
        }

        var offset = await _agents.GetTranscriptOffsetAsync(request.AgentId, path, cancellationToken).ConfigureAwait(false);
        byte[] buffer;
        int length;
        await using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 64 * 1024, FileOptions.Asynchronous))
        {
            if (stream.Length < offset)
            {
                // The file was rewritten: read it again from the start (keys keep responses counted once).
                offset = 0;
            }

            stream.Seek(offset, SeekOrigin.Begin);
            buffer = new byte[(int)Math.Min(MaxReadBytes, stream.Length - offset)];
            length = await stream.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
        }

        // Whole lines only: the agent may be writing the last one right now.
        var end = length == 0 ? -1 : Array.LastIndexOf(buffer, (byte)'\n', length - 1);
        if (end < 0)
        {
            return 0;
        }

        var lines = Encoding.UTF8.GetString(buffer, 0, end).Split('\n');
        var responses = TranscriptUsage.Collect(lines);
        var changed = 0;
        if (responses.Count > 0)
        {
            var catalog = await _providers.CatalogAsync(cancellationToken).ConfigureAwait(false);
            foreach (var response in responses)
            {
                var usage = new AgentUsage(
                    request.AgentId,
                    response.Key,
                    request.TaskId,
                    request.TurnId,
                    response.Model,
                    response.InputTokens,
                    response.OutputTokens,
                    response.CacheReadTokens,
                    response.CacheWriteTokens,
                    PriceOf(catalog, response),
                    response.At ?? _time.GetUtcNow());
                if (await _agents.SaveUsageAsync(usage, cancellationToken).ConfigureAwait(false))
                {
                    changed++;
                }
            }
        }

        await _agents.SetTranscriptOffsetAsync(request.AgentId, path, offset + end + 1, cancellationToken).ConfigureAwait(false);
        AgentsLog.TranscriptRead(_logger, request.AgentId, changed);
        if (changed > 0 && await _agents.GetSummaryAsync(request.OwnerId, request.AgentId, cancellationToken).ConfigureAwait(false) is { } summary)
        {
            _board.Publish(AgentEventTypes.Usage, new AgentBoardEvent(summary, null, null, null));
        }

        return changed;
    }

    /// <summary>
    /// The USD cost of one response. Anthropic's <c>input_tokens</c> leaves out cache reads and
    /// writes, which the catalog prices at their own rates.
    /// </summary>
    public static decimal PriceOf(IReadOnlyDictionary<string, ModelInfo> catalog, TranscriptUsageLine response)
    {
        if (response.Model is not { } model)
        {
            return 0m;
        }

        var info = catalog.TryGetValue($"anthropic/{model}", out var found)
            ? found
            : catalog.Values.FirstOrDefault(m => string.Equals(m.Model, model, StringComparison.OrdinalIgnoreCase));
        return info?.CostOf(response.InputTokens + response.CacheReadTokens + response.CacheWriteTokens, response.OutputTokens, response.CacheReadTokens, response.CacheWriteTokens) ?? 0m;
    }

    private async Task RetryLaterAsync(TranscriptReadRequest request, TimeSpan delay, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
            Schedule(request with { Attempt = request.Attempt + 1 });
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The server is stopping: the retry is moot.
        }
    }
}
