using System.Net.Http.Headers;
using System.Text.Json;
using Wright.Server.Tests.Infrastructure;

namespace Wright.Server.Tests.Events;

/// <summary>One dispatched Server-Sent Event: its id, type and data, with the data parsed as JSON.</summary>
public sealed record SseMessage(string? Id, string Event, string Data)
{
    public JsonElement Json => JsonDocument.Parse(Data).RootElement;

    /// <summary>The event's payload (<c>data</c> member of the whole event).</summary>
    public JsonElement Payload => Json.GetProperty("data");

    public string? Path => Payload.TryGetProperty("path", out var path) ? path.GetString() : null;

    public override string ToString() => $"{Event} #{Id} {Data}";
}

/// <summary>
/// A Server-Sent Events client over a real HTTP response (headers read first, body parsed as it
/// arrives), following the browser's EventSource rules for <c>id</c>, <c>event</c>, <c>data</c> and comments.
/// </summary>
public sealed class SseStream : IAsyncDisposable
{
    private readonly HttpResponseMessage _response;
    private readonly StreamReader _reader;

    private SseStream(HttpResponseMessage response, StreamReader reader)
    {
        _response = response;
        _reader = reader;
    }

    public HttpResponseMessage Response => _response;

    /// <summary>The client's last event id, as EventSource would send it on reconnect (id-only blocks count).</summary>
    public string? LastEventId { get; private set; }

    public int CommentsSeen { get; private set; }

    /// <summary>Opens the feed; the caller checks <see cref="Response"/>'s status.</summary>
    public static async Task<SseStream> OpenAsync(HttpClient client, string url, string? lastEventId = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        if (lastEventId is not null)
        {
            request.Headers.TryAddWithoutValidation("Last-Event-ID", lastEventId);
        }

        var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead).Bounded();
        var body = await response.Content.ReadAsStreamAsync().Bounded();
        return new SseStream(response, new StreamReader(body));
    }

    /// <summary>POSTs <paramref name="body"/> as JSON and reads the answer as a stream; the caller checks <see cref="Response"/>'s status.</summary>
    public static async Task<SseStream> PostAsync(HttpClient client, string url, object body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = System.Net.Http.Json.JsonContent.Create(body) };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead).Bounded();
        var stream = await response.Content.ReadAsStreamAsync().Bounded();
        return new SseStream(response, new StreamReader(stream));
    }

    /// <summary>The next dispatched event, or null when the server ended the stream; waits at most the test timeout.</summary>
    public async Task<SseMessage?> NextAsync()
    {
        using var timeout = new CancellationTokenSource(TestTimeouts.Default);
        string? id = null;
        string? type = null;
        var data = new List<string>();
        while (true)
        {
            var line = await _reader.ReadLineAsync(timeout.Token);
            if (line is null)
            {
                return null;
            }

            if (line.Length == 0)
            {
                if (id is not null)
                {
                    LastEventId = id;
                }

                if (data.Count > 0)
                {
                    return new SseMessage(id, type ?? "message", string.Join('\n', data));
                }

                id = null;
                type = null;
                continue;
            }

            if (line.StartsWith(':'))
            {
                CommentsSeen++;
                continue;
            }

            var colon = line.IndexOf(':', StringComparison.Ordinal);
            var field = colon < 0 ? line : line[..colon];
            var value = colon < 0 ? "" : line[(colon + 1)..].TrimStart(' ');
            switch (field)
            {
                case "id":
                    id = value;
                    break;
                case "event":
                    type = value;
                    break;
                case "data":
                    data.Add(value);
                    break;
            }
        }
    }

    /// <summary>The next event, which must exist (the stream must not end first).</summary>
    public async Task<SseMessage> NextEventAsync()
    {
        var message = await NextAsync();
        message.ShouldNotBeNull("the stream ended before the expected event arrived");
        return message;
    }

    /// <summary>The next event of the chat itself, skipping what the agent loop adds around it (its Context and its stop report).</summary>
    public async Task<SseMessage> NextChatEventAsync()
    {
        while (true)
        {
            var message = await NextEventAsync();
            if (message.Event is not ("context" or "answer.stopped"))
            {
                return message;
            }
        }
    }

    /// <summary>Reads until a comment (heartbeat) has been seen; false if the stream ended first.</summary>
    public async Task<bool> WaitForCommentAsync()
    {
        using var timeout = new CancellationTokenSource(TestTimeouts.Default);
        while (true)
        {
            var line = await _reader.ReadLineAsync(timeout.Token);
            if (line is null)
            {
                return false;
            }

            if (line.StartsWith(':'))
            {
                CommentsSeen++;
                return true;
            }
        }
    }

    /// <summary>Reads blocks until the id-only block a fresh stream opens with has set <see cref="LastEventId"/>.</summary>
    public async Task WaitForPositionAsync()
    {
        using var timeout = new CancellationTokenSource(TestTimeouts.Default);
        while (LastEventId is null)
        {
            var line = await _reader.ReadLineAsync(timeout.Token);
            line.ShouldNotBeNull("the stream ended before its opening position");
            if (line.StartsWith("id:", StringComparison.Ordinal))
            {
                LastEventId = line[3..].Trim();
            }
        }
    }

    public ValueTask DisposeAsync()
    {
        _reader.Dispose();
        _response.Dispose();
        return ValueTask.CompletedTask;
    }
}
