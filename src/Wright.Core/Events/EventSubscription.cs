using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace Wright.Core.Events;

/// <summary>
/// One reader of the bus: the replay (or a <c>resync</c>) taken when it subscribed, then live events
/// in id order, each at most once. Read it from one consumer at a time; dispose it to unsubscribe.
/// </summary>
public sealed class EventSubscription : IDisposable
{
    private readonly EventBus _bus;
    private readonly EventBus.Subscriber _subscriber;
    private readonly ChannelReader<WrightEvent> _live;
    private readonly Queue<WrightEvent> _initial;
    private long _lastYieldedId;
    private bool _finalResyncSent;
    private int _disposed;

    internal EventSubscription(EventBus bus, EventBus.Subscriber subscriber, ChannelReader<WrightEvent> live, IEnumerable<WrightEvent> initial, long position)
    {
        _bus = bus;
        _subscriber = subscriber;
        _live = live;
        _initial = new Queue<WrightEvent>(initial);
        Position = position;
    }

    /// <summary>The id of the newest event when the subscription was taken: live events are all later.</summary>
    public long Position { get; }

    /// <summary>The project this subscription is filtered to, or null for every project.</summary>
    public Guid? ProjectId => _subscriber.ProjectId;

    /// <summary>Takes the next event if one is ready.</summary>
    public bool TryRead([NotNullWhen(true)] out WrightEvent? evt)
    {
        while (_initial.TryDequeue(out var next))
        {
            if (Accept(next))
            {
                evt = next;
                return true;
            }
        }

        while (_live.TryRead(out var next))
        {
            if (Accept(next))
            {
                evt = next;
                return true;
            }
        }

        if (_live.Completion.IsCompleted && _subscriber.DroppedAt is var dropped and > 0 && !_finalResyncSent)
        {
            _finalResyncSent = true;
            evt = _bus.ResyncEvent(dropped, _subscriber.ProjectId, ResyncReasons.SlowConsumer);
            return true;
        }

        evt = null;
        return false;
    }

    /// <summary>Waits until an event is ready; false when the subscription has ended (disposed, or dropped and its final <c>resync</c> read).</summary>
    public async ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken)
    {
        if (_initial.Count > 0)
        {
            return true;
        }

        if (await _live.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            return true;
        }

        return _subscriber.DroppedAt > 0 && !_finalResyncSent;
    }

    /// <summary>Every event until the subscription ends or <paramref name="cancellationToken"/> is cancelled.</summary>
    public async IAsyncEnumerable<WrightEvent> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        while (await WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            while (TryRead(out var evt))
            {
                yield return evt;
            }
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _bus.Unsubscribe(_subscriber);
        }
    }

    /// <summary>De-duplicates by id; a resync always passes (its id names a position, not an event).</summary>
    private bool Accept(WrightEvent evt)
    {
        if (evt.Type == EventTypes.Resync && evt.Data is ResyncData)
        {
            _lastYieldedId = Math.Max(_lastYieldedId, evt.Id);
            return true;
        }

        if (evt.Id <= _lastYieldedId)
        {
            return false;
        }

        _lastYieldedId = evt.Id;
        return true;
    }
}
