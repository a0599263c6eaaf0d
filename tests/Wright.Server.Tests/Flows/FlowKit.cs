using System.Net.Http.Json;
using System.Text.Json;
using Wright.Server.Tests.Events;
using Wright.Server.Tests.Infrastructure;

namespace Wright.Server.Tests.Flows;

/// <summary>Templates and helpers the flow tests share: read a run's events until one arrives.</summary>
internal static class FlowKit
{
    /// <summary>input → llm (tools) → input → end.</summary>
    public static object ThreeNodes(string name = "three") => new
    {
        name,
        nodes = new object[]
        {
            new { id = "ask", type = "userInput", prompt = "What should I write?", output = "request" },
            new { id = "draft", type = "llm", prompt = "Write: {{request}}", tools = true, output = "draft" },
            new { id = "again", type = "userInput", prompt = "Anything else?", output = "more" },
            new { id = "end", type = "end" },
        },
        edges = new object[]
        {
            new { from = "ask", to = "draft" },
            new { from = "draft", to = "again" },
            new { from = "again", to = "end" },
        },
    };

    public static async Task SaveAsync(HttpClient client, Guid projectId, string name, object graph)
    {
        var saved = await client.PutAsJsonAsync($"/api/projects/{projectId}/flows/{name}", new { graph }).Bounded();
        saved.EnsureSuccessStatusCode();
    }

    public static async Task<JsonElement> StartAsync(HttpClient client, Guid sessionId, string flow, string? input = null)
    {
        var started = await client.PostAsJsonAsync($"/api/sessions/{sessionId}/flow-runs", new { flow, input }).Bounded();
        started.StatusCode.ShouldBe(System.Net.HttpStatusCode.Accepted, await started.Content.ReadAsStringAsync());
        return await started.Content.ReadFromJsonAsync<JsonElement>().Bounded();
    }

    /// <summary>Reads the run's events until one of <paramref name="type"/> (for <paramref name="nodeId"/> when given); returns every event read.</summary>
    public static async Task<List<SseMessage>> ReadUntilAsync(SseStream stream, string type, string? nodeId = null)
    {
        var seen = new List<SseMessage>();
        while (true)
        {
            var message = await stream.NextEventAsync();
            seen.Add(message);
            if (message.Event == type && (nodeId is null || (message.Json.TryGetProperty("nodeId", out var n) && n.GetString() == nodeId)))
            {
                return seen;
            }

            if (message.Event is "error" or "done" or "cancelled" && type != message.Event)
            {
                throw new ShouldAssertException($"The run ended with {message} before {type}.");
            }
        }
    }

    public static Task<SseStream> EventsAsync(HttpClient client, Guid runId, string? lastEventId = null) =>
        SseStream.OpenAsync(client, $"/api/flow-runs/{runId}/events", lastEventId);
}
