using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Wright.Core.Paging;
using Wright.Core.Projects;

using Wright.Server.Accounts;

namespace Wright.Server.Events;

internal static class EventsEndpoints
{
    /// <summary><c>GET /api/events</c>: the event feed as Server-Sent Events.</summary>
    public static IEndpointRouteBuilder MapEvents(this IEndpointRouteBuilder api)
    {
        api.MapGet("/events", OpenEventStreamAsync)
            .WithName("StreamEvents")
            .WithTags("Events")
            .WithSummary("The event feed as Server-Sent Events (one project, or all); resume with the Last-Event-ID header or ?lastEventId=.");
        return api;
    }

    private static async Task<EventStreamResult> OpenEventStreamAsync(
        Guid? projectId,
        [FromQuery(Name = "lastEventId")] string? lastEventIdQuery,
        [FromHeader(Name = "Last-Event-ID")] string? lastEventIdHeader,
        HttpContext http,
        ProjectService projects,
        CancellationToken cancellationToken)
    {
        // The header wins: EventSource sends it on every reconnect, the query is for polyfills
        // that cannot set headers and would keep sending their first value.
        var resumeFrom = ParsePosition(lastEventIdHeader ?? lastEventIdQuery);
        var watched = new List<Project>();
        if (projectId is { } id)
        {
            watched.Add(await projects.GetAsync(http.Actor(), id, cancellationToken).ConfigureAwait(false));
        }
        else
        {
            string? cursor = null;
            do
            {
                var page = await projects.ListAsync(http.Actor(), new PageRequest(PageRequest.MaxLimit, cursor), includeArchived: false, cancellationToken).ConfigureAwait(false);
                watched.AddRange(page.Items);
                cursor = page.NextCursor;
            }
            while (cursor is not null);
        }

        var actor = http.Actor();
        return new EventStreamResult(projectId, resumeFrom, watched, (project, token) => projects.CanSeeAsync(actor, project, token));
    }

    /// <summary>
    /// A position the client says it has seen. One we cannot read (blank, garbage) is taken as
    /// "unknown", which is position 0: older than anything, so the client is told to resync.
    /// </summary>
    private static long? ParsePosition(string? value)
    {
        if (value is null)
        {
            return null;
        }

        return long.TryParse(value.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var position) ? position : 0;
    }
}
