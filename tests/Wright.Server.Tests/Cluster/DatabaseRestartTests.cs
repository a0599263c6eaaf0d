using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Wright.FakeLlm;
using Wright.Server.Tests.Conversations;
using Wright.Server.Tests.Events;
using Wright.Server.Tests.Infrastructure;

namespace Wright.Server.Tests.Cluster;

/// <summary>PostgreSQL restarted under a running `wright serve`: 503s while it is away, full service after, nothing acknowledged lost.</summary>
public sealed class DatabaseRestartTests
{
    [PostgresBinariesFact]
    public async Task RestartingPostgres_Gives503sWhileDown_AndFullServiceAfter_WithEveryAcknowledgedWrite()
    {
        using var home = new TempDirectory("wright-pg-restart");
        await using var postgres = await PrivatePostgres.StartAsync();
        await using var instance = new TwoInstances(home, postgres.Url);
        var wright = instance.Start("a");
        using var client = await TwoInstances.AdminClientAsync(wright);
        var projectId = await instance.CreateProjectAsync(client, "restart");
        var acknowledged = new List<Guid>();
        for (var i = 0; i < 3; i++)
        {
            acknowledged.Add(await CreateSessionAsync(client, projectId, $"before {i}"));
        }

        await postgres.StopServerAsync();
        using (var down = await client.PostAsJsonAsync($"/api/projects/{projectId}/sessions", new { title = "while down" }).Bounded())
        {
            await down.ShouldBeProblemAsync(HttpStatusCode.ServiceUnavailable, "database_unavailable");
            down.Headers.RetryAfter.ShouldNotBeNull();
        }

        using (var list = await client.GetAsync($"/api/projects/{projectId}/sessions").Bounded())
        {
            await list.ShouldBeProblemAsync(HttpStatusCode.ServiceUnavailable, "database_unavailable");
        }

        using (var health = await client.GetAsync("/health").Bounded())
        {
            health.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
            (await health.Content.ReadFromJsonAsync<JsonElement>().Bounded()).GetProperty("database").GetString().ShouldBe("unavailable");
        }

        (await client.GetAsync("/health/live").Bounded()).StatusCode.ShouldBe(HttpStatusCode.OK, "the process itself is fine");

        await postgres.StartServerAsync();

        // Back without a restart of Wright: the first write after the database returned succeeds.
        acknowledged.Add(await CreateSessionAsync(client, projectId, "after"));
        (await client.GetAsync("/health").Bounded()).StatusCode.ShouldBe(HttpStatusCode.OK);
        var sessions = await client.GetFromJsonAsync<JsonElement>($"/api/projects/{projectId}/sessions?limit=100").Bounded();
        var ids = sessions.GetProperty("items").EnumerateArray().Select(s => s.GetProperty("id").GetGuid()).ToList();
        foreach (var id in acknowledged)
        {
            ids.ShouldContain(id);
        }
    }

    [PostgresBinariesFact]
    public async Task AnAnswerStreamingWhilePostgresRestarts_KeepsStreaming_AndIsSavedCompleteOnceItIsBack()
    {
        using var home = new TempDirectory("wright-pg-restart-stream");
        await using var fake = await FakeLlmServer.StartAsync().Bounded();
        const int Words = 30;
        fake.Enqueue(FakeReply.Words(Words) with { ChunkDelay = TimeSpan.FromMilliseconds(150) });
        await using var postgres = await PrivatePostgres.StartAsync();
        await using var instance = new TwoInstances(home, postgres.Url, new Dictionary<string, string>
        {
            ["ANTHROPIC_BASE_URL"] = fake.AnthropicBaseUrl,
            ["ANTHROPIC_API_KEY"] = "sk-ant-test-key-0123456789",
            ["WRIGHT_DEFAULT_MODEL"] = ChatHarness.AnthropicModel,
            ["Conversations__FlushInterval"] = "00:00:00",
        });
        var wright = instance.Start("a");
        using var client = await TwoInstances.AdminClientAsync(wright);
        var projectId = await instance.CreateProjectAsync(client, "stream");
        var sessionId = await CreateSessionAsync(client, projectId, "streaming");
        await using var stream = await SseStream.PostAsync(client, $"/api/sessions/{sessionId}/messages", new { content = "Count" });
        var messageId = (await stream.NextChatEventAsync()).Json.GetProperty("message").GetProperty("id").GetGuid();
        (await stream.NextChatEventAsync()).Event.ShouldBe("delta");

        await postgres.StopServerAsync();
        var text = new System.Text.StringBuilder("w0 ");
        SseMessage next;
        while ((next = await stream.NextChatEventAsync()).Event == "delta" && text.Length < 20)
        {
            text.Append(next.Json.GetProperty("text").GetString());
        }

        await postgres.StartServerAsync();
        while (next.Event is not ("message.completed" or "error"))
        {
            if (next.Event == "delta")
            {
                text.Append(next.Json.GetProperty("text").GetString());
            }

            next = await stream.NextChatEventAsync();
        }

        next.Event.ShouldBe("message.completed", next.ToString());
        var expected = string.Concat(Enumerable.Range(0, Words).Select(i => $"w{i} "));
        text.ToString().ShouldBe(expected, "the client got every word while the database was away");
        JsonElement message;
        using (var bound = new CancellationTokenSource(TestTimeouts.Default))
        {
            while ((message = await MessageAsync(client, sessionId, messageId)).GetProperty("status").GetString() == "streaming")
            {
                await Task.Delay(100, bound.Token);
            }
        }

        message.GetProperty("status").GetString().ShouldBe("complete");
        message.GetProperty("content").GetString().ShouldBe(expected);
    }

    private static async Task<JsonElement> MessageAsync(HttpClient client, Guid sessionId, Guid messageId)
    {
        using var response = await client.GetAsync($"/api/sessions/{sessionId}").Bounded();
        if (response.StatusCode == HttpStatusCode.ServiceUnavailable)
        {
            // The pool may still hold a connection the restart cut; the next request opens a fresh one.
            return JsonDocument.Parse("{\"status\":\"streaming\"}").RootElement;
        }

        var tree = await response.Content.ReadFromJsonAsync<JsonElement>().Bounded();
        return tree.GetProperty("messages").EnumerateArray().Single(m => m.GetProperty("id").GetGuid() == messageId);
    }

    private static async Task<Guid> CreateSessionAsync(HttpClient client, Guid projectId, string title)
    {
        using var response = await client.PostAsJsonAsync($"/api/projects/{projectId}/sessions", new { title }).Bounded();
        response.StatusCode.ShouldBe(HttpStatusCode.Created, await response.Content.ReadAsStringAsync().Bounded());
        return (await response.Content.ReadFromJsonAsync<JsonElement>().Bounded()).GetProperty("id").GetGuid();
    }
}
