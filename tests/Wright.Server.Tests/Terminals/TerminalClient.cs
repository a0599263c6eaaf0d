using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Wright.Server.Tests.Infrastructure;

namespace Wright.Server.Tests.Terminals;

/// <summary>
/// A test's client of the terminal WebSocket: a real <see cref="ClientWebSocket"/> whose received
/// bytes are collected (terminal output as text, control messages apart), with bounded waits for
/// text to appear.
/// </summary>
public sealed class TerminalClient : IAsyncDisposable
{
    private readonly ClientWebSocket _socket;
    private readonly StringBuilder _output = new();
    private readonly List<string> _controls = [];
    private readonly SemaphoreSlim _changed = new(0);
    private readonly Task _reader;
    private readonly Decoder _decoder = Encoding.UTF8.GetDecoder();

    private TerminalClient(ClientWebSocket socket, bool read)
    {
        _socket = socket;
        _reader = read ? Task.Run(ReadLoopAsync) : Task.CompletedTask;
    }

    public long BytesReceived { get; private set; }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public IReadOnlyList<string> Controls
    {
        get
        {
            lock (_output)
            {
                return _controls.ToList();
            }
        }
    }

    public WebSocket Socket => _socket;

    /// <summary>Connects to <c>/api/terminals/{id}/attach</c> with a bearer token; <paramref name="read"/> false leaves the socket unread (a stalled client).</summary>
    public static async Task<TerminalClient> ConnectAsync(Uri baseAddress, string token, Guid terminalId, int? cols = null, int? rows = null, bool read = true, string? origin = null)
    {
        var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Authorization", "Bearer " + token);
        if (origin is not null)
        {
            socket.Options.SetRequestHeader("Origin", origin);
        }

        socket.Options.CollectHttpResponseDetails = true;
        var query = cols is null ? "" : $"?cols={cols}&rows={rows}";
        var uri = new Uri(new Uri(baseAddress.ToString().Replace("http", "ws", StringComparison.Ordinal)), $"/api/terminals/{terminalId}/attach{query}");
        await socket.ConnectAsync(uri, CancellationToken.None).Bounded();
        return new TerminalClient(socket, read);
    }

    /// <summary>The status a refused handshake got.</summary>
    public static async Task<System.Net.HttpStatusCode> RefusedStatusAsync(Uri baseAddress, string token, Guid terminalId, string? origin = null)
    {
        using var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Authorization", "Bearer " + token);
        if (origin is not null)
        {
            socket.Options.SetRequestHeader("Origin", origin);
        }

        socket.Options.CollectHttpResponseDetails = true;
        var uri = new Uri(new Uri(baseAddress.ToString().Replace("http", "ws", StringComparison.Ordinal)), $"/api/terminals/{terminalId}/attach");
        await Should.ThrowAsync<WebSocketException>(() => socket.ConnectAsync(uri, CancellationToken.None).Bounded());
        return socket.HttpStatusCode;
    }

    public Task SendAsync(string input) =>
        _socket.SendAsync(Encoding.UTF8.GetBytes(input), WebSocketMessageType.Binary, true, CancellationToken.None).Bounded();

    public Task ResizeAsync(int cols, int rows) =>
        _socket.SendAsync(Encoding.UTF8.GetBytes($"{{\"type\":\"resize\",\"cols\":{cols},\"rows\":{rows}}}"), WebSocketMessageType.Text, true, CancellationToken.None).Bounded();

    /// <summary>Waits, bounded, until the output contains <paramref name="text"/>.</summary>
    public Task WaitForAsync(string text) => WaitUntilAsync(() => Output.Contains(text, StringComparison.Ordinal), $"output containing '{text}'");

    /// <summary>Waits, bounded, for the server's exit message and returns its code.</summary>
    public async Task<int?> WaitForExitAsync()
    {
        await WaitUntilAsync(() => Controls.Any(c => c.Contains("\"exit\"", StringComparison.Ordinal)), "an exit message");
        using var exit = JsonDocument.Parse(Controls.First(c => c.Contains("\"exit\"", StringComparison.Ordinal)));
        var code = exit.RootElement.GetProperty("code");
        return code.ValueKind == JsonValueKind.Null ? null : code.GetInt32();
    }

