using System.Reflection;
using Microsoft.AspNetCore.Http.Metadata;
using ProblemDetails = Microsoft.AspNetCore.Mvc.ProblemDetails;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Wright.Core.Events;
using Wright.Core.Projects;

namespace Wright.Server.Events;

/// <summary>
/// Streams the bus to one client as Server-Sent Events: each event is <c>id:</c> (its bus id),
/// <c>event:</c> (its type) and one <c>data:</c> line holding the whole event as camelCase JSON,
/// flushed at once. An idle stream sends a comment every heartbeat interval. A fresh stream opens
/// with an id-only block naming its starting position, so a client that reconnects before any event
/// arrived still resumes from there. The stream ends when the client leaves, the server stops, or
/// the client was too slow (after a final <c>resync</c>).
/// </summary>
internal sealed class EventStreamResult : IResult, IEndpointMetadataProvider
{
    private readonly Guid? _projectId;
    private readonly long? _resumeFrom;
    private readonly IReadOnlyList<Project> _watched;
    private readonly Func<Guid, CancellationToken, Task<bool>> _canSee;

    /// <param name="canSee">Whether the user may see a project's events: the feed of all projects carries only theirs.</param>
    public EventStreamResult(Guid? projectId, long? resumeFrom, IReadOnlyList<Project> watched, Func<Guid, CancellationToken, Task<bool>> canSee)
    {
        _projectId = projectId;
        _resumeFrom = resumeFrom;
        _watched = watched;
        _canSee = canSee;
    }

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder)
    {
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(string), ["text/event-stream"]));
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status404NotFound, typeof(ProblemDetails), ["application/problem+json"]));
    }

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var services = httpContext.RequestServices;
        var bus = services.GetRequiredService<IEventBus>();
        var watcher = services.GetRequiredService<ProjectWatcher>();
        var options = services.GetRequiredService<IOptions<EventsOptions>>().Value;
        var time = services.GetRequiredService<TimeProvider>();
        var lifetime = services.GetRequiredService<IHostApplicationLifetime>();
        var logger = services.GetRequiredService<ILogger<EventStreamResult>>();

        // Ends the stream when the client leaves or the host stops, so shutdown never waits for
        // open feeds.
        using var streamEnd = CancellationTokenSource.CreateLinkedTokenSource(httpContext.RequestAborted, lifetime.ApplicationStopping);
        var cancellationToken = streamEnd.Token;

        // Watch before subscribing (register before the snapshot): every external change after the
        // subscription's position is reported.
        var leases = _watched.Select(watcher.Watch).ToList();
        try
        {
            var missedWatch = _resumeFrom is { } after && leases.Any(l => l.WatchingSince > after);
            using var subscription = bus.Subscribe(_projectId, missedWatch ? null : _resumeFrom);

            var writer = ServerSentEventWriter.Start(httpContext);
            EventStreamLog.Opened(logger, _projectId, _resumeFrom, subscription.Position);
            if (missedWatch)
            {
                // The project was not watched for part of the time since the client's position:
                // external changes may have been missed.
                var resync = new WrightEvent(subscription.Position, EventTypes.Resync, _projectId, time.GetUtcNow(), new ResyncData(ResyncReasons.WatchGap));
                await writer.WriteEventAsync(resync, cancellationToken).ConfigureAwait(false);
            }
            else if (_resumeFrom is null)
            {
                await writer.WritePositionAsync(subscription.Position, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
            }

            var visible = new ProjectVisibility(_watched, _canSee);
            await PumpAsync(subscription, writer, visible, options.HeartbeatInterval, time, cancellationToken).ConfigureAwait(false);
            EventStreamLog.Ended(logger, _projectId);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The client left or the server is stopping: either way the stream is over, and the
            // response simply ends.
            EventStreamLog.Ended(logger, _projectId);
        }
        finally
        {
            foreach (var lease in leases)
            {
                lease.Dispose();
            }
        }
    }

    /// <summary>Writes events as they come and a heartbeat when a whole interval passed without one, until the subscription ends.</summary>
    private static async Task PumpAsync(EventSubscription subscription, ServerSentEventWriter writer, ProjectVisibility visible, TimeSpan heartbeat, TimeProvider time, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(heartbeat, time);
        Task<bool>? readable = null;
        Task<bool>? tick = null;
        var wroteSinceTick = false;
        while (true)
        {
            while (subscription.TryRead(out var evt))
            {
                if (evt.ProjectId is { } project && !await visible.CanSeeAsync(project, cancellationToken).ConfigureAwait(false))
                {
                    continue;
                }

                await writer.WriteEventAsync(evt, cancellationToken).ConfigureAwait(false);
                wroteSinceTick = true;
            }

            readable ??= subscription.WaitToReadAsync(cancellationToken).AsTask();
            tick ??= timer.WaitForNextTickAsync(cancellationToken).AsTask();
            if (await Task.WhenAny(readable, tick).ConfigureAwait(false) == readable)
            {
                if (!await readable.ConfigureAwait(false))
                {
                    return;
                }

                readable = null;
                continue;
            }

            await tick.ConfigureAwait(false);
            tick = null;
            if (!wroteSinceTick)
            {
                await writer.WriteHeartbeatAsync(cancellationToken).ConfigureAwait(false);
            }

            wroteSinceTick = false;
        }
    }
}

/// <summary>
/// Which projects' events one stream may carry: those watched when it opened, plus projects the
/// user gains later (created, or made a member of), asked once each and remembered for the stream.
/// </summary>
internal sealed class ProjectVisibility
{
    private readonly Dictionary<Guid, bool> _known;
    private readonly Func<Guid, CancellationToken, Task<bool>> _canSee;

    public ProjectVisibility(IEnumerable<Project> watched, Func<Guid, CancellationToken, Task<bool>> canSee)
    {
        _known = watched.ToDictionary(p => p.Id, _ => true);
        _canSee = canSee;
    }

    public async ValueTask<bool> CanSeeAsync(Guid projectId, CancellationToken cancellationToken)
    {
        if (!_known.TryGetValue(projectId, out var visible))
        {
            visible = await _canSee(projectId, cancellationToken).ConfigureAwait(false);
            _known[projectId] = visible;
        }

        return visible;
    }
}

internal static partial class EventStreamLog
{
    [LoggerMessage(EventId = 5201, Level = LogLevel.Debug, Message = "Event stream opened (project {ProjectId}, resuming from {ResumeFrom}, position {Position})")]
    public static partial void Opened(ILogger logger, Guid? projectId, long? resumeFrom, long position);

    [LoggerMessage(EventId = 5202, Level = LogLevel.Debug, Message = "Event stream ended (project {ProjectId})")]
    public static partial void Ended(ILogger logger, Guid? projectId);
}
