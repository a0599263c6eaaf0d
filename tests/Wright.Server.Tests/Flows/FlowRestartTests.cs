using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Wright.FakeLlm;
using Wright.Server.Tests.Cli;
using Wright.Server.Tests.Conversations;
using Wright.Server.Tests.Infrastructure;

namespace Wright.Server.Tests.Flows;

/// <summary>
/// The real `wright serve` killed with SIGKILL while a FlowRun is paused or inside a node, then
/// started again on the same data directory: the run goes on from its checkpoint, and a node whose
/// effect was recorded (a finished answer, a committed ActionRun) is not done twice.
/// </summary>
public sealed class FlowRestartTests
{
    private const string HoldingLine = "Flows:HoldAfterEffect";

    [Fact]
    public async Task SigkillWhilePaused_RestartThenInput_ContinuesFromTheCheckpoint()
    {
        await using var world = await World.StartAsync();
        world.Fake.Enqueue(FakeReply.Text("Drafted."));
        Guid runId;
        await using (var first = world.Serve())
        {
            var client = await world.ClientAsync(first);
            await world.PrepareAsync(client, FlowKit.ThreeNodes());
            runId = (await FlowKit.StartAsync(client, world.SessionId, "three")).GetProperty("id").GetGuid();
            await using (var events = await FlowKit.EventsAsync(client, runId))
            {
                await FlowKit.ReadUntilAsync(events, "waitingForInput", "ask");
            }

            await world.KillAsync(first);
        }

        await using var second = world.Serve();
        var again = await world.ClientAsync(second, login: true);
        var paused = await again.GetFromJsonAsync<JsonElement>($"/api/flow-runs/{runId}").Bounded();
        paused.GetProperty("state").GetString().ShouldBe("paused", "a paused run is still paused after the restart");
        paused.GetProperty("pausedNodeId").GetString().ShouldBe("ask");
        var afterPause = await LastEventIdAsync(again, runId);

        (await again.PostAsJsonAsync($"/api/flow-runs/{runId}/input", new { content = "a poem" }).Bounded()).StatusCode.ShouldBe(HttpStatusCode.Accepted);
        await using (var events = await FlowKit.EventsAsync(again, runId, afterPause))
        {
            var seen = await FlowKit.ReadUntilAsync(events, "waitingForInput", "again");
            seen[0].Event.ShouldBe("nodeEnd");
            seen[0].Json.GetProperty("nodeId").GetString().ShouldBe("ask");
            seen.Where(e => e.Event == "nodeStart").Select(e => e.Json.GetProperty("nodeId").GetString()).ShouldBe(["draft", "again"], "the run goes on from ask's checkpoint, not from the start");
        }

        world.Fake.Requests.Count.ShouldBe(1);
        world.Fake.Requests[0].Body.ShouldContain("Write: a poem");
        var run = await again.GetFromJsonAsync<JsonElement>($"/api/flow-runs/{runId}").Bounded();
        run.GetProperty("checkpoints").EnumerateArray().Count(c => c.GetProperty("nodeId").GetString() == "ask" && c.GetProperty("phase").GetString() == "start").ShouldBe(1);
        await world.StopAsync(second);
    }

    [Fact]
    public async Task SigkillInsideLlmNode_AfterItsAnswerWasSaved_RestartCompletesTheNodeWithoutASecondCall()
    {
        await using var world = await World.StartAsync();
        world.Fake.Enqueue(FakeReply.Text("Only ", "once."));
        Guid runId;
        await using (var first = world.Serve(hold: true))
        {
            var client = await world.ClientAsync(first);
            await world.PrepareAsync(client, FlowKit.ThreeNodes());
            runId = (await FlowKit.StartAsync(client, world.SessionId, "three")).GetProperty("id").GetGuid();
            await using (var events = await FlowKit.EventsAsync(client, runId))
            {
                await FlowKit.ReadUntilAsync(events, "waitingForInput", "ask");
            }

            (await client.PostAsJsonAsync($"/api/flow-runs/{runId}/input", new { content = "x" }).Bounded()).EnsureSuccessStatusCode();
            await first.WaitForLineAsync(l => l.Contains(HoldingLine, StringComparison.Ordinal));
            await world.KillAsync(first);
        }

        await using var second = world.Serve();
        var again = await world.ClientAsync(second, login: true);
        await using (var events = await FlowKit.EventsAsync(again, runId))
        {
            var seen = await FlowKit.ReadUntilAsync(events, "waitingForInput", "again");
            seen.Count(e => e.Event == "nodeEnd" && e.Json.GetProperty("nodeId").GetString() == "draft").ShouldBe(1);
            seen.Single(e => e.Event == "nodeEnd" && e.Json.GetProperty("nodeId").GetString() == "draft").Json.GetProperty("outputs").GetString().ShouldBe("Only once.");
        }

        world.Fake.Requests.Count.ShouldBe(1, "the finished model call is not made again");
        var messages = (await again.GetFromJsonAsync<JsonElement>($"/api/sessions/{world.SessionId}").Bounded()).GetProperty("messages").EnumerateArray().ToList();
        messages.Count.ShouldBe(2);
        await world.StopAsync(second);
    }

