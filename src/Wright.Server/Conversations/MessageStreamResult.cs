using Wright.Core.Answers;
using System.Reflection;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Extensions.Hosting;
using Wright.Core.Conversations;
using Wright.Server.Events;
using ProblemDetails = Microsoft.AspNetCore.Mvc.ProblemDetails;

namespace Wright.Server.Conversations;

/// <summary>
/// An answer's stream as Server-Sent Events: <c>message.created</c>, <c>delta</c>,
/// <c>toolCall</c>, <c>usage</c>, then <c>message.completed</c> or <c>error</c>, each with its id
/// in the answer's log (1, 2, 3…). A client resuming with <c>Last-Event-ID</c> gets the events after
/// it, then the rest live. The client counts as watching while connected: when the last one leaves,
/// the answer is cancelled after the grace period. A message no longer streaming here is sent as
/// its one final event.
/// </summary>
internal sealed class MessageStreamResult : IResult, IEndpointMetadataProvider
{
    private readonly AnswerStream? _run;
    private readonly Message? _message;
    private readonly long _after;

    public MessageStreamResult(AnswerStream? run, Message? message, long after)
    {
        _run = run;
        _message = message;
        _after = after;
    }

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder)
    {
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(string), ["text/event-stream"]));
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status404NotFound, typeof(ProblemDetails), ["application/problem+json"]));
    }

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var services = httpContext.RequestServices;
        var lifetime = services.GetRequiredService<IHostApplicationLifetime>();
        var writer = ServerSentEventWriter.Start(httpContext);
        var cancellationToken = httpContext.RequestAborted;

        if (_run is null)
        {
            ArgumentNullException.ThrowIfNull(_message);
            var type = _message.Status == MessageStatus.Error ? AnswerEventTypes.Error : AnswerEventTypes.MessageCompleted;
            await writer.WriteAsync(Math.Max(_after, 0) + 1, type, RunEventDtos.From(new MessageEndedData(_message, _message.ErrorCode, _message.ErrorDetail)), cancellationToken).ConfigureAwait(false);
            return;
        }

        using var watching = _run.Watch();
        try
        {
            await foreach (var batch in _run.ReadBatchesAsync(_after, relay: true, cancellationToken).ConfigureAwait(false))
            {
                for (var i = 0; i < batch.Count; i++)
                {
                    var evt = batch[i];
                    await writer.WriteAsync(evt.Id, evt.Type, RunEventDtos.From(evt.Data), flush: i == batch.Count - 1, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested || lifetime.ApplicationStopping.IsCancellationRequested)
        {
            // The client left: disposing the watch lets the run cancel its provider call once no
            // client is left (after the grace period).
        }
        catch (IOException) when (cancellationToken.IsCancellationRequested)
        {
            // Same: a write raced the client closing the connection.
        }
    }
}
