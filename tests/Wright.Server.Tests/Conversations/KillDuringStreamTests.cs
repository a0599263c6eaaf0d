using System.Net.Http.Json;
using System.Text.Json;
using Wright.FakeLlm;
using Wright.Server.Tests.Cli;
using Wright.Server.Tests.Events;
using Wright.Server.Tests.Infrastructure;

namespace Wright.Server.Tests.Conversations;

/// <summary>The real `wright serve` killed with SIGKILL while an answer streams: after a restart the answer is interrupted, not a ghost.</summary>
public sealed class KillDuringStreamTests
{
    [Fact]
    public async Task SigkillDuringStream_RestartMarksTheMessageInterrupted_WithItsPartialText()
    {
        using var home = new TempDirectory("wright-kill-stream");
        await using var fake = await FakeLlmServer.StartAsync().Bounded();
        fake.Enqueue(FakeReply.Text("Partial ", "answer ", "so far") with { Ending = FakeEnding.Stall });
        var environment = new Dictionary<string, string>
        {
            ["ANTHROPIC_BASE_URL"] = fake.AnthropicBaseUrl,
            ["ANTHROPIC_API_KEY"] = "sk-ant-test-key-0123456789",
            ["WRIGHT_DEFAULT_MODEL"] = ChatHarness.AnthropicModel,

            // Every piece is saved before it is sent, so what the client saw is what must survive.
            ["Conversations__FlushInterval"] = "00:00:00",
            ["Logging__LogLevel__Default"] = "Warning",
            ["WRIGHT_ADMIN_PASSWORD"] = WrightTestServer.AdminPassword,
        };
        var dataDir = Path.Combine(home.Path, "data");
        string[] serve = ["serve", "--port", "0", "--data-dir", dataDir];

        Guid sessionId;
        Guid messageId;
        await using (var first = WrightProcess.Start(home.Path, serve, environment))
        {
            using var client = new HttpClient { BaseAddress = await first.WaitForUrlAsync(), Timeout = TestTimeouts.Default };
            await WrightTestServer.LogInAsAdminAsync(client);
            var project = await client.PostAsJsonAsync("/api/projects", new { name = "kill", path = Path.Combine(home.Path, "projects", "kill") }).Bounded();
            project.EnsureSuccessStatusCode();
            var projectId = (await project.Content.ReadFromJsonAsync<JsonElement>().Bounded()).GetProperty("id").GetGuid();
            var session = await client.PostAsJsonAsync($"/api/projects/{projectId}/sessions", new { }).Bounded();
            sessionId = (await session.Content.ReadFromJsonAsync<JsonElement>().Bounded()).GetProperty("id").GetGuid();

            await using var stream = await SseStream.PostAsync(client, $"/api/sessions/{sessionId}/messages", new { content = "Tell me" });
            messageId = (await stream.NextChatEventAsync()).Json.GetProperty("message").GetProperty("id").GetGuid();
            for (var i = 0; i < 3; i++)
            {
                (await stream.NextChatEventAsync()).Event.ShouldBe("delta");
            }

            first.Signal(9);
            (await first.WaitForExitAsync()).ShouldBe(137, "SIGKILL ends a process with 128 + 9");
        }

        await using var second = WrightProcess.Start(home.Path, serve, environment);
        using var again = new HttpClient { BaseAddress = await second.WaitForUrlAsync(), Timeout = TestTimeouts.Default };
        await WrightTestServer.LogInAsAdminAsync(again);
        var tree = await again.GetFromJsonAsync<JsonElement>($"/api/sessions/{sessionId}").Bounded();
        var message = tree.GetProperty("messages").EnumerateArray().Single(m => m.GetProperty("id").GetGuid() == messageId);
        message.GetProperty("status").GetString().ShouldBe("interrupted");
        message.GetProperty("content").GetString().ShouldBe("Partial answer so far");
        var usage = await again.GetFromJsonAsync<JsonElement>($"/api/sessions/{sessionId}/usage").Bounded();
        usage.GetProperty("requests").EnumerateArray().Single().GetProperty("status").GetString().ShouldBe("interrupted");
        second.Signal(WrightProcess.SigTerm);
        (await second.WaitForExitAsync()).ShouldBe(0);
    }
}
