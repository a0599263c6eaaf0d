using System.Net;
using System.Net.Http.Json;
using System.Runtime.InteropServices;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Wright.Core.Accounts;
using Wright.Core.Agents;
using Wright.Server.Tests.Cli;
using Wright.Server.Tests.Infrastructure;

namespace Wright.Server.Tests.Agents;

/// <summary>`wright agents` and `wright start` as real processes against a loopback server, and the monitor's sweep for silent agents.</summary>
public sealed class AgentCliTests
{
    [Fact]
    public async Task Agents_ListsTheUsersAgentsWithTheirStates_AndFiltersByState()
    {
        await using var server = await WrightTestServer.StartAsync();
        var tokens = server.Services.GetRequiredService<PersonalAccessTokenService>();
        var hooks = server.ClientWithToken((await tokens.CreateAsync(Actor.CommandLine, server.Admin.Id, "hooks", null, [TokenScopes.Hooks], CancellationToken.None).Bounded()).Secret);
        var api = (await tokens.CreateAsync(Actor.CommandLine, server.Admin.Id, "cli", null, [TokenScopes.Api], CancellationToken.None).Bounded()).Secret;
        using var home = new TempDirectory("wright-agents-cli");
        await PostAsync(hooks, "UserPromptSubmit", new { session_id = "one", cwd = home.Combine("billing"), prompt = "refactor the invoices" });
        await PostAsync(hooks, "UserPromptSubmit", new { session_id = "two", cwd = home.Combine("shop"), prompt = "add a cart" });
        await PostAsync(hooks, "PermissionRequest", new { session_id = "two", cwd = home.Combine("shop"), tool_name = "Bash" });
        var environment = new Dictionary<string, string> { ["WRIGHT_URL"] = server.BaseAddress.ToString(), ["WRIGHT_TOKEN"] = api };

        var (code, stdout, stderr) = await WrightProcess.RunAsync(home.Path, ["agents"], environment);
        code.ShouldBe(0, stderr);
        var billing = stdout.Split('\n').Single(l => l.Contains("billing", StringComparison.Ordinal));
        billing.ShouldContain("processing");
        billing.ShouldContain("refactor the invoices");
        stdout.Split('\n').Single(l => l.Contains("shop", StringComparison.Ordinal)).ShouldContain("awaitingInput");

        var (filteredCode, filtered, filteredError) = await WrightProcess.RunAsync(home.Path, ["agents", "--state", "awaitingInput", "--json"], environment);
        filteredCode.ShouldBe(0, filteredError);
        var items = JsonDocument.Parse(filtered).RootElement.GetProperty("items");
        items.GetArrayLength().ShouldBe(1);
        items[0].GetProperty("project").GetProperty("name").GetString().ShouldBe("shop");
    }

    [Fact]
    public async Task Start_ForwardsSigtermToTheAgent_SurvivesSigint_AndExitsWithTheAgentsCode()
    {
        await using var server = await WrightTestServer.StartAsync();
        var hooksToken = (await server.Services.GetRequiredService<PersonalAccessTokenService>().CreateAsync(Actor.CommandLine, server.Admin.Id, "hooks", null, [TokenScopes.Hooks], CancellationToken.None).Bounded()).Secret;
        using var home = new TempDirectory("wright-start");
        var environment = new Dictionary<string, string> { ["WRIGHT_URL"] = server.BaseAddress.ToString(), ["WRIGHT_TOKEN"] = hooksToken };

        // The agent: says when it is ready, ignores SIGINT (the terminal's Ctrl+C reaches it, not
        // through wright) and exits 42 on SIGTERM.
        const string Agent = "trap 'echo got-term; exit 42' TERM; trap 'echo got-int' INT; echo ready; while :; do sleep 0.05; done";
        await using var wright = WrightProcess.Start(home.Path, ["start", "--name", "signals", "--", "sh", "-c", Agent], environment);
        await wright.WaitForLineAsync(l => l == "ready");

        Kill(wright.Id, 2).ShouldBe(0);
        Kill(wright.Id, 15).ShouldBe(0);
        (await wright.WaitForExitAsync()).ShouldBe(42, wright.Stderr);
        wright.Stdout.ShouldContain("got-term");
        wright.Stdout.ShouldNotContain("got-int", customMessage: "wright does not pass SIGINT on: the terminal already sent it to the agent's process group");

        var agents = await server.Client.GetFromJsonAsync<JsonElement>("/api/agents").Bounded();
        var agent = agents.GetProperty("items").EnumerateArray().Single();
        agent.GetProperty("name").GetString().ShouldBe("signals");
        agent.GetProperty("ended").GetBoolean().ShouldBeTrue("wright ends the agent when it exits");
        var detail = await server.Client.GetFromJsonAsync<JsonElement>($"/api/agents/{agent.GetProperty("id").GetString()}").Bounded();
        detail.GetProperty("events").EnumerateArray().Single(e => e.GetProperty("type").GetString() == "Exited").GetProperty("payload").GetProperty("exitCode").GetInt32().ShouldBe(42);
    }

