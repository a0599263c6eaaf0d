namespace Wright.Server.Events;

internal static class EventsEndpoints
{
    /// <summary><c>GET /api/events</c>: the event feed as Server-Sent Events.</summary>
    public static IEndpointRouteBuilder MapEvents(this IEndpointRouteBuilder api)
    {
        return api;
    }
}
