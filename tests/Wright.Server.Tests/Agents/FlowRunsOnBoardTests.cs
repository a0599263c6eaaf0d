using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Wright.FakeLlm;
using Wright.Server.Tests.Conversations;
using Wright.Server.Tests.Flows;
using Wright.Server.Tests.Infrastructure;

namespace Wright.Server.Tests.Agents;

/// <summary><c>GET /api/flow-runs</c>: the active runs the agent board shows, scoped to the caller's projects, without the idle chat.</summary>
public sealed class FlowRunsOnBoardTests
{
    [Fact]
    public async Task APausedRun_IsListedWithItsSessionNodeAndSince_OnlyForWhoCanSeeIt_AndLeavesWhenItEnds()
    {
        await using var chat = await ChatHarness.StartAsync();
        chat.Fake.Fallback = FakeReply.Text("ok");
        var project = await chat.Server.CreateProjectAsync("board");
        var sessionId = await chat.CreateSessionAsync(project.Id, "Drafting");
        var chatSession = await chat.CreateSessionAsync(project.Id, "Just chatting");
        var idle = (await FlowKit.StartAsync(chat.Client, chatSession, "default")).GetProperty("id").GetGuid();
        await using (var events = await FlowKit.EventsAsync(chat.Client, idle))
        {
            await FlowKit.ReadUntilAsync(events, "waitingForInput", "ask");
        }

        await FlowKit.SaveAsync(chat.Client, project.Id, "three", FlowKit.ThreeNodes());

        var run = await FlowKit.StartAsync(chat.Client, sessionId, "three");
        var runId = run.GetProperty("id").GetGuid();
        await using (var events = await FlowKit.EventsAsync(chat.Client, runId))
        {
            await FlowKit.ReadUntilAsync(events, "waitingForInput", "ask");
        }

        var listed = await chat.Client.GetFromJsonAsync<JsonElement>("/api/flow-runs?state=running,paused").Bounded();
        var item = listed.EnumerateArray().ShouldHaveSingleItem("the idle chat (default flow at its input) is not a run to show");
        item.GetProperty("id").GetGuid().ShouldBe(runId);
        item.GetProperty("sessionId").GetGuid().ShouldBe(sessionId);
        item.GetProperty("sessionTitle").GetString().ShouldBe("Drafting");
        item.GetProperty("projectName").GetString().ShouldBe("board");
        item.GetProperty("flow").GetString().ShouldBe("three");
        item.GetProperty("state").GetString().ShouldBe("paused");
        item.GetProperty("nodeId").GetString().ShouldBe("ask");
        item.GetProperty("pausedPrompt").GetString().ShouldBe("What should I write?");
        item.GetProperty("since").GetDateTimeOffset().ShouldBeGreaterThanOrEqualTo(item.GetProperty("startedAt").GetDateTimeOffset());
        (await chat.Client.GetFromJsonAsync<JsonElement>("/api/flow-runs?state=running").Bounded()).GetArrayLength().ShouldBe(0);

        // Another user sees none of it; a bad state is a clear 400.
        var (bob, _) = await chat.Server.CreateUserClientAsync("bob");
        (await bob.GetFromJsonAsync<JsonElement>("/api/flow-runs").Bounded()).GetArrayLength().ShouldBe(0);
        await (await chat.Client.GetAsync("/api/flow-runs?state=completed").Bounded()).ShouldBeProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        await (await chat.Client.GetAsync("/api/flow-runs?limit=0").Bounded()).ShouldBeProblemAsync(HttpStatusCode.BadRequest, "validation_failed");

        // Cancelled, it leaves the board.
        (await chat.Client.PostAsync($"/api/flow-runs/{runId}:cancel", null).Bounded()).EnsureSuccessStatusCode();
        (await chat.Client.GetFromJsonAsync<JsonElement>("/api/flow-runs").Bounded()).GetArrayLength().ShouldBe(0);
    }

    [Theory]
    [InlineData("/api/flow-runs", "ActiveFlowRunDto")]
    [InlineData("/api/sessions/{id}", "MergeEdgeDto")]
    public async Task OpenApi_DescribesTheBoardListAndTheTreesMergeEdges(string path, string schema)
    {
        await using var server = await WrightTestServer.StartAsync();

        var document = await server.Client.GetFromJsonAsync<JsonElement>("/openapi/v1.json").Bounded();

        var ok = document.GetProperty("paths").GetProperty(path).GetProperty("get").GetProperty("responses").GetProperty("200");
        var raw = ok.GetProperty("content").GetProperty("application/json").GetProperty("schema").GetRawText();
        var components = document.GetProperty("components").GetProperty("schemas");
        components.TryGetProperty(schema, out _).ShouldBeTrue(schema);
        (raw.Contains(schema, StringComparison.Ordinal) || components.EnumerateObject().Any(c => raw.Contains(c.Name, StringComparison.Ordinal) && c.Value.GetRawText().Contains(schema, StringComparison.Ordinal)))
            .ShouldBeTrue($"GET {path} answers {schema}: {raw}");
    }
}
