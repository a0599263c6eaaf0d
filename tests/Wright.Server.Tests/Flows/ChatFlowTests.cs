using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Wright.FakeLlm;
using Wright.Server.Tests.Conversations;
using Wright.Server.Tests.Events;
using Wright.Server.Tests.Infrastructure;

namespace Wright.Server.Tests.Flows;

/// <summary>
/// The chat as the built-in default flow, over real HTTP: every prompt is a turn of the session's
/// default FlowRun (ask → answer → ask), whose checkpoints carry the turn's parameters; edited
/// prompts, regenerate and stop go through the same run; a custom run holding the session refuses
/// the chat with flow_run_active.
/// </summary>
public sealed class ChatFlowTests
{
    [Fact]
    public async Task ChatPrompts_AreTurnsOfOneDefaultRun_WithTheTurnsParametersInItsCheckpoints()
    {
        await using var chat = await ChatHarness.StartAsync();
        var project = await chat.Server.CreateProjectAsync();
        var sessionId = await chat.CreateSessionAsync(project.Id);
        await using var bus = await SseStream.OpenAsync(chat.Client, $"/api/events?projectId={project.Id}");
        await bus.WaitForPositionAsync();
        chat.Fake.Enqueue(FakeReply.Text("First ", "answer."), FakeReply.Text("Second answer."));

        var first = await chat.PostAsync(sessionId, "Hello there");
        first.Last.Event.ShouldBe("message.completed");
        var runId = await ChatFlowKit.WaitForStateAsync(bus, sessionId, "paused");

        var runs = (await chat.Client.GetFromJsonAsync<JsonElement>($"/api/sessions/{sessionId}/flow-runs").Bounded()).GetProperty("items").EnumerateArray().ToList();
        runs.Count.ShouldBe(1);
        runs[0].GetProperty("flow").GetString().ShouldBe("default");
        runs[0].GetProperty("id").GetGuid().ShouldBe(runId);

        var run = await ChatFlowKit.RunAsync(chat.Client, runId);
        run.GetProperty("state").GetString().ShouldBe("paused");
        run.GetProperty("pausedNodeId").GetString().ShouldBe("ask");
        var checkpoints = ChatFlowKit.Steps(run);
        checkpoints.ShouldBe(["ask:start", "ask:end", "answer:start", "answer:end", "ask:start"]);
        var asked = ChatFlowKit.Checkpoint(run, "ask", "end", 0).GetProperty("outputs");
        asked.GetProperty("content").GetString().ShouldBe("Hello there");
        asked.GetProperty("promptMessageId").GetGuid().ShouldBe(first.UserMessageId!.Value);
        asked.GetProperty("parentId").ValueKind.ShouldBe(JsonValueKind.Null);
        asked.GetProperty("asRoot").GetBoolean().ShouldBeFalse();
        asked.GetProperty("commitFirst").GetBoolean().ShouldBeFalse();
        asked.GetProperty("resolvedModel").GetString().ShouldBe(ChatHarness.AnthropicModel);
        var answering = ChatFlowKit.Checkpoint(run, "answer", "start", 0).GetProperty("inputs");
        answering.GetProperty("assistantMessageId").GetGuid().ShouldBe(first.MessageId);
        answering.GetProperty("regenerate").GetBoolean().ShouldBeFalse();
        var answered = ChatFlowKit.Checkpoint(run, "answer", "end", 0);
        answered.GetProperty("outputs").GetProperty("status").GetString().ShouldBe("complete");
        answered.GetProperty("outputs").GetProperty("text").GetString().ShouldBe("First answer.");
        answered.GetProperty("outputs").GetProperty("messageId").GetGuid().ShouldBe(first.MessageId);
        answered.GetProperty("commit").GetString().ShouldBe(await ChatFlowKit.HeadOfAsync(project.Path), "the checkpoint names the commit the workspace is at");

        // The second prompt, with a model chosen, advances the same run.
        var second = await chat.PostAsync(sessionId, "And again", model: ChatHarness.AnthropicModel);
        second.Last.Event.ShouldBe("message.completed");
        (await ChatFlowKit.WaitForStateAsync(bus, sessionId, "paused")).ShouldBe(runId);
        run = await ChatFlowKit.RunAsync(chat.Client, runId);
        ChatFlowKit.Steps(run).ShouldBe(["ask:start", "ask:end", "answer:start", "answer:end", "ask:start", "ask:end", "answer:start", "answer:end", "ask:start"]);
        var again = ChatFlowKit.Checkpoint(run, "ask", "end", 1).GetProperty("outputs");
        again.GetProperty("content").GetString().ShouldBe("And again");
        again.GetProperty("model").GetString().ShouldBe(ChatHarness.AnthropicModel);
        run.GetProperty("variables").GetProperty("request").GetProperty("content").GetString().ShouldBe("And again");
        run.GetProperty("variables").GetProperty("answer").GetProperty("text").GetString().ShouldBe("Second answer.");
        (await chat.Client.GetFromJsonAsync<JsonElement>($"/api/sessions/{sessionId}/flow-runs").Bounded()).GetProperty("items").GetArrayLength().ShouldBe(1, "one run for the whole chat");

        var session = await chat.TreeAsync(sessionId);
        session.GetProperty("lastUsedFlow").GetString().ShouldBe("default");
        session.GetProperty("flowState").GetProperty("pausedNodeId").GetString().ShouldBe("ask");
        chat.Fake.Requests.Count.ShouldBe(2);
    }

