using System.Reflection;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Wright.Core.Flows;
using Wright.Server.Events;
using JsonOptions = Microsoft.AspNetCore.Http.Json.JsonOptions;
using ProblemDetails = Microsoft.AspNetCore.Mvc.ProblemDetails;

namespace Wright.Server.Flows;

/// <summary>
/// A run's events as Server-Sent Events, each with its number in the run as its id. The database
/// is the log: a client resuming with <c>Last-Event-ID</c> gets the stored events after it, then
/// the new ones as the run writes them (woken at once when this server drives the run, checked every
/// second when another instance does). The stream ends after <c>done</c>, <c>error</c> or <c>cancelled</c>.
/// </summary>
internal sealed class FlowEventsResult(Guid runId, long after) : IResult, IEndpointMetadataProvider
{
    private static readonly TimeSpan Poll = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan HeartbeatEvery = TimeSpan.FromSeconds(15);

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder)
    {
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(string), ["text/event-stream"]));
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status404NotFound, typeof(ProblemDetails), ["application/problem+json"]));
    }

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var services = httpContext.RequestServices;
        var runner = services.GetRequiredService<FlowRunner>();
        var lifetime = services.GetRequiredService<IHostApplicationLifetime>();
        var writer = ServerSentEventWriter.Start(httpContext);
        using var ended = CancellationTokenSource.CreateLinkedTokenSource(httpContext.RequestAborted, lifetime.ApplicationStopping);
        var cancellationToken = ended.Token;
        var position = after;
        var quiet = TimeSpan.Zero;
        try
        {
            await writer.WriteHeartbeatAsync(cancellationToken).ConfigureAwait(false);
            while (true)
            {
                // Wait first registered, then read: nothing written in between is missed.
                var change = runner.WaitForChangeAsync(runId, Poll, cancellationToken);
                var events = await runner.EventsAfterAsync(runId, position, cancellationToken).ConfigureAwait(false);
                for (var i = 0; i < events.Count; i++)
                {
                    var evt = events[i];
                    var data = evt.Data;
                    await writer.WriteAsync(evt.Seq, evt.Type, data, flush: i == events.Count - 1, cancellationToken).ConfigureAwait(false);
                    position = evt.Seq;
                    if (FlowEventTypes.IsFinal(evt.Type))
                    {
                        return;
                    }
                }

                if (events.Count > 0)
                {
                    quiet = TimeSpan.Zero;
                    continue;
                }

                await change.ConfigureAwait(false);
                quiet += Poll;
                if (quiet >= HeartbeatEvery)
                {
                    quiet = TimeSpan.Zero;
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
