using System.Globalization;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Hosting;
using Wright.Core.Errors;
using Wright.Core.Terminals;
using Wright.Server.Accounts;

namespace Wright.Server.Terminals;

/// <summary>
/// The terminal WebSocket. Binary frames carry terminal bytes both ways; text frames carry JSON
/// control messages: <c>{"type":"resize","cols":N,"rows":N}</c> from the client and
/// <c>{"type":"exit","code":N}</c> (code null when unknown) from the server before it closes. Output
/// is sent one read at a time and the next read waits for the send, so a slow client slows only
/// its own tmux client, which skips frames rather than queueing them.
/// </summary>
internal static partial class TerminalSocket
{
    private const int OutputBufferBytes = 64 * 1024;
    private const int MaxControlBytes = 4096;
    private static readonly TimeSpan CloseGrace = TimeSpan.FromSeconds(2);

    public static async Task<IResult> AttachAsync(Guid terminalId, int? cols, int? rows, HttpContext http, TerminalService terminals, IHostApplicationLifetime lifetime, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        if (!http.WebSockets.IsWebSocketRequest)
        {
            throw WrightException.Invalid(ErrorCodes.WebSocketRequired, "This endpoint is a WebSocket: connect with an Upgrade request.");
        }

        // A browser sends Origin with every WebSocket handshake and cookies go with it, so the
        // same rule as for cookie-authenticated writes: only this server's own pages may connect.
        if (http.Request.Headers.Origin.Count > 0 && !SameOrigin(http.Request))
        {
            throw WrightException.Forbidden(ErrorCodes.CsrfFailed, "A terminal can only be attached from this server's own pages (Origin is another site).");
        }

        var terminal = await terminals.GetAsync(http.Actor(), terminalId, cancellationToken);
        var logger = loggers.CreateLogger("Wright.Server.Terminals.TerminalSocket");
        using var socket = await http.WebSockets.AcceptWebSocketAsync();
        var attachment = await terminals.AttachAsync(terminal, cols, rows, cancellationToken);
        if (attachment is null)
        {
            await SendExitAsync(socket, terminal.ExitCode, cancellationToken);
            await CloseAsync(socket);
            return Results.Empty;
        }

        TerminalSocketLog.Attached(logger, terminalId);
        await using (attachment)
        {
            // A stopping server ends its sockets (the shells live on in tmux); Kestrel would
            // otherwise wait for every attached browser to leave.
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, lifetime.ApplicationStopping);
            var output = PumpOutputAsync(socket, attachment, stop.Token);
            var input = PumpInputAsync(socket, attachment, terminalId, terminals, stop.Token);
            if (await Task.WhenAny(output, input) == output && await output)
            {
                // The output ended without the client leaving: the shell is gone (or its tmux
                // session was killed); tell the client how it ended.
                var now = await terminals.RefreshAsync(terminalId, cancellationToken);
                if (!now.IsRunning)
                {
                    await SendExitAsync(socket, now.ExitCode, cancellationToken);
                }

                await CloseAsync(socket);
                await Task.WhenAny(input, Task.Delay(CloseGrace, cancellationToken));
            }

            await stop.CancelAsync();
            await Quietly(output);
            await Quietly(input);
            if (lifetime.ApplicationStopping.IsCancellationRequested)
            {
                await CloseAsync(socket, WebSocketCloseStatus.EndpointUnavailable, "server stopping");
            }
        }

