using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Wright.Storage.Database;

namespace Wright.Storage.Cluster;

/// <summary>
/// Saves that could not wait for the database: the final state of an answer that ended while the
/// database was away. They are retried in order, with a growing pause, until the database is back;
/// the answer's owner keeps renewing its lease meanwhile, so no other instance interrupts it.
/// </summary>
internal sealed partial class PendingSaves : IAsyncDisposable
{
    private readonly Channel<(string What, Func<CancellationToken, Task> Save)> _queue = Channel.CreateUnbounded<(string, Func<CancellationToken, Task>)>(new UnboundedChannelOptions { SingleReader = true });
    private readonly TimeProvider _time;
    private readonly ILogger<PendingSaves> _logger;
    private readonly CancellationTokenSource _stop = new();
    private int _disposed;
    private readonly Lock _lock = new();
    private Task? _worker;
    private int _count;

    public PendingSaves(TimeProvider time, ILogger<PendingSaves> logger)
    {
        _time = time;
        _logger = logger;
    }

    /// <summary>How many saves wait for the database.</summary>
    public int Count => Volatile.Read(ref _count);

    public void Enqueue(string what, Func<CancellationToken, Task> save)
    {
        Interlocked.Increment(ref _count);
        _queue.Writer.TryWrite((what, save));
        PendingSavesLog.Queued(_logger, what);
        lock (_lock)
        {
            _worker ??= Task.Run(() => RunAsync(_stop.Token), CancellationToken.None);
        }
    }

    public async ValueTask DisposeAsync()
    {
        // Stopped by the cluster's lifecycle, then disposed again by the container.
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        _queue.Writer.TryComplete();
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_worker is { } worker)
        {
            await worker.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        if (Count > 0)
        {
            // What is left is still 'streaming' in the database with its last saved text; the
            // answer-lease sweep marks it interrupted once this instance's lease has run out.
            PendingSavesLog.Abandoned(_logger, Count);
        }

        _stop.Dispose();
    }

    private async Task RunAsync(CancellationToken stop)
    {
        await foreach (var (what, save) in _queue.Reader.ReadAllAsync(stop).ConfigureAwait(false))
        {
            var delay = TimeSpan.FromMilliseconds(200);
            while (true)
            {
                try
                {
                    await save(stop).ConfigureAwait(false);
                    PendingSavesLog.Saved(_logger, what);
                    break;
                }
                catch (Exception ex) when (DatabaseFailures.IsUnavailable(ex) && !stop.IsCancellationRequested)
                {
                    await Task.Delay(delay, _time, stop).ConfigureAwait(false);
                    delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 2_000));
                }
                catch (Exception ex) when (!stop.IsCancellationRequested && ex is not OutOfMemoryException)
                {
                    // Not the database being away but the save itself failing: retrying would fail
                    // the same way. Start-up recovery or the lease sweep interrupts the answer.
                    PendingSavesLog.Failed(_logger, ex, what);
                    break;
                }
            }

            Interlocked.Decrement(ref _count);
        }
    }
}

internal static partial class PendingSavesLog
{
    [LoggerMessage(EventId = 8671, Level = LogLevel.Warning, Message = "The database is unavailable: {What} is saved once it is back")]
    public static partial void Queued(ILogger logger, string what);

    [LoggerMessage(EventId = 8672, Level = LogLevel.Information, Message = "Saved {What} now that the database is back")]
    public static partial void Saved(ILogger logger, string what);

    [LoggerMessage(EventId = 8673, Level = LogLevel.Error, Message = "Could not save {What}")]
    public static partial void Failed(ILogger logger, Exception exception, string what);

    [LoggerMessage(EventId = 8674, Level = LogLevel.Warning, Message = "Stopping with {Count} saves still waiting for the database; their answers will be marked interrupted")]
    public static partial void Abandoned(ILogger logger, int count);
}