    [Fact]
    public async Task AnEditedPrompt_ARegenerate_AndAStop_GoThroughTheSameRun()
    {
        await using var chat = await ChatHarness.StartAsync();
        var project = await chat.Server.CreateProjectAsync();
        var sessionId = await chat.CreateSessionAsync(project.Id);
        await using var bus = await SseStream.OpenAsync(chat.Client, $"/api/events?projectId={project.Id}");
        await bus.WaitForPositionAsync();
        chat.Fake.Enqueue(FakeReply.Text("One."), FakeReply.Text("Two."), FakeReply.Text("Two, edited."), FakeReply.Text("Two, again."));

        var one = await chat.PostAsync(sessionId, "one");
        var runId = await ChatFlowKit.WaitForStateAsync(bus, sessionId, "paused");
        await chat.PostAsync(sessionId, "two");
        await ChatFlowKit.WaitForStateAsync(bus, sessionId, "paused");

        // An edited second prompt: a sibling under the first answer.
        var edited = await chat.PostAsync(sessionId, "two, edited", parentId: one.MessageId);
        edited.Last.Event.ShouldBe("message.completed");
        (await ChatFlowKit.WaitForStateAsync(bus, sessionId, "paused")).ShouldBe(runId);
        var run = await ChatFlowKit.RunAsync(chat.Client, runId);
        var asked = ChatFlowKit.Checkpoint(run, "ask", "end", 2).GetProperty("outputs");
        asked.GetProperty("content").GetString().ShouldBe("two, edited");
        asked.GetProperty("parentId").GetGuid().ShouldBe(one.MessageId);

        // Regenerate re-runs answer for the same prompt: no new ask output.
        var regenerated = await chat.RegenerateAsync(sessionId, edited.MessageId);
        regenerated.Text.ShouldBe("Two, again.");
        (await ChatFlowKit.WaitForStateAsync(bus, sessionId, "paused")).ShouldBe(runId);
        run = await ChatFlowKit.RunAsync(chat.Client, runId);
        ChatFlowKit.Steps(run).Count(s => s == "ask:end").ShouldBe(3);
        var rerun = ChatFlowKit.Checkpoint(run, "answer", "start", 3).GetProperty("inputs");
        rerun.GetProperty("regenerate").GetBoolean().ShouldBeTrue();
        rerun.GetProperty("promptMessageId").GetGuid().ShouldBe(edited.UserMessageId!.Value);
        rerun.GetProperty("assistantMessageId").GetGuid().ShouldBe(regenerated.MessageId);
        ChatFlowKit.Checkpoint(run, "answer", "end", 3).GetProperty("outputs").GetProperty("text").GetString().ShouldBe("Two, again.");

        // Stop: the answer ends cancelled and the run waits at ask again (it is not cancelled).
        chat.Fake.Enqueue(FakeReply.Text("Never ", "finished") with { Ending = FakeEnding.Stall });
        await using (var stream = await chat.OpenPostAsync(sessionId, "three"))
        {
            var created = await stream.NextChatEventAsync();
            var messageId = created.Json.GetProperty("message").GetProperty("id").GetGuid();
            (await stream.NextChatEventAsync()).Event.ShouldBe("delta");
            (await ChatFlowKit.WaitForStateAsync(bus, sessionId, "running")).ShouldBe(runId);
            (await chat.Client.PostAsync($"/api/sessions/{sessionId}/messages/{messageId}/stop", null).Bounded()).EnsureSuccessStatusCode();
        }

        (await ChatFlowKit.WaitForStateAsync(bus, sessionId, "paused")).ShouldBe(runId);
        run = await ChatFlowKit.RunAsync(chat.Client, runId);
        run.GetProperty("state").GetString().ShouldBe("paused");
        ChatFlowKit.Checkpoint(run, "answer", "end", 4).GetProperty("outputs").GetProperty("status").GetString().ShouldBe("cancelled");
        (await chat.Client.GetFromJsonAsync<JsonElement>($"/api/sessions/{sessionId}/flow-runs").Bounded()).GetProperty("items").GetArrayLength().ShouldBe(1);
    }

