using System.Data.Common;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Threading.Channels;
using Dapper;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using Wright.Core.Cluster;
using Wright.Core.Events;
using Wright.Storage.Database;

namespace Wright.Storage.Cluster;

/// <summary>
/// The event bus across instances on PostgreSQL. Each instance writes the events it publishes to
/// <c>cluster_events</c> (the identity column numbers them) and NOTIFYs in the same transaction,
/// under a transaction advisory lock, so id order, commit order and notice order are one order
/// for the whole cluster. Every instance — the publisher too — delivers what it hears in that
/// order into its ring, which therefore holds the same events with the same ids everywhere: a
/// client resumes with <c>Last-Event-ID</c> on any instance from the ring, and a fresh instance
/// seeds its ring from the table. A notice carries the event itself when it fits NOTIFY's 8,000
/// bytes, else only the id, and the listener reads the row. A gap in the ids (a missed notice, a
/// lost listener) is filled from the table.
/// </summary>
/// <remarks>
/// Publishing never waits for the database: events queue (up to 10,000) while it is away and are
/// written when it is back. The price of one global order is that publishing is serialized
/// cluster-wide for the length of a small transaction; Wright's events (file changes, session and
/// message lifecycle, not answer tokens) come at tens per second, far below that bound.
/// </remarks>
internal sealed partial class PostgresEventRelay : IEventRelay, IAsyncDisposable
{
    // Distinct from the migrator's key: "the event order" among the advisory locks in this database.
    private const long OrderLockKey = 7236106;
    private const int MaxNoticeBytes = 7_900;
    private const int OutboxCapacity = 10_000;
    private const int BatchSize = 100;

    internal static readonly JsonSerializerOptions Json = CreateJson();

    private readonly WrightDatabase _database;
    private readonly IClusterSignals _signals;
    private readonly TimeProvider _time;
    private readonly int _keep;
    private readonly ILogger<PostgresEventRelay> _logger;
    private readonly Channel<WrightEvent> _outbox = Channel.CreateBounded<WrightEvent>(new BoundedChannelOptions(OutboxCapacity)
    {
        // Wait makes TryWrite report a full queue; nothing waits, Send only ever calls TryWrite.
        FullMode = BoundedChannelFullMode.Wait,
        SingleReader = true,
    });

    private readonly SemaphoreSlim _delivering = new(1, 1);
    private readonly CancellationTokenSource _stop = new();
    private int _disposed;
    private IOrderedEventSink? _sink;
    private IDisposable? _listening;
    private Task? _writing;
    private int _dropped;
    private long _written;

    public PostgresEventRelay(WrightDatabase database, IClusterSignals signals, TimeProvider time, IOptions<EventsOptions> options, ILogger<PostgresEventRelay> logger)
    {
        _database = database;
        _signals = signals;
        _time = time;
        _keep = Math.Max(options.Value.ReplayCapacity, 1_000);
        _logger = logger;
    }

    public bool IsActive => true;

    private IOrderedEventSink Sink => _sink ?? throw new InvalidOperationException("The event relay has no bus attached.");

    public void Attach(IOrderedEventSink sink) => _sink = sink;

    public void Send(WrightEvent evt)
    {
        if (!_outbox.Writer.TryWrite(evt))
        {
            // The database has been away for long enough to fill the queue: drop, and tell every
            // subscriber to reload once it is back.
            if (Interlocked.Increment(ref _dropped) == 1)
            {
                EventRelayLog.Dropping(_logger, OutboxCapacity);
            }
        }
    }

    /// <summary>Seeds the bus with the recent history, then follows the other instances and starts writing this one's events.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using (var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false))
        {
            var lastId = await connection.ExecuteScalarAsync<long>(new CommandDefinition("SELECT COALESCE(MAX(id), 0) FROM cluster_events", cancellationToken: cancellationToken)).ConfigureAwait(false);
            var rows = await connection.QueryAsync<Row>(new CommandDefinition(
                $"SELECT {Row.Columns} FROM cluster_events WHERE id > @From ORDER BY id", new { From = lastId - _keep }, cancellationToken: cancellationToken)).ConfigureAwait(false);
            Sink.Seed(rows.Select(r => r.ToEvent()).ToList(), lastId);
        }

