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
            var url = AgentClient.NonEmpty(Environment.GetEnvironmentVariable(AgentClient.UrlVariable)) ?? ArgumentAfter(args, "--url");
            var token = AgentClient.NonEmpty(Environment.GetEnvironmentVariable(AgentClient.TokenVariable)) ?? ReadTokenFile(ArgumentAfter(args, "--token-file") ?? AgentClient.DefaultTokenFile);
            if (url is null || token is null || eventName.Length == 0 || !eventName.All(char.IsAsciiLetter))
            {
                return 0;
            }

            using var stdin = Console.OpenStandardInput();
            using var body = new MemoryStream();
            await stdin.CopyToAsync(body, budget.Token).ConfigureAwait(false);

            using var handler = new SocketsHttpHandler { ConnectTimeout = Budget, UseProxy = false };
            using var client = new HttpClient(handler) { Timeout = Budget };
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(new Uri(url.TrimEnd('/') + "/"), $"api/hooks/{eventName}"))
            {
                Content = new ByteArrayContent(body.GetBuffer(), 0, (int)body.Length),
            };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            if (AgentClient.NonEmpty(Environment.GetEnvironmentVariable(AgentClient.SessionVariable)) is { } session)
            {
                request.Headers.TryAddWithoutValidation("X-Wright-Session-Id", session);
            }

            using var response = await client.SendAsync(request, budget.Token).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // A hook must never fail the agent: every failure (server down, slow, refused) ends the same quiet way.
        catch (Exception)
#pragma warning restore CA1031
        {
        }

        return 0;
    }

    private static string? ArgumentAfter(string[] args, string name)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? AgentClient.NonEmpty(args[index + 1]) : null;
    }

    private static string? ReadTokenFile(string path) =>
        File.Exists(path) ? AgentClient.NonEmpty(File.ReadAllText(path).Trim()) : null;
}
