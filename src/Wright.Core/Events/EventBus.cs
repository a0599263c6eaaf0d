using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Wright.Core.Events;

/// <summary>
/// The in-process bus: assigns ids, keeps the last events in a replay ring and fans each event out
/// to bounded per-subscriber buffers. Publishing never waits: a subscriber whose buffer is full is
/// dropped (its stream ends with a <c>resync</c>), so one slow browser cannot hold up the server.
/// </summary>
/// <remarks>
/// Alone on its database, the bus numbers events itself: ids start at the start-up time in
/// milliseconds times 1,000 and count up by one, so ids of a later server run are larger than any
/// id a client kept from an earlier run (which then gets a <c>resync</c>), while staying below
/// 2^53 for JavaScript clients. With an <see cref="IEventRelay"/> (instances sharing PostgreSQL)
/// the database numbers them: <see cref="Publish"/> hands events to the relay, and
/// <see cref="DeliverOrdered"/> takes every instance's events back in one global order into the
/// ring; the ring, the filters and the slow-subscriber rule stay as they are.
/// </remarks>
internal sealed partial class EventBus : IEventBus, IOrderedEventSink
{
    private readonly Lock _lock = new();
    private readonly WrightEvent?[] _ring;
    private readonly List<Subscriber> _subscribers = [];
    private readonly PublishedFileStates _fileStates;
    private readonly TimeProvider _time;
    private readonly ILogger<EventBus> _logger;
    private readonly int _subscriberCapacity;
    private readonly IEventRelay _relay;
    private int _ringStart;
    private int _ringCount;
    private long _lastId;

    /// <summary>Every event with an id up to this one has left the ring (or predates this server run).</summary>
    private long _evictedThrough;

    public EventBus(IOptions<EventsOptions> options, TimeProvider time, ILogger<EventBus> logger)
        : this(options, time, logger, NoEventRelay.Instance)
    {
    }

    /// <summary>A bus whose events another instance's subscribers see too: <paramref name="relay"/> numbers and orders them (see <see cref="IEventRelay"/>).</summary>
    public EventBus(IOptions<EventsOptions> options, TimeProvider time, ILogger<EventBus> logger, IEventRelay relay)
    {
        _relay = relay;
        var settings = options.Value;
        _ring = new WrightEvent?[settings.ReplayCapacity];
        _subscriberCapacity = settings.SubscriberBufferCapacity;
        _time = time;
        _logger = logger;
        _fileStates = new PublishedFileStates(time);
        _lastId = time.GetUtcNow().ToUnixTimeMilliseconds() * 1_000;
        _evictedThrough = _lastId;
        relay.Attach(this);
    }

    public long LastDeliveredId
    {
        get
        {
            lock (_lock)
            {
                return _lastId;
            }
        }
    }

    public WrightEvent Publish(string type, Guid? projectId, object data)
    {
        ArgumentException.ThrowIfNullOrEmpty(type);
        ArgumentNullException.ThrowIfNull(data);
        lock (_lock)
        {
            return PublishLocked(type, projectId, data);
        }
    }

    public WrightEvent? PublishFileEventIfChanged(string type, Guid projectId, FileEventData data)
    {
        ArgumentException.ThrowIfNullOrEmpty(type);
        ArgumentNullException.ThrowIfNull(data);
        lock (_lock)
        {
            if (_fileStates.IsUnchanged(projectId, type, data))
            {
                return null;
            }

            return PublishLocked(type, projectId, data);
        }
    }

    public EventSubscription Subscribe(Guid? projectId, long? lastEventId)
    {
        var channel = Channel.CreateBounded<WrightEvent>(new BoundedChannelOptions(_subscriberCapacity)
        {
            // Wait makes TryWrite report a full buffer, which is how a slow subscriber is noticed;
            // the bus only ever calls TryWrite, so nothing actually waits.
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
            SingleWriter = true,
        });
        var subscriber = new Subscriber(projectId, channel.Writer);
        var initial = new List<WrightEvent>();
        long position;
        lock (_lock)
        {
            // Register first, then take the replay under the same lock: every event is either in
            // the replay or in the live buffer, never in neither.
            _subscribers.Add(subscriber);
            position = _lastId;
            if (lastEventId is { } after)
            {
                if (_relay.IsActive && after > _lastId && after - _lastId <= _ring.Length)
                {
                    // The client saw, on another instance, events this one has not delivered yet
                    // (they are milliseconds away): skip them when they arrive instead of resyncing.
                    subscriber.SkipThrough = after;
                }
                else if (after < _evictedThrough || after > _lastId)
                {
                    initial.Add(ResyncEvent(position, projectId, ResyncReasons.Gap));
                }
                else
                {
                    for (var i = 0; i < _ringCount; i++)
                    {
                        var evt = _ring[(_ringStart + i) % _ring.Length]!;
                        if (evt.Id > after && subscriber.Accepts(evt))
                        {
                            initial.Add(evt);
                        }
                    }
                }
            }
        }

        return new EventSubscription(this, subscriber, channel.Reader, initial, position);
    }