    [Fact]
    public async Task ACustomRunHoldingTheSession_RefusesTheChatWith409_AndARefusedPromptStoresNothing()
    {
        await using var chat = await ChatHarness.StartAsync();
        var project = await chat.Server.CreateProjectAsync();
        var sessionId = await chat.CreateSessionAsync(project.Id);
        await FlowKit.SaveAsync(chat.Client, project.Id, "three", FlowKit.ThreeNodes());

        // A prompt refused before the model is called (an unknown parent) leaves no run behind.
        var refused = await chat.Client.PostAsJsonAsync($"/api/sessions/{sessionId}/messages", new { content = "x", parentId = Guid.NewGuid() }).Bounded();
        await refused.ShouldBeProblemAsync(HttpStatusCode.NotFound, "message_not_found");
        (await chat.Client.GetFromJsonAsync<JsonElement>($"/api/sessions/{sessionId}/flow-runs").Bounded()).GetProperty("items").GetArrayLength().ShouldBe(0);

        // The chat's run waits at ask; starting a custom flow ends it and takes the session.
        await using var bus = await SseStream.OpenAsync(chat.Client, $"/api/events?projectId={project.Id}");
        await bus.WaitForPositionAsync();
        chat.Fake.Enqueue(FakeReply.Text("Chatted."));
        await chat.PostAsync(sessionId, "chat first");
        var chatRun = await ChatFlowKit.WaitForStateAsync(bus, sessionId, "paused");
        var custom = (await FlowKit.StartAsync(chat.Client, sessionId, "three")).GetProperty("id").GetGuid();
        (await ChatFlowKit.RunAsync(chat.Client, chatRun)).GetProperty("state").GetString().ShouldBe("completed");
        await using (var events = await FlowKit.EventsAsync(chat.Client, custom))
        {
            await FlowKit.ReadUntilAsync(events, "waitingForInput", "ask");
        }

        var before = (await chat.TreeAsync(sessionId)).GetProperty("messages").GetArrayLength();
        var blocked = await chat.Client.PostAsJsonAsync($"/api/sessions/{sessionId}/messages", new { content = "hello?" }).Bounded();
        var problem = await blocked.ShouldBeProblemAsync(HttpStatusCode.Conflict, "flow_run_active");
        problem.GetProperty("runId").GetGuid().ShouldBe(custom);
        var regenerate = await chat.Client.PostAsJsonAsync($"/api/sessions/{sessionId}/messages/{Guid.NewGuid()}/regenerate", new { }).Bounded();
        await regenerate.ShouldBeProblemAsync(HttpStatusCode.Conflict, "flow_run_active");
        (await chat.TreeAsync(sessionId)).GetProperty("messages").GetArrayLength().ShouldBe(before, "a refused prompt stores nothing");
        chat.Fake.Requests.Count.ShouldBe(1);

        // Once the custom run is cancelled the chat goes on, in a new default run.
        (await chat.Client.PostAsync($"/api/flow-runs/{custom}:cancel", null).Bounded()).EnsureSuccessStatusCode();
        chat.Fake.Enqueue(FakeReply.Text("Back."));
        (await chat.PostAsync(sessionId, "back to chat")).Text.ShouldBe("Back.");
        var next = await ChatFlowKit.WaitForStateAsync(bus, sessionId, "paused", except: custom);
        next.ShouldNotBe(chatRun);
        (await ChatFlowKit.RunAsync(chat.Client, next)).GetProperty("flow").GetString().ShouldBe("default");
    }

