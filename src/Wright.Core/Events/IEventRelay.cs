namespace Wright.Core.Events;

/// <summary>
/// Carries the events of several server instances in one global order (PostgreSQL). With a relay
/// the bus no longer numbers nor delivers what it publishes: it hands each event to
/// <see cref="Send"/>, and the relay gives every instance's events back, numbered by the database,
/// through <see cref="IOrderedEventSink.DeliverOrdered"/> — the publisher's own included, so all
/// instances deliver the same events with the same ids in the same order.
/// </summary>
public interface IEventRelay
{
    /// <summary>False when the server is alone on its database: the bus numbers and delivers by itself.</summary>
    bool IsActive { get; }

    /// <summary>The bus this relay delivers to; called once, by the bus.</summary>
    void Attach(IOrderedEventSink sink);

    /// <summary>Queues an event published here (its id is not known yet); never blocks.</summary>
    void Send(WrightEvent evt);
}

/// <summary>The bus as a relay sees it: it is seeded with the recent history and then fed events in id order.</summary>
public interface IOrderedEventSink
{
    /// <summary>The id of the last event delivered.</summary>
    long LastDeliveredId { get; }

    /// <summary>Replaces the replay ring with <paramref name="recent"/> (oldest first), the newest events up to <paramref name="lastId"/>.</summary>
    void Seed(IReadOnlyList<WrightEvent> recent, long lastId);

    /// <summary>Delivers one event with a database-assigned id; ids at or below <see cref="LastDeliveredId"/> are ignored (already delivered).</summary>
    void DeliverOrdered(WrightEvent evt);
}

/// <summary>The relay of a server alone on its database: none.</summary>
internal sealed class NoEventRelay : IEventRelay
{
    public static readonly NoEventRelay Instance = new();

    public bool IsActive => false;

    public void Attach(IOrderedEventSink sink)
    {
    }

    public void Send(WrightEvent evt) => throw new InvalidOperationException("No event relay is active.");
}
