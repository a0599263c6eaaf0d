using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Wright.Core.Accounts;
using Wright.Core.Agents;
using Wright.Server.Tests.Conversations;
using Wright.Server.Tests.Infrastructure;

namespace Wright.Server.Tests.Agents;

/// <summary>A test server for the agent monitor: transcripts allowed under its own temp HOME's .claude, and a hooks-scoped token.</summary>
internal sealed class AgentKit : IAsyncDisposable
{
    private AgentKit(WrightTestServer server, TempDirectory home, string hooksToken)
    {
        Server = server;
        Home = home;
        HooksToken = hooksToken;
        Hooks = server.ClientWithToken(hooksToken);
    }

    public WrightTestServer Server { get; }

    public TempDirectory Home { get; }

    public string HooksToken { get; }

    /// <summary>A client with the hooks-scoped token of the admin.</summary>
    public HttpClient Hooks { get; }

    public static async Task<AgentKit> StartAsync()
    {
        var home = new TempDirectory("wright-home");
        Directory.CreateDirectory(home.Combine(".claude"));
        var server = await WrightTestServer.StartAsync(builder: b => b.Services.Configure<AgentsOptions>(o => o.TranscriptRoots = [home.Combine(".claude")]));
        var token = await server.Services.GetRequiredService<PersonalAccessTokenService>().CreateAsync(Actor.CommandLine, server.Admin.Id, "hooks", null, [TokenScopes.Hooks], CancellationToken.None).Bounded();
        return new AgentKit(server, home, token.Secret);
    }

    public static string Fixture(string relative) => Path.Combine(SharedFixtures.Root, "claude-hooks", relative);

    public static async Task<HttpResponseMessage> PostHookAsync(HttpClient client, string eventName, string json, string? wrightSession = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/hooks/{eventName}") { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        if (wrightSession is not null)
        {
            request.Headers.Add("X-Wright-Session-Id", wrightSession);
        }

        return await client.SendAsync(request).Bounded();
    }

    public async Task<JsonElement> GetJsonAsync(string url)
    {
        using var response = await Server.Client.GetAsync(url).Bounded();
        var body = await response.Content.ReadAsStringAsync().Bounded();
        response.IsSuccessStatusCode.ShouldBeTrue(body);
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    public async Task<JsonElement> OnlyAgentAsync()
    {
        var page = await GetJsonAsync("/api/agents");
        page.GetProperty("items").GetArrayLength().ShouldBe(1, page.ToString());
        return page.GetProperty("items")[0];
    }

    /// <summary>The task state moves an agent's log recorded, in order: "Idle>Commanded", …</summary>
    public static List<string> StateMoves(JsonElement detail) =>
        detail.GetProperty("events").EnumerateArray()
            .Where(e => e.GetProperty("type").GetString() == AgentMonitor.TaskStateEvent)
            .Select(e => $"{e.GetProperty("payload").GetProperty("From").GetString()}>{e.GetProperty("payload").GetProperty("To").GetString()}")
            .ToList();

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        Home.Dispose();
    }
}