    [Fact]
    public async Task InputToThePausedDefaultRun_IsAChatPrompt()
    {
        await using var chat = await ChatHarness.StartAsync();
        var project = await chat.Server.CreateProjectAsync();
        var sessionId = await chat.CreateSessionAsync(project.Id);
        await using var bus = await SseStream.OpenAsync(chat.Client, $"/api/events?projectId={project.Id}");
        await bus.WaitForPositionAsync();
        chat.Fake.Enqueue(FakeReply.Text("From the chat."), FakeReply.Text("From the input."));
        await chat.PostAsync(sessionId, "a chat prompt");
        var runId = await ChatFlowKit.WaitForStateAsync(bus, sessionId, "paused");

        var input = await chat.Client.PostAsJsonAsync($"/api/flow-runs/{runId}/input", new { content = "a flow input" }).Bounded();
        input.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        (await ChatFlowKit.WaitForStateAsync(bus, sessionId, "paused")).ShouldBe(runId);
        var messages = (await chat.TreeAsync(sessionId)).GetProperty("messages").EnumerateArray().ToList();
        messages.Select(m => m.GetProperty("content").GetString()).ShouldBe(["a chat prompt", "From the chat.", "a flow input", "From the input."]);
        ChatFlowKit.Checkpoint(await ChatFlowKit.RunAsync(chat.Client, runId), "ask", "end", 1).GetProperty("outputs").GetProperty("content").GetString().ShouldBe("a flow input");
    }

    [Fact]
    public async Task InputToTheDefaultRun_CountsAgainstTheUsersAnswerLimit_LikeAChatPrompt()
    {
        await using var chat = await ChatHarness.StartAsync(new Dictionary<string, string?> { ["Conversations:MaxConcurrentStreamsPerUser"] = "1" });
        var project = await chat.Server.CreateProjectAsync();
        var waiting = await chat.CreateSessionAsync(project.Id);
        await using var bus = await SseStream.OpenAsync(chat.Client, $"/api/events?projectId={project.Id}");
        await bus.WaitForPositionAsync();
        chat.Fake.Enqueue(FakeReply.Text("Done."));
        await chat.PostAsync(waiting, "a chat prompt");
        var runId = await ChatFlowKit.WaitForStateAsync(bus, waiting, "paused");

        // Another session's answer holds the user's only stream.
        chat.Fake.Enqueue(FakeReply.Text("slow") with { Ending = FakeEnding.Stall });
        var busy = await chat.CreateSessionAsync(project.Id);
        await using var first = await chat.OpenPostAsync(busy, "one");
        (await first.NextChatEventAsync()).Event.ShouldBe("message.created");

        var input = await chat.Client.PostAsJsonAsync($"/api/flow-runs/{runId}/input", new { content = "a flow input" }).Bounded();

        await input.ShouldBeProblemAsync(HttpStatusCode.TooManyRequests, "rate_limited");
        (await chat.TreeAsync(waiting)).GetProperty("messages").GetArrayLength().ShouldBe(2);
    }
}

/// <summary>Helpers of the chat-as-flow tests: wait for a run's state on the project's bus, read its checkpoints.</summary>
internal static class ChatFlowKit
{
    /// <summary>Reads the project's event stream until the session's run reports <paramref name="state"/>; returns the run's id.</summary>
    public static async Task<Guid> WaitForStateAsync(SseStream bus, Guid sessionId, string state, Guid? except = null)
    {
        while (true)
        {
            var message = await bus.NextEventAsync();
            if (message.Event == "flow.run" && message.Payload.GetProperty("sessionId").GetGuid() == sessionId && message.Payload.GetProperty("state").GetString() == state
                && message.Payload.GetProperty("runId").GetGuid() != except)
            {
                return message.Payload.GetProperty("runId").GetGuid();
            }
        }
    }

    public static async Task<string> HeadOfAsync(string directory)
    {
        var start = new System.Diagnostics.ProcessStartInfo("git", ["rev-parse", "HEAD"]) { WorkingDirectory = directory, RedirectStandardOutput = true };
        using var process = System.Diagnostics.Process.Start(start)!;
        var head = await process.StandardOutput.ReadToEndAsync().Bounded();
        await process.WaitForExitAsync().Bounded();
        return head.Trim();
    }

    public static async Task<JsonElement> RunAsync(HttpClient client, Guid runId) =>
        await client.GetFromJsonAsync<JsonElement>($"/api/flow-runs/{runId}").Bounded();

    /// <summary>The run's checkpoints as "node:phase", in order.</summary>
    public static List<string> Steps(JsonElement run) =>
        run.GetProperty("checkpoints").EnumerateArray().Select(c => $"{c.GetProperty("nodeId").GetString()}:{c.GetProperty("phase").GetString()}").ToList();

    /// <summary>The <paramref name="index"/>-th checkpoint (from 0) of <paramref name="nodeId"/> in <paramref name="phase"/>.</summary>
    public static JsonElement Checkpoint(JsonElement run, string nodeId, string phase, int index) =>
        run.GetProperty("checkpoints").EnumerateArray().Where(c => c.GetProperty("nodeId").GetString() == nodeId && c.GetProperty("phase").GetString() == phase).ElementAt(index);
}
