using System.Reflection;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Wright.Core.Agents;
using Wright.Core.Events;
using Wright.Server.Events;

namespace Wright.Server.Agents;

/// <summary>
/// The board's feed for one user as Server-Sent Events: every <c>agent.*</c> event of their agents
/// (the board's bus filters by owner), ids resumable with <c>Last-Event-ID</c>, a heartbeat when idle.
/// </summary>
internal sealed class AgentEventStreamResult : IResult, IEndpointMetadataProvider
{
    private readonly Guid _ownerId;
    private readonly long? _resumeFrom;

    public AgentEventStreamResult(Guid ownerId, long? resumeFrom)
    {
        _ownerId = ownerId;
        _resumeFrom = resumeFrom;
    }

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(string), ["text/event-stream"]));

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var services = httpContext.RequestServices;
        var board = services.GetRequiredService<AgentBoard>();
        var monitor = services.GetRequiredService<AgentMonitor>();
        var heartbeat = services.GetRequiredService<IOptions<EventsOptions>>().Value.HeartbeatInterval;
        var lifetime = services.GetRequiredService<IHostApplicationLifetime>();
        using var streamEnd = CancellationTokenSource.CreateLinkedTokenSource(httpContext.RequestAborted, lifetime.ApplicationStopping);
        var cancellationToken = streamEnd.Token;

        using var subscription = board.Subscribe(_ownerId, _resumeFrom);
        var writer = ServerSentEventWriter.Start(httpContext);
        try
        {
            if (_resumeFrom is null)
            {
                await writer.WritePositionAsync(subscription.Position, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
            }

            while (true)
            {
                while (subscription.TryRead(out var evt))
                {
                    object data = evt.Data is AgentBoardEvent board1
                        ? new AgentBoardEventDto(AgentDto.From(board1.Summary, monitor.StateOf(board1.Summary)), board1.From, board1.To, board1.Turn is null ? null : AgentTurnDto.From(board1.Turn))
                        : evt.Data;
                    await writer.WriteAsync(evt.Id, evt.Type, data, cancellationToken).ConfigureAwait(false);
                }

                using var idle = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                idle.CancelAfter(heartbeat);
                try
                {
                    if (!await subscription.WaitToReadAsync(idle.Token).ConfigureAwait(false))
                    {
                        return;
                    }
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    // A quiet interval: a comment keeps proxies and browsers from closing the stream.
                    await writer.WriteHeartbeatAsync(cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The client left or the server is stopping: the stream is over.
        }
    }
}
