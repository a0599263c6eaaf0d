using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Wright.FakeLlm;
using Wright.Server.Tests.Conversations;
using Wright.Server.Tests.Infrastructure;

namespace Wright.Server.Tests.Flows;

/// <summary>FlowRuns over real HTTP against the fake provider: start, pause, input, resume, cancel, events.</summary>
public sealed class FlowRunsApiTests
{
    [Fact]
    public async Task ThreeNodeFlow_RunsPausesAndResumes_FromTheApi()
    {
        await using var chat = await ChatHarness.StartAsync();
        var project = await chat.Server.CreateProjectAsync();
        var sessionId = await chat.CreateSessionAsync(project.Id);
        await FlowKit.SaveAsync(chat.Client, project.Id, "three", FlowKit.ThreeNodes());
        chat.Fake.Enqueue(FakeReply.Text("Hello ", "from the draft."));

        var run = await FlowKit.StartAsync(chat.Client, sessionId, "three");
        var runId = run.GetProperty("id").GetGuid();
        await using var events = await FlowKit.EventsAsync(chat.Client, runId);
        var first = await FlowKit.ReadUntilAsync(events, "waitingForInput", "ask");
        first[0].Event.ShouldBe("nodeStart");
        first[^1].Json.GetProperty("prompt").GetString().ShouldBe("What should I write?");

        var paused = await chat.Client.GetFromJsonAsync<JsonElement>($"/api/flow-runs/{runId}").Bounded();
        paused.GetProperty("state").GetString().ShouldBe("paused");
        paused.GetProperty("pausedNodeId").GetString().ShouldBe("ask");
        var tree = await chat.Client.GetFromJsonAsync<JsonElement>($"/api/sessions/{sessionId}").Bounded();
        tree.GetProperty("lastUsedFlow").GetString().ShouldBe("three");
        tree.GetProperty("flowState").GetProperty("pausedNodeId").GetString().ShouldBe("ask");
        tree.GetProperty("flowState").GetProperty("runId").GetGuid().ShouldBe(runId);

        var input = await chat.Client.PostAsJsonAsync($"/api/flow-runs/{runId}/input", new { content = "a haiku" }).Bounded();
        input.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        var second = await FlowKit.ReadUntilAsync(events, "waitingForInput", "again");
        string.Concat(second.Where(e => e.Event == "chunk").Select(e => e.Json.GetProperty("text").GetString())).ShouldBe("Hello from the draft.");
        var draftEnd = second.Single(e => e.Event == "nodeEnd" && e.Json.GetProperty("nodeId").GetString() == "draft");
        draftEnd.Json.GetProperty("outputs").GetString().ShouldBe("Hello from the draft.");
        chat.Fake.Requests.Count.ShouldBe(1);
        chat.Fake.Requests[0].Body.ShouldContain("Write: a haiku");

        // The llm node answered through the chat: its prompt and answer are messages of the session.
        var messages = (await chat.Client.GetFromJsonAsync<JsonElement>($"/api/sessions/{sessionId}").Bounded()).GetProperty("messages").EnumerateArray().ToList();
        messages.Select(m => m.GetProperty("content").GetString()).ShouldBe(["Write: a haiku", "Hello from the draft."]);

        (await chat.Client.PostAsJsonAsync($"/api/flow-runs/{runId}/input", new { content = "no" }).Bounded()).StatusCode.ShouldBe(HttpStatusCode.Accepted);
        var last = await FlowKit.ReadUntilAsync(events, "done");
        last[^1].Json.GetProperty("variables").GetProperty("draft").GetString().ShouldBe("Hello from the draft.");
        (await events.NextAsync()).ShouldBeNull("the stream ends after done");

        var done = await chat.Client.GetFromJsonAsync<JsonElement>($"/api/flow-runs/{runId}").Bounded();
        done.GetProperty("state").GetString().ShouldBe("completed");
        done.GetProperty("variables").GetProperty("more").GetString().ShouldBe("no");
        var checkpoints = done.GetProperty("checkpoints").EnumerateArray().Select(c => $"{c.GetProperty("nodeId").GetString()}:{c.GetProperty("phase").GetString()}").ToList();
        checkpoints.ShouldBe(["ask:start", "ask:end", "draft:start", "draft:end", "again:start", "again:end", "end:start", "end:end"]);
        done.GetProperty("checkpoints")[3].GetProperty("commit").GetString().ShouldNotBeNullOrEmpty();
        (await chat.Client.GetFromJsonAsync<JsonElement>($"/api/sessions/{sessionId}").Bounded()).GetProperty("flowState").ValueKind.ShouldBe(JsonValueKind.Null);

        // Resuming the event stream from an id replays only what came after it.
        await using var replay = await FlowKit.EventsAsync(chat.Client, runId, lastEventId: second[^1].Id);
        (await replay.NextEventAsync()).Event.ShouldBe("nodeEnd");
    }

