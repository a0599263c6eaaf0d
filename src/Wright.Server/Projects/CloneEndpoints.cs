using System.Globalization;
using System.Reflection;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Hosting;
using Wright.Core.Projects;
using Wright.Server.Accounts;
using Wright.Server.Events;

namespace Wright.Server.Projects;

/// <summary>
/// Clones with progress under <c>/api/clones</c>: <c>POST</c> checks the request and starts the
/// clone in the background (202 with the operation), <c>GET {id}</c> reads it, <c>GET {id}/events</c>
/// streams its progress as SSE until it ends, <c>POST {id}:cancel</c> stops it. The synchronous
/// <c>POST /api/projects:clone</c> stays for scripts.
/// </summary>
internal static class CloneEndpoints
{
    public static void MapClones(this RouteGroupBuilder group)
    {
        group.MapPost("/clones", StartAsync)
            .WithSummary("Starts cloning a repository into a new project in the background; follow GET /api/clones/{id}/events for its progress.");
        group.MapGet("/clones/{id:guid}", Get);
        group.MapGet("/clones/{id:guid}/events", Events)
            .WithSummary("The clone's progress as Server-Sent Events (progress, then succeeded, failed or cancelled); each holds the whole operation.");
        group.MapPost("/clones/{id:guid}:cancel", CancelAsync)
            .WithSummary("Cancels a running clone: git is stopped and its directory removed; no project is registered.");
    }

    private static async Task<Accepted<CloneOperationDto>> StartAsync(CloneProjectRequest request, HttpContext http, ProjectService projects, CloneOperations clones, CancellationToken cancellationToken)
    {
        var actor = http.Actor();
        var target = await projects.PrepareCloneAsync(actor, request.Url, request.Path, request.Name, cancellationToken);
        var operation = clones.Start(actor, target);
        return TypedResults.Accepted($"/api/clones/{operation.Id}", operation.Current);
    }

    private static Ok<CloneOperationDto> Get(Guid id, HttpContext http, CloneOperations clones) =>
        TypedResults.Ok(clones.Get(http.Actor(), id).Current);

    private static CloneEventsResult Events(
        Guid id,
        [FromHeader(Name = "Last-Event-ID")] string? lastEventId,
        HttpContext http,
        CloneOperations clones)
    {
        var operation = clones.Get(http.Actor(), id);
        var after = long.TryParse(lastEventId?.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) ? parsed : 0;
        return new CloneEventsResult(operation, after);
    }

    private static async Task<Ok<CloneOperationDto>> CancelAsync(Guid id, HttpContext http, CloneOperations clones, CancellationToken cancellationToken) =>
        TypedResults.Ok((await clones.CancelAsync(http.Actor(), id, cancellationToken)).Current);
}

/// <summary>A clone's events as SSE, numbered; ends after the final one (succeeded, failed, cancelled).</summary>
internal sealed class CloneEventsResult(CloneOperation operation, long after) : IResult, IEndpointMetadataProvider
{
    private static readonly TimeSpan HeartbeatEvery = TimeSpan.FromSeconds(15);

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder)
    {
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(CloneOperationDto), ["text/event-stream"]));
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status404NotFound, typeof(ProblemDetails), ["application/problem+json"]));
    }

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var lifetime = httpContext.RequestServices.GetRequiredService<IHostApplicationLifetime>();
        var writer = ServerSentEventWriter.Start(httpContext);
        using var ended = CancellationTokenSource.CreateLinkedTokenSource(httpContext.RequestAborted, lifetime.ApplicationStopping);
        var cancellationToken = ended.Token;
        var position = after;
        try
        {
            await writer.WriteHeartbeatAsync(cancellationToken).ConfigureAwait(false);
            while (true)
            {
                var (events, changed) = operation.After(position);
                foreach (var (id, type, data) in events)
                {
                    await writer.WriteAsync(id, type, data, flush: id == events[^1].Id, cancellationToken).ConfigureAwait(false);
                    position = id;
                    if (type != "progress")
                    {
                        return;
                    }
                }

                if (events.Count > 0)
                {
                    continue;
                }

                var finished = await Task.WhenAny(changed, Task.Delay(HeartbeatEvery, cancellationToken)).ConfigureAwait(false);
                if (finished != changed)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    await writer.WriteHeartbeatAsync(cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The client left or the server is stopping; the client resumes with its Last-Event-ID.
        }
        catch (IOException) when (httpContext.RequestAborted.IsCancellationRequested)
        {
            // A write raced the client closing the connection.
        }
    }
}
