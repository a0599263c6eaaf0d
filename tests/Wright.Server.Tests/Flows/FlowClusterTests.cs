using System.Net.Http.Json;
using System.Text.Json;
using Wright.FakeLlm;
using Wright.Server.Tests.Cli;
using Wright.Server.Tests.Cluster;
using Wright.Server.Tests.Conversations;
using Wright.Server.Tests.Infrastructure;

namespace Wright.Server.Tests.Flows;

/// <summary>Two real `wright serve` processes on one PostgreSQL database: one drives a FlowRun; the other takes it over only once the first is gone.</summary>
public sealed class FlowClusterTests
{
    [PostgresFact]
    public async Task ARunDrivenByA_IsLeftToA_WhileItLives_AndBFinishesItOnceAIsKilled()
    {
        using var home = new TempDirectory("wright-flow-cluster");
        await using var postgres = await PostgresTestDatabase.CreateAsync();
        await using var fake = await FakeLlmServer.StartAsync().Bounded();
        fake.Enqueue(FakeReply.Text("Drafted ", "on A."));
        await using var cluster = new TwoInstances(home, postgres.Url, new Dictionary<string, string>
        {
            ["ANTHROPIC_BASE_URL"] = fake.AnthropicBaseUrl,
            ["ANTHROPIC_API_KEY"] = "sk-ant-test-key-0123456789",
            ["WRIGHT_DEFAULT_MODEL"] = ChatHarness.AnthropicModel,
            ["Logging__LogLevel__Wright.Core.Flows"] = "Information",
            ["Flows__HoldAfterEffect"] = "true",
        });
        var a = cluster.Start("a");
        using var clientA = await TwoInstances.AdminClientAsync(a);
        cluster.Environment["Flows__HoldAfterEffect"] = "false";
        var b = cluster.Start("b");
        using var clientB = new HttpClient { BaseAddress = await b.WaitForUrlAsync(), Timeout = TestTimeouts.Default };
        clientB.DefaultRequestHeaders.Authorization = clientA.DefaultRequestHeaders.Authorization;

        var projectId = await cluster.CreateProjectAsync(clientA, "flows");
        await FlowKit.SaveAsync(clientA, projectId, "three", FlowKit.ThreeNodes());
        var session = await clientA.PostAsJsonAsync($"/api/projects/{projectId}/sessions", new { }).Bounded();
        var sessionId = (await session.Content.ReadFromJsonAsync<JsonElement>().Bounded()).GetProperty("id").GetGuid();
        var runId = (await FlowKit.StartAsync(clientA, sessionId, "three")).GetProperty("id").GetGuid();
        await using (var events = await FlowKit.EventsAsync(clientB, runId))
        {
            await FlowKit.ReadUntilAsync(events, "waitingForInput", "ask");
        }

        // Answered through B, driven by the instance that took it: either way exactly one drives it.
        (await clientA.PostAsJsonAsync($"/api/flow-runs/{runId}/input", new { content = "x" }).Bounded()).EnsureSuccessStatusCode();
        await a.WaitForLineAsync(l => l.Contains("Flows:HoldAfterEffect", StringComparison.Ordinal));

        // Two whole leases (3 s each, TwoInstances) with A alive: B's sweeps must leave the run alone.
        await Task.Delay(TimeSpan.FromSeconds(6));
        var held = await clientB.GetFromJsonAsync<JsonElement>($"/api/flow-runs/{runId}").Bounded();
        held.GetProperty("state").GetString().ShouldBe("running");
        held.GetProperty("currentNodeId").GetString().ShouldBe("draft", "B does not take over a run whose owner's lease is alive");

        a.Signal(9);
        (await a.WaitForExitAsync()).ShouldBe(137);
        await using (var events = await FlowKit.EventsAsync(clientB, runId))
        {
            var seen = await FlowKit.ReadUntilAsync(events, "waitingForInput", "again");
            seen.Count(e => e.Event == "nodeEnd" && e.Json.GetProperty("nodeId").GetString() == "draft").ShouldBe(1);
        }

        fake.Requests.Count.ShouldBe(1, "B took the answer A had finished instead of asking again");
    }
}
