using System.Net.Http.Headers;

namespace Wright.Cli.Agents;

/// <summary>
/// `wright hook EVENT`: a Claude Code command hook (for the events that cannot use HTTP hooks, such
/// as SessionStart). Reads the payload from stdin and posts it to <c>/api/hooks/EVENT</c> within a
/// one-second budget for everything, then exits 0 whatever happened, printing nothing: a hook's
/// stdout becomes the model's context and a non-zero exit shows as an error in the agent. It runs
/// before System.CommandLine is loaded, because it starts on every session.
/// </summary>
internal static class HookForwarder
{
    public static readonly TimeSpan Budget = TimeSpan.FromSeconds(1);

    public static async Task<int> RunAsync(string[] args)
    {
        try
        {
            using var budget = new CancellationTokenSource(Budget);
            var eventName = args.Length > 1 ? args[1] : "";
            var url = HookEnvironment.NonEmpty(Environment.GetEnvironmentVariable(HookEnvironment.UrlVariable)) ?? ArgumentAfter(args, "--url");
            var token = HookEnvironment.NonEmpty(Environment.GetEnvironmentVariable(HookEnvironment.TokenVariable)) ?? ReadTokenFile(ArgumentAfter(args, "--token-file") ?? HookEnvironment.DefaultTokenFile);
            if (url is null || token is null || eventName.Length == 0 || !eventName.All(char.IsAsciiLetter) || !token.All(c => c is > (char)0x20 and < (char)0x7f))
            {
                return 0;
            }

            using var stdin = Console.OpenStandardInput();
            using var body = new MemoryStream();
            await stdin.CopyToAsync(body, budget.Token).ConfigureAwait(false);

            var target = new Uri(new Uri(url.TrimEnd('/') + "/"), $"api/hooks/{eventName}");
            var session = HookEnvironment.NonEmpty(Environment.GetEnvironmentVariable(HookEnvironment.SessionVariable));
            if (target.Scheme == Uri.UriSchemeHttp)
            {
                await PostPlainAsync(target, token, session, body.GetBuffer().AsMemory(0, (int)body.Length), budget.Token).ConfigureAwait(false);
            }
            else
            {
                await PostAsync(target, token, session, body, budget.Token).ConfigureAwait(false);
            }
        }
#pragma warning disable CA1031 // A hook must never fail the agent: every failure (server down, slow, refused) ends the same quiet way.
        catch (Exception)
#pragma warning restore CA1031
        {
        }

        return 0;
    }

    /// <summary>
    /// One HTTP/1.1 POST over a plain socket: the hook runs as a fresh process each time, and
    /// HttpClient's first request costs more to load and compile than the whole exchange takes.
    /// The answer is not read beyond its status line; nothing in it matters to the agent.
    /// </summary>
    private static async Task PostPlainAsync(Uri target, string token, string? session, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(target.DnsSafeHost, target.Port, cancellationToken).ConfigureAwait(false);
        var head = new System.Text.StringBuilder()
            .Append("POST ").Append(target.PathAndQuery).Append(" HTTP/1.1\r\n")
            .Append("Host: ").Append(target.Authority).Append("\r\n")
            .Append("Authorization: Bearer ").Append(token).Append("\r\n")
            .Append("Content-Type: application/json\r\n")
            .Append("Content-Length: ").Append(body.Length).Append("\r\n")
            .Append("Connection: close\r\n");
        if (session is not null && session.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'))
        {
            head.Append("X-Wright-Session-Id: ").Append(session).Append("\r\n");
        }

        head.Append("\r\n");
        await socket.SendAsync(System.Text.Encoding.ASCII.GetBytes(head.ToString()), cancellationToken).ConfigureAwait(false);
        await socket.SendAsync(body, cancellationToken).ConfigureAwait(false);
        var status = new byte[16];
        _ = await socket.ReceiveAsync(status, cancellationToken).ConfigureAwait(false);
    }

    private static async Task PostAsync(Uri target, string token, string? session, MemoryStream body, CancellationToken cancellationToken)
    {
        using var handler = new SocketsHttpHandler { ConnectTimeout = Budget, UseProxy = false };
        using var client = new HttpClient(handler) { Timeout = Budget };
        using var request = new HttpRequestMessage(HttpMethod.Post, target)
        {
            Content = new ByteArrayContent(body.GetBuffer(), 0, (int)body.Length),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (session is not null)
        {
            request.Headers.TryAddWithoutValidation("X-Wright-Session-Id", session);
        }

        using var response = await client.SendAsync(request, cancellationToken).ConfigureAwait(false);
    }

    private static string? ArgumentAfter(string[] args, string name)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? HookEnvironment.NonEmpty(args[index + 1]) : null;
    }

    private static string? ReadTokenFile(string path) =>
        File.Exists(path) ? HookEnvironment.NonEmpty(File.ReadAllText(path).Trim()) : null;
}