    [Fact]
    public async Task Input_ToARunThatIsNotPaused_Is409_AndASecondRunInTheSession_Is409()
    {
        await using var chat = await ChatHarness.StartAsync();
        var project = await chat.Server.CreateProjectAsync();
        var sessionId = await chat.CreateSessionAsync(project.Id);
        await FlowKit.SaveAsync(chat.Client, project.Id, "three", FlowKit.ThreeNodes());
        var runId = (await FlowKit.StartAsync(chat.Client, sessionId, "three")).GetProperty("id").GetGuid();
        await using (var events = await FlowKit.EventsAsync(chat.Client, runId))
        {
            await FlowKit.ReadUntilAsync(events, "waitingForInput");
        }

        await (await chat.Client.PostAsJsonAsync($"/api/sessions/{sessionId}/flow-runs", new { flow = "three" }).Bounded()).ShouldBeProblemAsync(HttpStatusCode.Conflict, "flow_run_active");
        var cancelled = await chat.Client.PostAsync($"/api/flow-runs/{runId}:cancel", null).Bounded();
        cancelled.EnsureSuccessStatusCode();
        (await cancelled.Content.ReadFromJsonAsync<JsonElement>().Bounded()).GetProperty("state").GetString().ShouldBe("cancelled");
        await (await chat.Client.PostAsJsonAsync($"/api/flow-runs/{runId}/input", new { content = "late" }).Bounded()).ShouldBeProblemAsync(HttpStatusCode.Conflict, "flow_run_not_paused");
        await (await chat.Client.PostAsJsonAsync($"/api/sessions/{sessionId}/flow-runs", new { flow = "nope" }).Bounded()).ShouldBeProblemAsync(HttpStatusCode.NotFound, "flow_not_found");
        chat.Fake.Requests.Count.ShouldBe(0);
    }