    [Fact]
    public async Task SigkillInsideLlmNode_WhileTheProviderHoldsTheReply_RestartRunsTheNodeAgainAndCompletesItOnce()
    {
        await using var world = await World.StartAsync();
        world.Fake.Enqueue(FakeReply.Text("Partial") with { Ending = FakeEnding.Stall }, FakeReply.Text("Complete ", "answer."));
        Guid runId;
        await using (var first = world.Serve())
        {
            var client = await world.ClientAsync(first);
            await world.PrepareAsync(client, FlowKit.ThreeNodes());
            runId = (await FlowKit.StartAsync(client, world.SessionId, "three")).GetProperty("id").GetGuid();
            await using var events = await FlowKit.EventsAsync(client, runId);
            await FlowKit.ReadUntilAsync(events, "waitingForInput", "ask");
            (await client.PostAsJsonAsync($"/api/flow-runs/{runId}/input", new { content = "x" }).Bounded()).EnsureSuccessStatusCode();
            await FlowKit.ReadUntilAsync(events, "chunk", "draft");
            await world.KillAsync(first);
        }

        await using var second = world.Serve();
        var again = await world.ClientAsync(second, login: true);
        await using (var events = await FlowKit.EventsAsync(again, runId))
        {
            var seen = await FlowKit.ReadUntilAsync(events, "waitingForInput", "again");
            seen.Count(e => e.Event == "nodeEnd" && e.Json.GetProperty("nodeId").GetString() == "draft").ShouldBe(1);
            seen.Single(e => e.Event == "nodeEnd" && e.Json.GetProperty("nodeId").GetString() == "draft").Json.GetProperty("outputs").GetString().ShouldBe("Complete answer.");
        }

        world.Fake.Requests.Count.ShouldBe(2, "the unfinished call is made again, once");
        var messages = (await again.GetFromJsonAsync<JsonElement>($"/api/sessions/{world.SessionId}").Bounded()).GetProperty("messages").EnumerateArray().ToList();
        messages.Count(m => m.GetProperty("role").GetString() == "user").ShouldBe(1, "the prompt is stored once and answered again");
        messages.Count(m => m.GetProperty("status").GetString() == "complete" && m.GetProperty("role").GetString() == "assistant").ShouldBe(1);
        await world.StopAsync(second);
    }

    [Fact]
    public async Task SigkillInsideActionNode_AfterItsActionRunCommitted_RestartCompletesTheNodeWithOneCommit()
    {
        await using var world = await World.StartAsync();
        var graph = new
        {
            name = "act",
            nodes = new object[]
            {
                new { id = "append", type = "action", action = "command", command = "sh -c 'echo line >> log.txt'", output = "appended" },
                new { id = "end", type = "end" },
            },
            edges = new object[] { new { from = "append", to = "end" } },
        };
        Guid runId;
        await using (var first = world.Serve(hold: true))
        {
            var client = await world.ClientAsync(first);
            await world.PrepareAsync(client, graph, "act");
            runId = (await FlowKit.StartAsync(client, world.SessionId, "act")).GetProperty("id").GetGuid();
            await first.WaitForLineAsync(l => l.Contains(HoldingLine, StringComparison.Ordinal));
            await world.KillAsync(first);
        }

        await using var second = world.Serve();
        var again = await world.ClientAsync(second, login: true);
        await using (var events = await FlowKit.EventsAsync(again, runId))
        {
            await FlowKit.ReadUntilAsync(events, "done");
        }

        (await File.ReadAllTextAsync(Path.Combine(world.ProjectPath, "log.txt"))).ShouldBe("line\n", "the command ran once");
        var (_, log, _) = await Git(world.ProjectPath, "log", "--format=%H %s");
        log.Split('\n', StringSplitOptions.RemoveEmptyEntries).Count(l => l.Contains("flow act: append", StringComparison.Ordinal)).ShouldBe(1, log);
        var run = await again.GetFromJsonAsync<JsonElement>($"/api/flow-runs/{runId}").Bounded();
        run.GetProperty("state").GetString().ShouldBe("completed");
        run.GetProperty("variables").GetProperty("appended").GetProperty("commit").GetString().ShouldNotBeNullOrEmpty();
        await world.StopAsync(second);
    }

