using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Wright.FakeLlm;

/// <summary>One request the fake received: its path, body and headers, and whether the client closed the connection before the reply ended.</summary>
public sealed class FakeRequest
{
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);

    internal FakeRequest(int number, string path, string body, IReadOnlyDictionary<string, string> headers)
    {
        Number = number;
        Path = path;
        Body = body;
        Headers = headers;
    }

    /// <summary>1 for the first request the server received, and so on.</summary>
    public int Number { get; }

    public string Path { get; }

    public string Body { get; }

    public IReadOnlyDictionary<string, string> Headers { get; }

    public JsonNode? Json => JsonNode.Parse(Body);

    public bool IsAnthropic => Path.EndsWith("/messages", StringComparison.Ordinal);

    /// <summary>Completes when the client aborted the request (closed the connection) before the reply was finished.</summary>
    public Task Closed => _closed.Task;

    /// <summary>Completes when the fake has finished with this request, whichever way.</summary>
    public Task Ended => _ended.Task;

    internal void MarkClosed() => _closed.TrySetResult();

    internal void MarkEnded() => _ended.TrySetResult();
}

/// <summary>
/// A loopback fake LLM provider: Kestrel on 127.0.0.1:0 speaking OpenAI Chat Completions
/// (<c>POST /v1/chat/completions</c>) and Anthropic Messages (<c>POST /v1/messages</c>), streamed
/// or not. Each request takes the next scripted <see cref="FakeReply"/> from the queue (or the
/// <see cref="Fallback"/>); every request is recorded.
/// </summary>
public sealed class FakeLlmServer : IAsyncDisposable
{
    private readonly ConcurrentQueue<FakeReply> _replies = new();
    private readonly List<FakeRequest> _requests = [];
    private readonly Lock _lock = new();
    private readonly List<(int Count, TaskCompletionSource<FakeRequest> Waiter)> _waiters = [];
    private WebApplication? _app;

    private FakeLlmServer()
    {
    }

    public Uri BaseAddress { get; private set; } = new("http://127.0.0.1/");

    /// <summary>What an OpenAI client takes as its endpoint: <c>http://127.0.0.1:port/v1</c>.</summary>
    public Uri OpenAiEndpoint => new(BaseAddress, "v1");

    /// <summary>What an Anthropic client takes as its base URL: <c>http://127.0.0.1:port</c>.</summary>
    public string AnthropicBaseUrl => BaseAddress.ToString().TrimEnd('/');

    /// <summary>Answers requests when the queue is empty; null answers 500 "no reply scripted".</summary>
    public FakeReply? Fallback { get; set; }

    public IReadOnlyList<FakeRequest> Requests
    {
        get
        {
            lock (_lock)
            {
                return _requests.ToList();
            }
        }
    }

    public static async Task<FakeLlmServer> StartAsync(CancellationToken cancellationToken = default)
    {
        var fake = new FakeLlmServer();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.AddServerHeader = false);
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        app.Run(fake.HandleAsync);
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        fake.BaseAddress = new Uri(address.TrimEnd('/') + "/");
        fake._app = app;
        return fake;
    }

    /// <summary>Queues replies for the next requests, in order.</summary>
    public void Enqueue(params FakeReply[] replies)
    {
        foreach (var reply in replies)
        {
            _replies.Enqueue(reply);
        }
    }

    /// <summary>Waits until the server has received at least <paramref name="count"/> requests and returns the <paramref name="count"/>th.</summary>
    public Task<FakeRequest> WaitForRequestAsync(int count, CancellationToken cancellationToken = default)
    {
        TaskCompletionSource<FakeRequest> waiter;
        lock (_lock)
        {
            if (_requests.Count >= count)
            {
                return Task.FromResult(_requests[count - 1]);
            }

            waiter = new TaskCompletionSource<FakeRequest>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((count, waiter));
        }

        return waiter.Task.WaitAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync().ConfigureAwait(false);
            await _app.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body);
        var body = await reader.ReadToEndAsync(context.RequestAborted).ConfigureAwait(false);
        var headers = context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        FakeRequest request;
        lock (_lock)
        {
            request = new FakeRequest(_requests.Count + 1, context.Request.Path.Value ?? "", body, headers);
            _requests.Add(request);
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Count <= _requests.Count)
                {
                    _waiters[i].Waiter.TrySetResult(_requests[_waiters[i].Count - 1]);
                    _waiters.RemoveAt(i);
                }
            }
        }

        using var registration = context.RequestAborted.Register(request.MarkClosed);
        try
        {
            var reply = _replies.TryDequeue(out var next) ? next : Fallback;
            if (reply is null)
            {
                reply = FakeReply.WithStatus(500, "api_error", $"fake: no reply scripted for request {request.Number}");
            }

            await new FakeReplyWriter(context, request, reply).WriteAsync().ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client left (the test's point, often): nothing to answer.
        }
        catch (IOException) when (context.RequestAborted.IsCancellationRequested)
        {
            // Same: a write raced the client closing the connection.
        }
        finally
        {
            request.MarkEnded();
        }
    }

    internal static void Abort(HttpContext context)
    {
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        context.Abort();
    }
}