    /// <summary>Waits, bounded, until the server closes the socket.</summary>
    public Task WaitForCloseAsync() => _reader.Bounded();

    public async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        using var timeout = new CancellationTokenSource(TestTimeouts.Default);
        while (!condition())
        {
            if (_reader.IsCompleted && !condition())
            {
                throw new InvalidOperationException($"The socket closed before {what}; output so far:\n{Output}");
            }

            try
            {
                await _changed.WaitAsync(timeout.Token);
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested)
            {
                throw new TimeoutException($"No {what} within {TestTimeouts.Default}; output so far:\n{Output}");
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_socket.State == WebSocketState.Open)
        {
            using var timeout = new CancellationTokenSource(TestTimeouts.Default);
            try
            {
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "done", timeout.Token);
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
            {
                // The server closed at the same moment; either way the socket ends.
            }
        }

        _socket.Abort();
        try
        {
            await _reader.WaitAsync(TestTimeouts.Default);
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            // Aborting our own socket ends the reader with this; nothing is left to read.
        }

        _socket.Dispose();
    }

    private async Task ReadLoopAsync()
    {
        var buffer = new byte[64 * 1024];
        var chars = new char[Encoding.UTF8.GetMaxCharCount(buffer.Length)];
        var text = new MemoryStream();
        try
        {
            while (true)
            {
                var received = await _socket.ReceiveAsync(buffer, CancellationToken.None);
                if (received.MessageType == WebSocketMessageType.Close)
                {
                    return;
                }

                lock (_output)
                {
                    if (received.MessageType == WebSocketMessageType.Binary)
                    {
                        BytesReceived += received.Count;
                        var n = _decoder.GetChars(buffer, 0, received.Count, chars, 0);
                        _output.Append(chars, 0, n);
                    }
                    else
                    {
                        text.Write(buffer, 0, received.Count);
                        if (received.EndOfMessage)
                        {
                            _controls.Add(Encoding.UTF8.GetString(text.ToArray()));
                            text.SetLength(0);
                        }
                    }
                }

                _changed.Release();
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException && _socket.State is WebSocketState.Aborted or WebSocketState.Closed)
        {
            // Disposed by the test.
        }
        finally
        {
            _changed.Release();
        }
    }
}

/// <summary>The parts of a terminal DTO tests read.</summary>
public sealed record TerminalInfo(Guid Id, Guid ProjectId, string Name, string Shell, string Cwd, int Cols, int Rows, string Host, bool SurvivesRestart, string Status, int? ExitCode, string AttachUrl, bool Sandboxed = false);

/// <summary>Helpers shared by the terminal tests.</summary>
public static class TerminalApi
{
    /// <summary>Opens a terminal; without a body, one running sh (no rc files to wait for on a loaded machine).</summary>
    public static async Task<TerminalInfo> CreateAsync(HttpClient client, Guid projectId, object? body = null)
    {
        using var response = await client.PostAsJsonAsync($"/api/projects/{projectId}/terminals", body ?? new { shell = "/bin/sh", cols = 80, rows = 24 }).Bounded();
        var text = await response.Content.ReadAsStringAsync().Bounded();
        response.StatusCode.ShouldBe(System.Net.HttpStatusCode.Created, text);
        return JsonSerializer.Deserialize<TerminalInfo>(text, WrightTestServer.Json)!;
    }

    public static string BearerOf(HttpClient client) => client.DefaultRequestHeaders.Authorization!.Parameter!;
}

/// <summary>Stops the tmux server a test's data directory started (by its socket), so no shell outlives the test.</summary>
public sealed class TmuxCleanup : IAsyncDisposable
{
    private readonly string _dataDir;

    public TmuxCleanup(string dataDir)
    {
        _dataDir = dataDir;
    }

    public async ValueTask DisposeAsync()
    {
        var tmux = Wright.Core.Terminals.TmuxServer.Find(null, Path.Combine(_dataDir, "terminals"), 10_000);
        if (tmux is not null)
        {
            await tmux.KillServerAsync(CancellationToken.None).Bounded();
        }
    }
}
