using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Wright.Core.Cluster;
using Wright.Storage.Cluster;
using Wright.Storage.Database;

namespace Wright.Server.Cluster;

/// <summary>
/// Starts what ties this instance to the others before the server takes requests — the listener
/// (PostgreSQL), the revocation cache, the event relay — then renews this instance's answer lease
/// and sweeps for answers whose owner's lease ran out, until the server stops.
/// </summary>
internal sealed partial class ClusterLifecycle : BackgroundService
{
    private readonly WrightDatabase _database;
    private readonly PostgresClusterSignals _signals;
    private readonly PostgresEventRelay _relay;
    private readonly AccessRevocations _revocations;
    private readonly AnswerLeases _leases;
    private readonly IClusterStore _store;
    private readonly TimeProvider _time;
    private readonly IOptions<ClusterOptions> _options;
    private readonly ILogger<ClusterLifecycle> _logger;

    public ClusterLifecycle(
        WrightDatabase database,
        PostgresClusterSignals signals,
        PostgresEventRelay relay,
        AccessRevocations revocations,
        AnswerLeases leases,
        IClusterStore store,
        TimeProvider time,
        IOptions<ClusterOptions> options,
        ILogger<ClusterLifecycle> logger)
    {
        _database = database;
        _signals = signals;
        _relay = relay;
        _revocations = revocations;
        _leases = leases;
        _store = store;
        _time = time;
        _options = options;
        _logger = logger;
    }

    private bool Shared => _database.Dialect == DatabaseDialect.Postgres;

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        if (Shared)
        {
            await _signals.StartAsync(cancellationToken).ConfigureAwait(false);
            await _relay.StartAsync(cancellationToken).ConfigureAwait(false);
        }

        await _revocations.StartAsync(cancellationToken).ConfigureAwait(false);
        await base.StartAsync(cancellationToken).ConfigureAwait(false);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        if (!Shared)
        {
            return;
        }

        try
        {
            // Answers were saved as interrupted by the conversations' own shutdown; ending the
            // lease now lets nobody wait for it. A database that is away leaves it to expire.
            await _leases.RetireAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (DatabaseFailures.IsUnavailable(ex) || ex is OperationCanceledException)
        {
            ClusterLog.RetireFailed(_logger, ex.Message);
        }

        await _relay.DisposeAsync().ConfigureAwait(false);
        await _signals.DisposeAsync().ConfigureAwait(false);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!Shared)
        {
            return;
        }

        var nextPrune = _time.GetUtcNow();
        using var timer = new PeriodicTimer(_options.Value.AnswerSweepInterval, _time);
        while (await WaitAsync(timer, stoppingToken).ConfigureAwait(false))
        {
            try
            {
                // The lease itself is renewed by AnswerLeases; this loop only looks for others' expired ones.
                await _leases.SweepAsync(stoppingToken).ConfigureAwait(false);
                var now = _time.GetUtcNow();
                if (now >= nextPrune)
                {
                    nextPrune = now + TimeSpan.FromMinutes(5);
                    await _store.PruneHitsAsync(now - TimeSpan.FromHours(1), stoppingToken).ConfigureAwait(false);
                }
            }
            catch (Exception ex) when (DatabaseFailures.IsUnavailable(ex) || ex is TimeoutException)
            {
                // The database is away: try again at the next tick.
                ClusterLog.SweepFailed(_logger, ex.Message);
            }
        }
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The server is stopping: the loop ends.
            return false;
        }
    }
}

internal static partial class ClusterLog
{
    [LoggerMessage(EventId = 8661, Level = LogLevel.Warning, Message = "Could not look for answers whose owner's lease expired ({Reason}); retrying")]
    public static partial void SweepFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 8662, Level = LogLevel.Warning, Message = "Could not end this instance's answer lease at shutdown ({Reason}); it expires by itself")]
    public static partial void RetireFailed(ILogger logger, string reason);
}