    public long ReservePosition()
    {
        lock (_lock)
        {
            // With a relay, ids belong to the database: the last one delivered marks the position.
            return _relay.IsActive ? _lastId : ++_lastId;
        }
    }

    internal WrightEvent ResyncEvent(long id, Guid? projectId, string reason) =>
        new(id, EventTypes.Resync, projectId, _time.GetUtcNow(), new ResyncData(reason));

    internal void Unsubscribe(Subscriber subscriber)
    {
        lock (_lock)
        {
            _subscribers.Remove(subscriber);
            subscriber.Writer.TryComplete();
        }
    }

    private WrightEvent PublishLocked(string type, Guid? projectId, object data)
    {
        if (projectId is { } project && data is FileEventData file)
        {
            _fileStates.Record(project, type, file);
        }

        if (_relay.IsActive)
        {
            // Numbered and delivered when the relay hands it back in the global order (id 0 until then).
            var pending = new WrightEvent(0, type, projectId, _time.GetUtcNow(), data);
            _relay.Send(pending);
            return pending;
        }

        var evt = new WrightEvent(++_lastId, type, projectId, _time.GetUtcNow(), data);
        Deliver(evt);
        return evt;
    }

    public void Seed(IReadOnlyList<WrightEvent> recent, long lastId)
    {
        lock (_lock)
        {
            Array.Clear(_ring);
            _ringStart = 0;
            _ringCount = 0;
            var kept = recent.Count > _ring.Length ? recent.Skip(recent.Count - _ring.Length).ToList() : recent;
            foreach (var evt in kept)
            {
                _ring[_ringCount++] = evt;
            }

            _lastId = lastId;
            _evictedThrough = kept.Count > 0 ? kept[0].Id - 1 : lastId;
        }
    }

    public void DeliverOrdered(WrightEvent evt)
    {
        lock (_lock)
        {
            if (evt.Id <= _lastId)
            {
                return;
            }

            _lastId = evt.Id;
            if (evt.ProjectId is { } project && evt.Data is FileEventData file)
            {
                _fileStates.Record(project, evt.Type, file);
            }

            Deliver(evt);
        }
    }

    /// <summary>Appends an event to the ring and hands it to every matching subscriber; the caller holds the lock and delivers in id order.</summary>
    private void Deliver(WrightEvent evt)
    {
        if (_ringCount == _ring.Length)
        {
            _evictedThrough = _ring[_ringStart]!.Id;
            _ring[_ringStart] = evt;
            _ringStart = (_ringStart + 1) % _ring.Length;
        }
        else
        {
            _ring[(_ringStart + _ringCount) % _ring.Length] = evt;
            _ringCount++;
        }

        for (var i = _subscribers.Count - 1; i >= 0; i--)
        {
            var subscriber = _subscribers[i];
            if (!subscriber.Accepts(evt) || evt.Id <= subscriber.SkipThrough || subscriber.Writer.TryWrite(evt))
            {
                continue;
            }

            // Full buffer: drop the subscriber rather than wait for it. Its reader drains what is
            // buffered, then ends with a resync whose id is this event's, the first one it missed.
            subscriber.DroppedAt = evt.Id;
            subscriber.Writer.TryComplete();
            _subscribers.RemoveAt(i);
            EventsLog.SlowSubscriberDropped(_logger, subscriber.ProjectId, _subscriberCapacity, evt.Id);
        }
    }

    /// <summary>One registered reader: its project filter and its bounded buffer.</summary>
    internal sealed class Subscriber
    {
        private long _droppedAt;

        public Subscriber(Guid? projectId, ChannelWriter<WrightEvent> writer)
        {
            ProjectId = projectId;
            Writer = writer;
        }

        public Guid? ProjectId { get; }

        /// <summary>Events up to this id were already seen by the client on another instance (relay only); 0 otherwise.</summary>
        public long SkipThrough { get; set; }

        public ChannelWriter<WrightEvent> Writer { get; }

        /// <summary>The id of the first event this subscriber missed because its buffer was full; 0 while it keeps up.</summary>
        public long DroppedAt
        {
            get => Volatile.Read(ref _droppedAt);
            set => Volatile.Write(ref _droppedAt, value);
        }

        /// <summary>Project events go to that project's subscribers; events of no project (server-wide) go to everyone.</summary>
        public bool Accepts(WrightEvent evt) => ProjectId is null || evt.ProjectId is null || evt.ProjectId == ProjectId;
    }
}
