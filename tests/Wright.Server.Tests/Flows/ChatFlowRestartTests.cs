using System.Net.Http.Json;
using System.Text.Json;
using Wright.FakeLlm;
using Wright.Server.Tests.Cli;
using Wright.Server.Tests.Conversations;
using Wright.Server.Tests.Events;
using Wright.Server.Tests.Infrastructure;

namespace Wright.Server.Tests.Flows;

/// <summary>
/// The real `wright serve` killed with SIGKILL while a chat answer streams: after the restart the
/// answer is interrupted with its saved text, the default run's answer node ends with that message
/// (the model is not asked again) and the run waits at ask; the next prompt continues the same run.
/// </summary>
public sealed class ChatFlowRestartTests
{
    [Fact]
    public async Task SigkillMidAnswer_RestartLeavesTheMessageInterrupted_AndTheRunPausedAtAsk_AndTheNextPromptContinuesIt()
    {
        using var home = new TempDirectory("wright-chatflow-restart");
        await using var fake = await FakeLlmServer.StartAsync().Bounded();
        fake.Enqueue(FakeReply.Text("Partial ", "answer") with { Ending = FakeEnding.Stall });
        var environment = new Dictionary<string, string>
        {
            ["ANTHROPIC_BASE_URL"] = fake.AnthropicBaseUrl,
            ["ANTHROPIC_API_KEY"] = "sk-ant-test-key-0123456789",
            ["WRIGHT_DEFAULT_MODEL"] = ChatHarness.AnthropicModel,
            ["Conversations__FlushInterval"] = "00:00:00",
            ["Logging__LogLevel__Default"] = "Warning",
            ["WRIGHT_ADMIN_PASSWORD"] = WrightTestServer.AdminPassword,
        };
        string[] serve = ["serve", "--port", "0", "--data-dir", Path.Combine(home.Path, "data")];

        Guid projectId;
        Guid sessionId;
        Guid messageId;
        Guid runId;
        await using (var first = WrightProcess.Start(home.Path, serve, environment))
        {
            using var client = new HttpClient { BaseAddress = await first.WaitForUrlAsync(), Timeout = TestTimeouts.Default };
            await WrightTestServer.LogInAsAdminAsync(client);
            var project = await client.PostAsJsonAsync("/api/projects", new { name = "chatflow", path = Path.Combine(home.Path, "projects", "chatflow") }).Bounded();
            project.EnsureSuccessStatusCode();
            projectId = (await project.Content.ReadFromJsonAsync<JsonElement>().Bounded()).GetProperty("id").GetGuid();
            var session = await client.PostAsJsonAsync($"/api/projects/{projectId}/sessions", new { }).Bounded();
            sessionId = (await session.Content.ReadFromJsonAsync<JsonElement>().Bounded()).GetProperty("id").GetGuid();
            await using var bus = await SseStream.OpenAsync(client, $"/api/events?projectId={projectId}");
            await bus.WaitForPositionAsync();

            await using var stream = await SseStream.PostAsync(client, $"/api/sessions/{sessionId}/messages", new { content = "Tell me" });
            messageId = (await stream.NextChatEventAsync()).Json.GetProperty("message").GetProperty("id").GetGuid();
            (await stream.NextChatEventAsync()).Event.ShouldBe("delta");
            (await stream.NextChatEventAsync()).Event.ShouldBe("delta");

            // The turn is recorded (the run is in its answer node) before the kill.
            runId = await ChatFlowKit.WaitForStateAsync(bus, sessionId, "running");
            first.Signal(9);
            (await first.WaitForExitAsync()).ShouldBe(137, "SIGKILL ends a process with 128 + 9");
        }

        fake.Enqueue(FakeReply.Text("Continued."));
        await using var second = WrightProcess.Start(home.Path, serve, environment);
        using var again = new HttpClient { BaseAddress = await second.WaitForUrlAsync(), Timeout = TestTimeouts.Default };
        await WrightTestServer.LogInAsAdminAsync(again);
        await using (var events = await FlowKit.EventsAsync(again, runId))
        {
            var seen = await FlowKit.ReadUntilAsync(events, "waitingForInput", "ask");
            var ended = seen.Single(e => e.Event == "nodeEnd" && e.Json.GetProperty("nodeId").GetString() == "answer");
            ended.Json.GetProperty("outputs").GetProperty("status").GetString().ShouldBe("interrupted");
            ended.Json.GetProperty("outputs").GetProperty("text").GetString().ShouldBe("Partial answer");
        }

        var message = (await again.GetFromJsonAsync<JsonElement>($"/api/sessions/{sessionId}").Bounded()).GetProperty("messages").EnumerateArray().Single(m => m.GetProperty("id").GetGuid() == messageId);
        message.GetProperty("status").GetString().ShouldBe("interrupted");
        message.GetProperty("content").GetString().ShouldBe("Partial answer");
        var run = await ChatFlowKit.RunAsync(again, runId);
        run.GetProperty("state").GetString().ShouldBe("paused");
        run.GetProperty("pausedNodeId").GetString().ShouldBe("ask");
        fake.Requests.Count.ShouldBe(1, "the interrupted answer is not asked again");

        // The next prompt continues the same run.
        await using (var bus = await SseStream.OpenAsync(again, $"/api/events?projectId={projectId}"))
        {
            await bus.WaitForPositionAsync();
            await using (var stream = await SseStream.PostAsync(again, $"/api/sessions/{sessionId}/messages", new { content = "Go on" }))
            {
                (await Answer.ReadAsync(stream)).Text.ShouldBe("Continued.");
            }

            (await ChatFlowKit.WaitForStateAsync(bus, sessionId, "paused")).ShouldBe(runId);
        }

        run = await ChatFlowKit.RunAsync(again, runId);
        ChatFlowKit.Steps(run).ShouldBe(["ask:start", "ask:end", "answer:start", "answer:end", "ask:start", "ask:end", "answer:start", "answer:end", "ask:start"]);
        ChatFlowKit.Checkpoint(run, "ask", "end", 1).GetProperty("outputs").GetProperty("content").GetString().ShouldBe("Go on");
        ChatFlowKit.Checkpoint(run, "answer", "end", 1).GetProperty("outputs").GetProperty("status").GetString().ShouldBe("complete");
        fake.Requests.Count.ShouldBe(2);
        second.Signal(WrightProcess.SigTerm);
        (await second.WaitForExitAsync()).ShouldBe(0);
    }
}
