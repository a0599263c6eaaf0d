namespace Wright.Core.Events;

/// <summary>The in-process event bus: Core raises events, the server streams them to clients.</summary>
public interface IEventBus
{
    /// <summary>Publishes an event and returns it with its assigned id. Never blocks on slow subscribers.</summary>
    WrightEvent Publish(string type, Guid? projectId, object data);

    /// <summary>
    /// Publishes a <c>file.changed</c> or <c>file.deleted</c> unless the last file event published for
    /// the same project and path already said the same (same ETag, or a deletion after a deletion);
    /// returns null when it was suppressed. The watcher uses it so a write made through the API, which
    /// published its own event, is not reported a second time as external.
    /// </summary>
    WrightEvent? PublishFileEventIfChanged(string type, Guid projectId, FileEventData data);

    /// <summary>
    /// Subscribes to the events of one project (or all when <paramref name="projectId"/> is null). The
    /// subscriber is registered before the replay is taken, so nothing falls between them: with
    /// <paramref name="lastEventId"/> the subscription first yields every later event still in the
    /// replay buffer, or a <c>resync</c> when some have left it, then live events.
    /// </summary>
    EventSubscription Subscribe(Guid? projectId, long? lastEventId);

    /// <summary>
    /// Advances the id sequence without publishing anything and returns the id it skipped: a position
    /// later <c>Last-Event-ID</c>s can be compared with (the watcher marks when it started watching).
    /// </summary>
    long ReservePosition();
}