    private static async Task<string> LastEventIdAsync(HttpClient client, Guid runId)
    {
        await using var events = await FlowKit.EventsAsync(client, runId);
        var seen = await FlowKit.ReadUntilAsync(events, "waitingForInput");
        return seen[^1].Id!;
    }

    private static async Task<(int, string, string)> Git(string directory, params string[] arguments)
    {
        var start = new System.Diagnostics.ProcessStartInfo("git") { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = System.Diagnostics.Process.Start(start)!;
        var stdout = await process.StandardOutput.ReadToEndAsync().Bounded();
        var stderr = await process.StandardError.ReadToEndAsync().Bounded();
        await process.WaitForExitAsync().Bounded();
        return (process.ExitCode, stdout, stderr);
    }

    /// <summary>A home with a data directory, a fake provider, and (once prepared) a project, a template and a session.</summary>
    private sealed class World : IAsyncDisposable
    {
        private readonly TempDirectory _home;

        private World(TempDirectory home, FakeLlmServer fake)
        {
            _home = home;
            Fake = fake;
        }

        public FakeLlmServer Fake { get; }

        public Guid SessionId { get; private set; }

        public string ProjectPath => Path.Combine(_home.Path, "projects", "flow");

        private List<HttpClient> Clients { get; } = [];

        public static async Task<World> StartAsync() => new(new TempDirectory("wright-flow-restart"), await FakeLlmServer.StartAsync().Bounded());

        public WrightProcess Serve(bool hold = false)
        {
            var environment = new Dictionary<string, string>
            {
                ["ANTHROPIC_BASE_URL"] = Fake.AnthropicBaseUrl,
                ["ANTHROPIC_API_KEY"] = "sk-ant-test-key-0123456789",
                ["WRIGHT_DEFAULT_MODEL"] = ChatHarness.AnthropicModel,
                ["Conversations__FlushInterval"] = "00:00:00",
                ["Logging__LogLevel__Default"] = "Warning",
                ["Logging__LogLevel__Wright.Core.Flows"] = "Information",
                ["WRIGHT_ADMIN_PASSWORD"] = WrightTestServer.AdminPassword,
                ["Flows__HoldAfterEffect"] = hold ? "true" : "false",
            };
            return WrightProcess.Start(_home.Path, ["serve", "--port", "0", "--data-dir", Path.Combine(_home.Path, "data")], environment);
        }

        public async Task<HttpClient> ClientAsync(WrightProcess process, bool login = true)
        {
            var client = new HttpClient { BaseAddress = await process.WaitForUrlAsync(), Timeout = TestTimeouts.Default };
            Clients.Add(client);
            if (login)
            {
                await WrightTestServer.LogInAsAdminAsync(client);
            }

            return client;
        }

        public async Task PrepareAsync(HttpClient client, object graph, string name = "three")
        {
            var project = await client.PostAsJsonAsync("/api/projects", new { name = "flow", path = ProjectPath }).Bounded();
            project.EnsureSuccessStatusCode();
            var projectId = (await project.Content.ReadFromJsonAsync<JsonElement>().Bounded()).GetProperty("id").GetGuid();
            await FlowKit.SaveAsync(client, projectId, name, graph);
            var session = await client.PostAsJsonAsync($"/api/projects/{projectId}/sessions", new { }).Bounded();
            SessionId = (await session.Content.ReadFromJsonAsync<JsonElement>().Bounded()).GetProperty("id").GetGuid();
        }

        public async Task KillAsync(WrightProcess process)
        {
            process.Signal(9);
            (await process.WaitForExitAsync()).ShouldBe(137, "SIGKILL ends a process with 128 + 9");
        }

        public async Task StopAsync(WrightProcess process)
        {
            process.Signal(WrightProcess.SigTerm);
            (await process.WaitForExitAsync()).ShouldBe(0, process.Stderr);
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var client in Clients)
            {
                client.Dispose();
            }

            await Fake.DisposeAsync();
            _home.Dispose();
        }
    }
}
