using System.Collections.Concurrent;
using Wright.Core.Events;

namespace Wright.Server.Tests.Files;

/// <summary>A hand-written event bus for the files tests: records what was published (the real bus comes with AddEvents()).</summary>
public sealed class RecordingEventBus : IEventBus
{
    private long _nextId;

    public ConcurrentQueue<WrightEvent> Events { get; } = new();

    public WrightEvent Publish(string type, Guid? projectId, object data)
    {
        var published = new WrightEvent(Interlocked.Increment(ref _nextId), type, projectId, DateTimeOffset.UtcNow, data);
        Events.Enqueue(published);
        return published;
    }

    public IReadOnlyList<FileEventData> FileEvents(string type) =>
        Events.Where(e => e.Type == type).Select(e => (FileEventData)e.Data).ToList();
}