        TerminalSocketLog.Detached(logger, terminalId);
        return Results.Empty;
    }

    /// <summary>Copies output to the socket until the attachment ends (true) or the socket fails (false).</summary>
    private static async Task<bool> PumpOutputAsync(WebSocket socket, ITerminalAttachment attachment, CancellationToken cancellationToken)
    {
        var buffer = new byte[OutputBufferBytes];
        while (true)
        {
            var n = await attachment.ReadAsync(buffer, cancellationToken);
            if (n == 0)
            {
                return true;
            }

            if (socket.State != WebSocketState.Open)
            {
                return false;
            }

            await socket.SendAsync(buffer.AsMemory(0, n), WebSocketMessageType.Binary, true, cancellationToken);
        }
    }

    private static async Task PumpInputAsync(WebSocket socket, ITerminalAttachment attachment, Guid terminalId, TerminalService terminals, CancellationToken cancellationToken)
    {
        var buffer = new byte[16 * 1024];
        var control = new MemoryStream();
        while (true)
        {
            var received = await socket.ReceiveAsync(buffer.AsMemory(), cancellationToken);
            switch (received.MessageType)
            {
                case WebSocketMessageType.Close:
                    return;
                case WebSocketMessageType.Binary:
                    if (received.Count > 0)
                    {
                        await attachment.WriteAsync(buffer.AsMemory(0, received.Count), cancellationToken);
                    }

                    break;
                default:
                    control.Write(buffer, 0, received.Count);
                    if (control.Length > MaxControlBytes)
                    {
                        await socket.CloseOutputAsync(WebSocketCloseStatus.MessageTooBig, "control message too large", cancellationToken);
                        return;
                    }

                    if (received.EndOfMessage)
                    {
                        await HandleControlAsync(control.ToArray(), attachment, terminalId, terminals, cancellationToken);
                        control.SetLength(0);
                    }

                    break;
            }
        }
    }

    private static async Task HandleControlAsync(byte[] message, ITerminalAttachment attachment, Guid terminalId, TerminalService terminals, CancellationToken cancellationToken)
    {
        int cols, rows;
        try
        {
            using var document = JsonDocument.Parse(message);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("type", out var type) || type.GetString() != "resize" ||
                !root.TryGetProperty("cols", out var c) || !c.TryGetInt32(out cols) ||
                !root.TryGetProperty("rows", out var r) || !r.TryGetInt32(out rows))
            {
                return;
            }
        }
        catch (JsonException)
        {
            // A control message the server does not understand is ignored, like an unknown type:
            // the byte stream must not end because of it.
            return;
        }

        if (cols is < 2 or > TerminalService.MaxCols || rows is < 1 or > TerminalService.MaxRows)
        {
            return;
        }

        attachment.Resize(cols, rows);
        await terminals.ResizedAsync(terminalId, cols, rows, cancellationToken);
    }

    private static Task SendExitAsync(WebSocket socket, int? code, CancellationToken cancellationToken)
    {
        var text = code is { } value
            ? $"{{\"type\":\"exit\",\"code\":{value.ToString(CultureInfo.InvariantCulture)}}}"
            : "{\"type\":\"exit\",\"code\":null}";
        return socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, cancellationToken);
    }

    private static Task CloseAsync(WebSocket socket) => CloseAsync(socket, WebSocketCloseStatus.NormalClosure, "terminal ended");

    private static async Task CloseAsync(WebSocket socket, WebSocketCloseStatus status, string reason)
    {
        if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
        {
            using var timeout = new CancellationTokenSource(CloseGrace);
            try
            {
                await socket.CloseOutputAsync(status, reason, timeout.Token);
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
            {
                // The client went away first: there is nobody left to tell.
            }
        }
    }

    private static async Task Quietly(Task task)
    {
        try
        {
            await task;
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException or IOException)
        {
            // The other side of the socket ended the attachment; its own end is the outcome.
        }
    }

    private static bool SameOrigin(HttpRequest request) =>
        Uri.TryCreate(request.Headers.Origin.ToString(), UriKind.Absolute, out var origin) &&
        string.Equals(origin.Scheme == "wss" ? "https" : origin.Scheme == "ws" ? "http" : origin.Scheme, request.Scheme, StringComparison.OrdinalIgnoreCase) &&
        string.Equals(origin.Authority, request.Host.Value, StringComparison.OrdinalIgnoreCase);
}

internal static partial class TerminalSocketLog
{
    [LoggerMessage(EventId = 9111, Level = LogLevel.Debug, Message = "A client attached to terminal {TerminalId}")]
    public static partial void Attached(ILogger logger, Guid terminalId);

    [LoggerMessage(EventId = 9112, Level = LogLevel.Debug, Message = "A client detached from terminal {TerminalId}")]
    public static partial void Detached(ILogger logger, Guid terminalId);
}
