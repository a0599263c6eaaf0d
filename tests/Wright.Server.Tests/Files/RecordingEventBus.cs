using System.Collections.Concurrent;
using Wright.Core.Events;

namespace Wright.Server.Tests.Files;

/// <summary>The real event bus with a record of what was published, for the files tests.</summary>
public sealed class RecordingEventBus : IEventBus
{
    private readonly EventBus _inner = new(
        Microsoft.Extensions.Options.Options.Create(new EventsOptions()),
        TimeProvider.System,
        Microsoft.Extensions.Logging.Abstractions.NullLogger<EventBus>.Instance);

    public ConcurrentQueue<WrightEvent> Events { get; } = new();

    public WrightEvent Publish(string type, Guid? projectId, object data)
    {
        var published = _inner.Publish(type, projectId, data);
        Events.Enqueue(published);
        return published;
    }

    public WrightEvent? PublishFileEventIfChanged(string type, Guid projectId, FileEventData data)
    {
        var published = _inner.PublishFileEventIfChanged(type, projectId, data);
        if (published is not null)
        {
            Events.Enqueue(published);
        }

        return published;
    }

    public EventSubscription Subscribe(Guid? projectId, long? lastEventId) => _inner.Subscribe(projectId, lastEventId);

    public long ReservePosition() => _inner.ReservePosition();

    public IReadOnlyList<FileEventData> FileEvents(string type) =>
        Events.Where(e => e.Type == type).Select(e => (FileEventData)e.Data).ToList();
}
