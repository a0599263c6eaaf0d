using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Wright.Core.Conversations;

namespace Wright.Core.Cluster;

/// <summary>
/// Who owns a streaming answer. On a shared database each instance claims the answers it streams
/// and renews one lease for all of them with a heartbeat; an answer is marked <c>interrupted</c>
/// (its saved text kept) only once its owner's lease has run out, so an instance starting next to
/// a live one leaves that one's answers alone. On SQLite the server is alone and, as before, every
/// answer still streaming at start-up is interrupted at once.
/// </summary>
public sealed partial class AnswerLeases : IAsyncDisposable
{
    private readonly IClusterStore _store;
    private readonly IConversationRepository _conversations;
    private readonly ClusterInstance _instance;
    private readonly TimeProvider _time;
    private readonly IOptions<ClusterOptions> _options;
    private readonly ILogger<AnswerLeases> _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _lock = new();
    private Task? _renewing;
    private bool _renewalFailed;
    private DateTimeOffset _sweepNotBefore = DateTimeOffset.MinValue;

    public AnswerLeases(IClusterStore store, IConversationRepository conversations, ClusterInstance instance, TimeProvider time, IOptions<ClusterOptions> options, ILogger<AnswerLeases> logger)
    {
        _store = store;
        _conversations = conversations;
        _instance = instance;
        _time = time;
        _options = options;
        _logger = logger;
    }

    /// <summary>At start-up: takes this instance's lease, then interrupts the answers nobody alive owns.</summary>
    public async Task<int> RecoverAsync(CancellationToken cancellationToken)
    {
        if (!_store.IsShared)
        {
            return await _conversations.InterruptStreamingAsync(_time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        }

        await HeartbeatAsync(cancellationToken).ConfigureAwait(false);
        StartRenewing();
        return await SweepAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Makes this instance the owner of a new streaming answer (nothing to do when alone). The
    /// lease is renewed from then on by this object itself, so a process that streams answers
    /// without the server's background services (<c>wright run</c>) keeps its answers too.
    /// </summary>
    public async Task ClaimAsync(Guid messageId, CancellationToken cancellationToken)
    {
        if (!_store.IsShared)
        {
            return;
        }

        if (_renewing is null)
        {
            await HeartbeatAsync(cancellationToken).ConfigureAwait(false);
            StartRenewing();
        }

        await _store.ClaimAnswerAsync(messageId, _instance.Id, _time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Renews this instance's lease on all the answers it owns.</summary>
    public Task HeartbeatAsync(CancellationToken cancellationToken) =>
        _store.IsShared ? _store.HeartbeatAsync(_instance.Id, _instance.StartedAt, _time.GetUtcNow() + _options.Value.AnswerLease, cancellationToken) : Task.CompletedTask;

    /// <summary>Interrupts the streaming answers whose owner's lease expired; returns how many.</summary>
    public async Task<int> SweepAsync(CancellationToken cancellationToken)
    {
        if (!_store.IsShared)
        {
            return 0;
        }

        // After the database was away, every owner's lease may have run out without its owner
        // being gone: give them one whole lease to renew before judging anyone.
        var now = _time.GetUtcNow();
        if (now < _sweepNotBefore)
        {
            return 0;
        }

        // An answer is inserted a moment before its owner claims it; an unowned one is given a
        // whole lease before it counts as abandoned (it also covers answers of older servers).
        var count = await _store.InterruptOrphanedAnswersAsync(now, now - _options.Value.AnswerLease, cancellationToken).ConfigureAwait(false);
        if (count > 0)
        {
            AnswerLeasesLog.Interrupted(_logger, count);
        }

        return count;
    }

    /// <summary>At a clean stop, after every answer was saved: the lease ends so nobody waits for it.</summary>
    public async Task RetireAsync(CancellationToken cancellationToken)
    {
        await StopRenewingAsync().ConfigureAwait(false);
        if (_store.IsShared)
        {
            await _store.RetireAsync(_instance.Id, cancellationToken).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopRenewingAsync().ConfigureAwait(false);
        _stop.Dispose();
    }

    private void StartRenewing()
    {
        lock (_lock)
        {
            _renewing ??= Task.Run(() => RenewAsync(_stop.Token), CancellationToken.None);
        }
    }

    private async Task StopRenewingAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            await _stop.CancelAsync().ConfigureAwait(false);
        }

        if (_renewing is { } renewing)
        {
            await renewing.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    /// <summary>Renews the lease every third of its length; a failed renewal (database away) is retried at the next beat.</summary>
    private async Task RenewAsync(CancellationToken stop)
    {
        using var timer = new PeriodicTimer(_options.Value.AnswerLease / 3, _time);
        while (await timer.WaitForNextTickAsync(stop).ConfigureAwait(false))
        {
            try
            {
                await HeartbeatAsync(stop).ConfigureAwait(false);
                if (_renewalFailed)
                {
                    _renewalFailed = false;
                    _sweepNotBefore = _time.GetUtcNow() + _options.Value.AnswerLease;
                }
            }
            catch (Exception ex) when (!stop.IsCancellationRequested && ex is not OutOfMemoryException)
            {
                _renewalFailed = true;
                // Most likely the database is away. While it is, no other instance can sweep our
                // answers either (the sweep needs it too); the next beat tries again.
                AnswerLeasesLog.RenewFailed(_logger, ex.Message);
            }
        }
    }
}

internal static partial class AnswerLeasesLog
{
    [LoggerMessage(EventId = 8601, Level = LogLevel.Warning, Message = "{Count} answers whose owner instance stopped renewing its lease are now marked interrupted")]
    public static partial void Interrupted(ILogger logger, int count);

    [LoggerMessage(EventId = 8602, Level = LogLevel.Warning, Message = "Could not renew this instance's answer lease ({Reason}); retrying")]
    public static partial void RenewFailed(ILogger logger, string reason);
}
