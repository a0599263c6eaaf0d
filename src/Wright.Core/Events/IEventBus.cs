namespace Wright.Core.Events;

/// <summary>The in-process event bus: Core raises events, the server streams them to clients.</summary>
public interface IEventBus
{
    /// <summary>Publishes an event and returns it with its assigned id. Never blocks on slow subscribers.</summary>
    WrightEvent Publish(string type, Guid? projectId, object data);
}