    [Fact]
    public async Task HooksInstall_WithALoginAndNoToken_CreatesAHooksOnlyToken_ThatGitNeverSees()
    {
        await using var server = await WrightTestServer.StartAsync();
        using var home = new TempDirectory("wright-home");
        using var project = new TempDirectory("wright-project");
        await Git.GitCli.RunAsync(project.Path, "init", "-q");
        string[] install = ["hooks", "install", "--project", project.Path, "--url", server.BaseAddress.ToString(), "--login", "admin", "--password-stdin"];

        var refused = await WrightProcess.RunAsync(home.Path, install, stdin: "not-the-password\n");
        refused.ExitCode.ShouldBe(1, refused.Stderr);
        File.Exists(home.Combine(".wright", "hooks-token")).ShouldBeFalse("a failed login writes nothing");

        var (code, _, stderr) = await WrightProcess.RunAsync(home.Path, install, stdin: WrightTestServer.AdminPassword + "\n");
        code.ShouldBe(0, stderr);
        var secret = (await File.ReadAllTextAsync(home.Combine(".wright", "hooks-token")).Bounded()).Trim();
        secret.ShouldStartWith("wright_pat_");
        (await File.ReadAllTextAsync(project.Combine(".claude", "settings.local.json")).Bounded()).ShouldContain(secret);
        (await Git.GitCli.RunAsync(project.Path, "status", "--porcelain", "--untracked-files=all")).ShouldBeEmpty("the settings holding the token are kept out of git");

        // The token posts hooks and does nothing else.
        var client = server.ClientWithToken(secret);
        await PostAsync(client, "SessionStart", new { session_id = "s", cwd = project.Path });
        using var projects = await client.GetAsync("/api/projects").Bounded();
        projects.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Sweep_MarksASilentWorkingAgentStale_ThenClosesItsTaskAsTimedOut()
    {
        var clock = new ManualTimeProvider();
        await using var server = await WrightTestServer.StartAsync(builder: b =>
        {
            b.Services.AddSingleton<TimeProvider>(clock);
            b.Services.Configure<AgentsOptions>(o =>
            {
                o.StaleAfter = TimeSpan.FromMinutes(2);
                o.InterruptTimeout = TimeSpan.FromMinutes(5);
            });
        });
        var hooks = server.ClientWithToken((await server.Services.GetRequiredService<PersonalAccessTokenService>().CreateAsync(Actor.CommandLine, server.Admin.Id, "hooks", null, [TokenScopes.Hooks], CancellationToken.None).Bounded()).Secret);
        using var home = new TempDirectory("wright-sweep");
        await PostAsync(hooks, "UserPromptSubmit", new { session_id = "quiet", cwd = home.Path, prompt = "long job" });
        var monitor = server.Services.GetRequiredService<AgentMonitor>();

        clock.Advance(TimeSpan.FromMinutes(1));
        (await monitor.CloseSilentTasksAsync(CancellationToken.None).Bounded()).ShouldBe(0);
        var agent = await OnlyAgentAsync(server);
        agent.GetProperty("state").GetString().ShouldBe("processing");
        agent.GetProperty("stale").GetBoolean().ShouldBeFalse();

        clock.Advance(TimeSpan.FromMinutes(2));
        (await OnlyAgentAsync(server)).GetProperty("stale").GetBoolean().ShouldBeTrue("silent longer than StaleAfter while processing");
        (await monitor.CloseSilentTasksAsync(CancellationToken.None).Bounded()).ShouldBe(0, "not yet past InterruptTimeout");

        clock.Advance(TimeSpan.FromMinutes(3));
        (await monitor.CloseSilentTasksAsync(CancellationToken.None).Bounded()).ShouldBe(1);
        agent = await OnlyAgentAsync(server);
        agent.GetProperty("state").GetString().ShouldBe("idle");
        agent.GetProperty("stale").GetBoolean().ShouldBeFalse();
        var detail = await server.Client.GetFromJsonAsync<JsonElement>($"/api/agents/{agent.GetProperty("id").GetString()}").Bounded();
        detail.GetProperty("tasks")[0].GetProperty("endReason").GetString().ShouldBe(TaskEndReasons.Timeout);
        (await monitor.CloseSilentTasksAsync(CancellationToken.None).Bounded()).ShouldBe(0, "a closed task is not closed twice");
    }

    private static async Task<JsonElement> OnlyAgentAsync(WrightTestServer server)
    {
        var page = await server.Client.GetFromJsonAsync<JsonElement>("/api/agents").Bounded();
        return page.GetProperty("items").EnumerateArray().Single();
    }

    private static async Task PostAsync(HttpClient hooks, string eventName, object payload)
    {
        using var response = await AgentKit.PostHookAsync(hooks, eventName, JsonSerializer.Serialize(payload));
        response.StatusCode.ShouldBe(HttpStatusCode.NoContent, await response.Content.ReadAsStringAsync());
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
