using System.Collections.Concurrent;
using System.Threading.Channels;
using Dapper;
using Microsoft.Extensions.Logging;
using Npgsql;
using Wright.Core.Cluster;
using Wright.Storage.Database;

namespace Wright.Storage.Cluster;

/// <summary>
/// LISTEN/NOTIFY on one dedicated connection per instance. The listener reconnects by itself
/// after the database went away; notices are handed to their handlers one at a time, in the order
/// PostgreSQL delivered them (commit order), from a queue, so a slow handler never blocks the
/// connection that reads them.
/// </summary>
internal sealed partial class PostgresClusterSignals : IClusterSignals, IAsyncDisposable
{
    private static readonly string[] Channels = [ClusterChannels.Revocations, ClusterChannels.Events];

    private readonly WrightDatabase _database;
    private readonly TimeProvider _time;
    private readonly ILogger<PostgresClusterSignals> _logger;
    private readonly ConcurrentDictionary<string, ImmutableHandlers> _handlers = new(StringComparer.Ordinal);
    private readonly Channel<(string Channel, string Payload)> _inbox = Channel.CreateUnbounded<(string, string)>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _stop = new();
    private int _disposed;
    private Task? _listening;
    private Task? _dispatching;

    public PostgresClusterSignals(WrightDatabase database, TimeProvider time, ILogger<PostgresClusterSignals> logger)
    {
        _database = database;
        _time = time;
        _logger = logger;
    }

    public bool IsShared => true;

    public event Func<Task>? Connected;

    /// <summary>True while the listening connection is up.</summary>
    public bool IsListening { get; private set; }

    public async Task SendAsync(string channel, string payload, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition("SELECT pg_notify(@Channel, @Payload)", new { Channel = channel, Payload = payload }, cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    public IDisposable Listen(string channel, Func<string, Task> handler)
    {
        _handlers.AddOrUpdate(channel, _ => new ImmutableHandlers([handler]), (_, list) => new ImmutableHandlers([.. list.Items, handler]));
        return new Subscription(this, channel, handler);
    }

    /// <summary>Starts listening; returns once the first connection listens (or failed once, then keeps trying in the background).</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var first = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _dispatching = Task.Run(() => DispatchAsync(_stop.Token), CancellationToken.None);
        _listening = Task.Run(() => ListenAsync(first, _stop.Token), CancellationToken.None);
        await first.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        // Stopped by the cluster's lifecycle, then disposed again by the container.
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        _inbox.Writer.TryComplete();
        foreach (var task in new[] { _listening, _dispatching })
        {
            if (task is not null)
            {
                await task.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }

        _stop.Dispose();
    }

    private async Task ListenAsync(TaskCompletionSource first, CancellationToken stop)
    {
        var delay = TimeSpan.FromMilliseconds(200);
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await using var connection = (NpgsqlConnection)await _database.OpenAsync(stop).ConfigureAwait(false);
                connection.Notification += (_, e) => _inbox.Writer.TryWrite((e.Channel, e.Payload));
                foreach (var channel in Channels)
                {
                    await connection.ExecuteAsync(new CommandDefinition($"LISTEN {channel}", cancellationToken: stop)).ConfigureAwait(false);
                }

                IsListening = true;
                delay = TimeSpan.FromMilliseconds(200);
                ClusterSignalsLog.Listening(_logger);
                _inbox.Writer.TryWrite((ConnectedMarker, ""));
                first.TrySetResult();
                while (!stop.IsCancellationRequested)
                {
                    await connection.WaitAsync(stop).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                // Disposing the signals: the connection closes with the using.
                break;
            }
            catch (Exception ex) when (ex is NpgsqlException or IOException or TimeoutException or InvalidOperationException)
            {
                // The database went away (restart, network): listen again once it is back. The
                // Connected notice that follows makes every receiver catch up on what it missed.
                if (IsListening)
                {
                    ClusterSignalsLog.Lost(_logger, ex.Message);
                }

                IsListening = false;
                first.TrySetResult();
                try
                {
                    await Task.Delay(delay, _time, stop).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                    break;
                }

                delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 2_000));
            }
        }

        IsListening = false;
    }

    private const string ConnectedMarker = "\0connected";

    private async Task DispatchAsync(CancellationToken stop)
    {
        await foreach (var (channel, payload) in _inbox.Reader.ReadAllAsync(stop).ConfigureAwait(false))
        {
            try
            {
                if (channel == ConnectedMarker)
                {
                    if (Connected is { } connected)
                    {
                        foreach (var handler in connected.GetInvocationList().Cast<Func<Task>>())
                        {
                            await handler().ConfigureAwait(false);
                        }
                    }

                    continue;
                }

                if (_handlers.TryGetValue(channel, out var handlers))
                {
                    foreach (var handler in handlers.Items)
                    {
                        await handler(payload).ConfigureAwait(false);
                    }
                }
            }
            catch (Exception ex) when (!stop.IsCancellationRequested)
            {
                // One bad notice (or a database hiccup while a handler catches up) must not end the
                // dispatcher; the receivers reload from the database at the next Connected.
                ClusterSignalsLog.HandlerFailed(_logger, ex, channel);
            }
        }
    }

    private sealed record ImmutableHandlers(Func<string, Task>[] Items);

    private sealed class Subscription(PostgresClusterSignals owner, string channel, Func<string, Task> handler) : IDisposable
    {
        public void Dispose() =>
            owner._handlers.AddOrUpdate(channel, _ => new ImmutableHandlers([]), (_, list) => new ImmutableHandlers(list.Items.Where(h => h != handler).ToArray()));
    }
}

internal static partial class ClusterSignalsLog
{
    [LoggerMessage(EventId = 8621, Level = LogLevel.Information, Message = "Listening for the notices of other instances")]
    public static partial void Listening(ILogger logger);

    [LoggerMessage(EventId = 8622, Level = LogLevel.Warning, Message = "Lost the connection that listens for other instances ({Reason}); reconnecting")]
    public static partial void Lost(ILogger logger, string reason);

    [LoggerMessage(EventId = 8623, Level = LogLevel.Error, Message = "A handler of cluster notices on {Channel} failed")]
    public static partial void HandlerFailed(ILogger logger, Exception exception, string channel);
}