        _listening = _signals.Listen(ClusterChannels.Events, OnNoticeAsync);
        _signals.Connected += CatchUpAsync;
        _writing = Task.Run(() => WriteAsync(_stop.Token), CancellationToken.None);
    }

    public async ValueTask DisposeAsync()
    {
        // Stopped by the cluster's lifecycle, then disposed again by the container.
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        _listening?.Dispose();
        _signals.Connected -= CatchUpAsync;
        _outbox.Writer.TryComplete();
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_writing is not null)
        {
            await _writing.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        _stop.Dispose();
        _delivering.Dispose();
    }

    private async Task WriteAsync(CancellationToken stop)
    {
        var batch = new List<WrightEvent>(BatchSize);
        var delay = TimeSpan.FromMilliseconds(100);
        while (await _outbox.Reader.WaitToReadAsync(stop).ConfigureAwait(false))
        {
            while (batch.Count < BatchSize && _outbox.Reader.TryRead(out var evt))
            {
                batch.Add(evt);
            }

            if (Interlocked.Exchange(ref _dropped, 0) > 0)
            {
                batch.Add(new WrightEvent(0, EventTypes.Resync, null, _time.GetUtcNow(), new ResyncData(ResyncReasons.Gap)));
            }

            try
            {
                await WriteBatchAsync(batch, stop).ConfigureAwait(false);
                batch.Clear();
                delay = TimeSpan.FromMilliseconds(100);
            }
            catch (Exception ex) when (!stop.IsCancellationRequested && ex is NpgsqlException or IOException or TimeoutException or InvalidOperationException or DbException)
            {
                // The database is away: keep the batch and try again; events published meanwhile wait in the queue.
                EventRelayLog.WriteFailed(_logger, batch.Count, ex.Message);
                await Task.Delay(delay, _time, stop).ConfigureAwait(false);
                delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 2_000));
            }
        }
    }

    private async Task WriteBatchAsync(List<WrightEvent> batch, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_xact_lock(@Key)", new { Key = OrderLockKey }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        foreach (var evt in batch)
        {
            var data = JsonSerializer.Serialize(evt.Data, evt.Data.GetType(), Json);
            var atMs = evt.At.ToUnixTimeMilliseconds();
            var id = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
                "INSERT INTO cluster_events (project_id, type, at_ms, data) VALUES (@ProjectId, @Type, @AtMs, @Data) RETURNING id",
                new { ProjectId = evt.ProjectId?.ToString(), evt.Type, AtMs = atMs, Data = data },
                transaction,
                cancellationToken: cancellationToken)).ConfigureAwait(false);
            var notice = Notice(id, evt, atMs, data);
            await connection.ExecuteAsync(new CommandDefinition(
                "SELECT pg_notify(@Channel, @Payload)", new { Channel = ClusterChannels.Events, Payload = notice }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        if ((_written += batch.Count) % 1_000 < batch.Count)
        {
            // Now and then, drop what no ring keeps any more.
            await connection.ExecuteAsync(new CommandDefinition(
                "DELETE FROM cluster_events WHERE id <= (SELECT MAX(id) FROM cluster_events) - @Keep", new { Keep = _keep }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        }
    }

    /// <summary><c>id</c>, then on the next line the event as JSON when the whole notice fits NOTIFY; the id alone otherwise.</summary>
    private static string Notice(long id, WrightEvent evt, long atMs, string data)
    {
        var envelope = JsonSerializer.Serialize(new Envelope(evt.Type, evt.ProjectId, atMs, JsonDocument.Parse(data).RootElement), Json);
        var notice = string.Create(CultureInfo.InvariantCulture, $"{id}\n{envelope}");
        return Encoding.UTF8.GetByteCount(notice) <= MaxNoticeBytes ? notice : id.ToString(CultureInfo.InvariantCulture);
    }

    private async Task OnNoticeAsync(string payload)
    {
        var newline = payload.IndexOf('\n', StringComparison.Ordinal);
        if (!long.TryParse(newline < 0 ? payload : payload[..newline], NumberStyles.None, CultureInfo.InvariantCulture, out var id))
        {
            EventRelayLog.BadNotice(_logger, payload.Length);
            return;
        }

        await _delivering.WaitAsync(_stop.Token).ConfigureAwait(false);
        try
        {
            var last = Sink.LastDeliveredId;
            if (id <= last)
            {
                return;
            }

            if (id > last + 1 || newline < 0)
            {
                // Either ids were skipped (a rolled-back insert, or notices missed) or the event was
                // too large for the notice: read everything up to it from the table, in order.
                await DeliverFromTableAsync(last, id, _stop.Token).ConfigureAwait(false);
                return;
            }

            var envelope = JsonSerializer.Deserialize<Envelope>(payload.AsSpan(newline + 1), Json)!;
            Sink.DeliverOrdered(ToEvent(id, envelope.Type, envelope.ProjectId, envelope.AtMs, envelope.Data));
        }
        finally
        {
            _delivering.Release();
        }
    }

    /// <summary>After the listener (re)connected: deliver whatever was committed while it was not listening.</summary>
    private async Task CatchUpAsync()
    {
        await _delivering.WaitAsync(_stop.Token).ConfigureAwait(false);
        try
        {
            await DeliverFromTableAsync(Sink.LastDeliveredId, long.MaxValue, _stop.Token).ConfigureAwait(false);
        }
        finally
        {
            _delivering.Release();
        }
    }

    private async Task DeliverFromTableAsync(long after, long through, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<Row>(new CommandDefinition(
            $"SELECT {Row.Columns} FROM cluster_events WHERE id > @After AND id <= @Through ORDER BY id", new { After = after, Through = through }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        foreach (var row in rows)
        {
            Sink.DeliverOrdered(row.ToEvent());
        }
    }

    /// <summary>
    /// The payload as the bus would hold it: the types the bus itself looks into (file events,
    /// resync) as their records, anything else as the JSON it was published as, which the SSE
    /// writer writes out unchanged.
    /// </summary>
    private static WrightEvent ToEvent(long id, string type, Guid? projectId, long atMs, JsonElement data)
    {
        object payload = type switch
        {
            EventTypes.FileChanged or EventTypes.FileDeleted => data.Deserialize<FileEventData>(Json)!,
            EventTypes.Resync => data.Deserialize<ResyncData>(Json)!,
            _ => data.Clone(),
        };
        return new WrightEvent(id, type, projectId, DateTimeOffset.FromUnixTimeMilliseconds(atMs), payload);
    }

    private static JsonSerializerOptions CreateJson()
    {
        // As the server writes JSON (web defaults, enums as camelCase strings), so a relayed
        // payload reads exactly like one published here.
        var json = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        json.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase));
        return json;
    }

    private sealed record Envelope(string Type, Guid? ProjectId, long AtMs, JsonElement Data);

    private sealed class Row
    {
        public const string Columns = "id AS Id, project_id AS ProjectId, type AS Type, at_ms AS AtMs, data AS Data";

        public long Id { get; set; }

        public string? ProjectId { get; set; }

        public string Type { get; set; } = "";

        public long AtMs { get; set; }

        public string Data { get; set; } = "";

        public WrightEvent ToEvent()
        {
            using var document = JsonDocument.Parse(Data);
            return PostgresEventRelay.ToEvent(Id, Type, ProjectId is null ? null : Guid.Parse(ProjectId), AtMs, document.RootElement);
        }
    }
}

internal static partial class EventRelayLog
{
    [LoggerMessage(EventId = 8631, Level = LogLevel.Warning, Message = "The database has been unavailable long enough to queue {Capacity} events; later ones are dropped and subscribers will be told to reload")]
    public static partial void Dropping(ILogger logger, int capacity);

    [LoggerMessage(EventId = 8632, Level = LogLevel.Warning, Message = "Could not write {Count} events for the other instances ({Reason}); retrying")]
    public static partial void WriteFailed(ILogger logger, int count, string reason);

    [LoggerMessage(EventId = 8633, Level = LogLevel.Warning, Message = "Ignored an event notice that is not in Wright's format ({Length} characters)")]
    public static partial void BadNotice(ILogger logger, int length);
}
