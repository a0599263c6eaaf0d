using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Wright.Core.Events;

namespace Wright.Core.Agents;

/// <summary>The board's event types; never rename one.</summary>
public static class AgentEventTypes
{
    /// <summary>An agent appeared (registered by <c>wright start</c>, or first heard from).</summary>
    public const string Started = "agent.started";

    /// <summary>An agent's derived state changed (its task moved, or it went stale).</summary>
    public const string State = "agent.state";

    /// <summary>A turn was recorded.</summary>
    public const string Turn = "agent.turn";

    /// <summary>Its tokens and cost grew.</summary>
    public const string Usage = "agent.usage";

    /// <summary>Its session ended.</summary>
    public const string Ended = "agent.ended";
}

/// <summary>Payload of every <c>agent.*</c> event: the agent as the board shows it, and for <c>agent.state</c> the move.</summary>
public sealed record AgentBoardEvent(AgentSummary Summary, AgentTaskState? From, AgentTaskState? To, AgentTurn? Turn);

/// <summary>
/// The live feed of the agent board: a bus of its own, keyed by the owning user (the bus's project
/// filter carries the user id), so a user's stream only ever holds their agents and the project
/// feed (<c>/api/events</c>) never carries agents.
/// </summary>
public sealed class AgentBoard
{
    private readonly EventBus _bus;

    public AgentBoard(IOptions<EventsOptions> options, TimeProvider time, ILoggerFactory loggers)
    {
        _bus = new EventBus(options, time, loggers.CreateLogger<EventBus>());
    }

    public WrightEvent Publish(string type, AgentBoardEvent data) => _bus.Publish(type, data.Summary.Agent.OwnerId, data);

    /// <summary>The events of one user's agents, resuming after <paramref name="lastEventId"/> when given.</summary>
    public EventSubscription Subscribe(Guid ownerId, long? lastEventId) => _bus.Subscribe(ownerId, lastEventId);

    /// <summary>Every user's agent events, from now on: for the server's own listeners (desktop notifications), never for a client.</summary>
    public EventSubscription SubscribeAll() => _bus.Subscribe(null, null);
}