    [Fact]
    public async Task ConditionAndCommandAction_BranchOnTheExitCode_AndCommitOnce()
    {
        await using var chat = await ChatHarness.StartAsync(new Dictionary<string, string?> { ["Engine:DefaultCommandApproval"] = "Auto" });
        var project = await chat.Server.CreateProjectAsync();
        var sessionId = await chat.CreateSessionAsync(project.Id);
        await FlowKit.SaveAsync(chat.Client, project.Id, "check", new
        {
            name = "check",
            nodes = new object[]
            {
                new { id = "write", type = "action", action = "command", command = "sh -c 'echo {{input}} > out.txt'", output = "wrote" },
                new { id = "ok", type = "condition", expression = "wrote.exitCode == 0 && contains(wrote.files, 'out.txt')" },
                new { id = "yes", type = "end" },
                new { id = "ask", type = "userInput", prompt = "It failed" },
                new { id = "no", type = "end" },
            },
            edges = new object[]
            {
                new { from = "write", to = "ok" },
                new { from = "ok", to = "yes", when = "true" },
                new { from = "ok", to = "ask", when = "false" },
                new { from = "ask", to = "no" },
            },
        });

        var runId = (await FlowKit.StartAsync(chat.Client, sessionId, "check", "hello")).GetProperty("id").GetGuid();
        await using var events = await FlowKit.EventsAsync(chat.Client, runId);
        var seen = await FlowKit.ReadUntilAsync(events, "done");
        seen.Where(e => e.Event == "nodeStart").Select(e => e.Json.GetProperty("nodeId").GetString()).ShouldBe(["write", "ok", "yes"]);
        (await File.ReadAllTextAsync(Path.Combine(project.Path, "out.txt"))).ShouldBe("hello\n");
        var run = await chat.Client.GetFromJsonAsync<JsonElement>($"/api/flow-runs/{runId}").Bounded();
        var commit = run.GetProperty("variables").GetProperty("wrote").GetProperty("commit").GetString();
        commit.ShouldNotBeNullOrEmpty();
        var log = await chat.Client.GetFromJsonAsync<JsonElement>($"/api/projects/{project.Id}/git/log").Bounded();
        log.ToString().ShouldContain(commit!);
    }

    [Fact]
    public async Task AnotherUsersRun_IsNotFound_AndPlainCompletion_StreamsWithoutTools()
    {
        await using var chat = await ChatHarness.StartAsync();
        var project = await chat.Server.CreateProjectAsync();
        var sessionId = await chat.CreateSessionAsync(project.Id);
        await FlowKit.SaveAsync(chat.Client, project.Id, "plain", new
        {
            name = "plain",
            nodes = new object[]
            {
                new { id = "say", type = "llm", prompt = "Say {{input}}", tools = false, output = "said" },
                new { id = "end", type = "end" },
            },
            edges = new object[] { new { from = "say", to = "end" } },
        });
        chat.Fake.Enqueue(FakeReply.Text("plain ", "text"));
        var runId = (await FlowKit.StartAsync(chat.Client, sessionId, "plain", "hi")).GetProperty("id").GetGuid();
        await using (var events = await FlowKit.EventsAsync(chat.Client, runId))
        {
            var seen = await FlowKit.ReadUntilAsync(events, "done");
            seen.Single(e => e.Event == "nodeEnd" && e.Json.GetProperty("nodeId").GetString() == "say").Json.GetProperty("outputs").GetString().ShouldBe("plain text");
        }

        var request = chat.Fake.Requests.ShouldHaveSingleItem().Json!;
        request["tools"].ShouldBeNull("tools: false sends no tools");
        request.ToJsonString().ShouldContain("Say hi");
        (await chat.Client.GetFromJsonAsync<JsonElement>($"/api/sessions/{sessionId}").Bounded()).GetProperty("messages").GetArrayLength().ShouldBe(0, "a plain completion is not a chat message");

        var (stranger, _) = await chat.Server.CreateUserClientAsync("stranger");
        await (await stranger.GetAsync($"/api/flow-runs/{runId}").Bounded()).ShouldBeProblemAsync(HttpStatusCode.NotFound, "flow_run_not_found");
        await (await stranger.PostAsync($"/api/flow-runs/{runId}:cancel", null).Bounded()).ShouldBeProblemAsync(HttpStatusCode.NotFound, "flow_run_not_found");
        (await stranger.GetAsync($"/api/flow-runs/{runId}/events").Bounded()).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await stranger.PostAsJsonAsync($"/api/sessions/{sessionId}/flow-runs", new { flow = "plain" }).Bounded()).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await stranger.GetAsync($"/api/sessions/{sessionId}/flow-runs").Bounded()).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        var list = await chat.Client.GetFromJsonAsync<JsonElement>($"/api/sessions/{sessionId}/flow-runs").Bounded();
        list.GetProperty("items").EnumerateArray().Single().GetProperty("state").GetString().ShouldBe("completed");
    }
}
