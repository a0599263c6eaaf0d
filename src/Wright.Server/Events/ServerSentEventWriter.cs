using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using Wright.Core.Events;
using JsonOptions = Microsoft.AspNetCore.Http.Json.JsonOptions;

namespace Wright.Server.Events;

/// <summary>Writes the <c>text/event-stream</c> format to a response body and flushes after each block.</summary>
internal sealed class ServerSentEventWriter
{
    private static readonly byte[] Heartbeat = ": heartbeat\n\n"u8.ToArray();

    private readonly Stream _body;
    private readonly JsonSerializerOptions _json;
    private readonly ArrayBufferWriter<byte> _buffer = new(4096);

    public ServerSentEventWriter(Stream body, JsonSerializerOptions json)
    {
        _body = body;
        _json = json;
    }

    /// <summary>
    /// Starts an event stream as the response to <paramref name="httpContext"/>: 200,
    /// <c>text/event-stream</c>, never cached or buffered (by the server or a proxy), with the
    /// API's JSON options. Every SSE endpoint starts its response here.
    /// </summary>
    public static ServerSentEventWriter Start(HttpContext httpContext)
    {
        var response = httpContext.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache, no-store";
        response.Headers["X-Accel-Buffering"] = "no";
        httpContext.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        var json = httpContext.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
        return new ServerSentEventWriter(response.Body, json);
    }

    /// <summary>Sends what was written so far (the headers, at the start) without an event.</summary>
    public Task FlushAsync(CancellationToken cancellationToken) => _body.FlushAsync(cancellationToken);

    /// <summary>
    /// <c>id</c>, <c>event</c> and one <c>data</c> line with the whole event as JSON (JSON never
    /// holds a raw line break, so one line is always enough).
    /// </summary>
    public Task WriteEventAsync(WrightEvent evt, CancellationToken cancellationToken)
    {
        _buffer.ResetWrittenCount();
        Append("id: ");
        Append(evt.Id.ToString(CultureInfo.InvariantCulture));
        Append("\nevent: ");
        Append(evt.Type.ReplaceLineEndings(""));
        Append("\ndata: ");
        using (var json = new Utf8JsonWriter(_buffer))
        {
            JsonSerializer.Serialize(json, evt, _json);
        }

        Append("\n\n");
        return WriteBufferAsync(cancellationToken);
    }

    /// <summary><c>id</c>, <c>event</c> and one <c>data</c> line holding <paramref name="data"/> as JSON (streams other than the bus feed).</summary>
    public Task WriteAsync(long id, string type, object data, CancellationToken cancellationToken) => WriteAsync(id, type, data, flush: true, cancellationToken);

    /// <summary>As <see cref="WriteAsync(long, string, object, CancellationToken)"/>; without <paramref name="flush"/> the block waits for the next flush (batches).</summary>
    public async Task WriteAsync(long id, string type, object data, bool flush, CancellationToken cancellationToken)
    {
        _buffer.ResetWrittenCount();
        Append("id: ");
        Append(id.ToString(CultureInfo.InvariantCulture));
        Append("\nevent: ");
        Append(type.ReplaceLineEndings(""));
        Append("\ndata: ");
        using (var json = new Utf8JsonWriter(_buffer))
        {
            JsonSerializer.Serialize(json, data, data.GetType(), _json);
        }

        Append("\n\n");
        await _body.WriteAsync(_buffer.WrittenMemory, cancellationToken).ConfigureAwait(false);
        if (flush)
        {
            await _body.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>An id-only block: sets the client's last event id without dispatching an event.</summary>
    public Task WritePositionAsync(long position, CancellationToken cancellationToken)
    {
        _buffer.ResetWrittenCount();
        Append("id: ");
        Append(position.ToString(CultureInfo.InvariantCulture));
        Append("\n\n");
        return WriteBufferAsync(cancellationToken);
    }

    /// <summary>A comment line, which clients ignore; it keeps idle connections open through proxies.</summary>
    public async Task WriteHeartbeatAsync(CancellationToken cancellationToken)
    {
        await _body.WriteAsync(Heartbeat, cancellationToken).ConfigureAwait(false);
        await _body.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    private void Append(string text) => Encoding.UTF8.GetBytes(text, _buffer);

    private async Task WriteBufferAsync(CancellationToken cancellationToken)
    {
        await _body.WriteAsync(_buffer.WrittenMemory, cancellationToken).ConfigureAwait(false);
        await _body.FlushAsync(cancellationToken).ConfigureAwait(false);
    }
}
