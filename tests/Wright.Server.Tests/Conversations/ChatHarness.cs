using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Wright.FakeLlm;
using Wright.Server.Tests.Events;
using Wright.Server.Tests.Infrastructure;

namespace Wright.Server.Tests.Conversations;

/// <summary>
/// A Wright server whose <c>anthropic</c> and <c>openai</c> providers point at a fake LLM server of
/// the test's own, with fast retries and short timeouts; plus helpers to chat through the API.
/// </summary>
public sealed class ChatHarness : IAsyncDisposable
{
    public const string AnthropicModel = "anthropic/claude-haiku-4-5";
    public const string OpenAiModel = "openai/gpt-4o-mini";

    private ChatHarness(FakeLlmServer fake, WrightTestServer server)
    {
        Fake = fake;
        Server = server;
    }

    public FakeLlmServer Fake { get; }

    public WrightTestServer Server { get; }

    public HttpClient Client => Server.Client;

    /// <summary>Starts the fake and the server; <paramref name="settings"/> overrides configuration keys (Llm:MaxRetries…).</summary>
    public static async Task<ChatHarness> StartAsync(IReadOnlyDictionary<string, string?>? settings = null)
    {
        var fake = await FakeLlmServer.StartAsync().Bounded();
        var configuration = new Dictionary<string, string?>
        {
            ["Llm:Providers:anthropic:BaseUrl"] = fake.AnthropicBaseUrl,
            ["Llm:Providers:anthropic:ApiKey"] = "sk-ant-test-key-0123456789",
            ["Llm:Providers:openai:BaseUrl"] = fake.OpenAiEndpoint.ToString(),
            ["Llm:Providers:openai:ApiKey"] = "sk-openai-test-key-0123456789",
            ["Llm:DefaultModel"] = AnthropicModel,
            ["Llm:RetryBaseDelay"] = "00:00:00.001",
            ["Llm:RetryMaxDelay"] = "00:00:00.010",
            ["Llm:StreamIdleTimeout"] = "00:00:30",
            ["Conversations:FlushInterval"] = "00:00:00",
            ["Conversations:DisconnectGracePeriod"] = "00:00:00",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            configuration[key] = value;
        }

        try
        {
            var server = await WrightTestServer.StartAsync(builder: b => b.Configuration.AddInMemoryCollection(configuration));
            return new ChatHarness(fake, server);
        }
        catch
        {
            await fake.DisposeAsync();
            throw;
        }
    }

    public async Task<Guid> CreateSessionAsync(Guid? projectId = null, string? title = null)
    {
        var project = projectId ?? (await Server.CreateProjectAsync()).Id;
        var response = await Client.PostAsJsonAsync($"/api/projects/{project}/sessions", new { title }).Bounded();
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>().Bounded()).GetProperty("id").GetGuid();
    }

    /// <summary>Posts a prompt and opens its SSE answer (headers read, events not yet).</summary>
    public Task<SseStream> OpenPostAsync(Guid sessionId, string content, Guid? parentId = null, string? model = null) =>
        SseStream.PostAsync(Client, $"/api/sessions/{sessionId}/messages", new { content, parentId, model });

    /// <summary>Posts a prompt and reads its whole answer.</summary>
    public async Task<Answer> PostAsync(Guid sessionId, string content, Guid? parentId = null, string? model = null)
    {
        await using var stream = await OpenPostAsync(sessionId, content, parentId, model);
        return await Answer.ReadAsync(stream);
    }

    public async Task<Answer> RegenerateAsync(Guid sessionId, Guid messageId, string? model = null)
    {
        await using var stream = await SseStream.PostAsync(Client, $"/api/sessions/{sessionId}/messages/{messageId}/regenerate", new { model });
        return await Answer.ReadAsync(stream);
    }

    public async Task<JsonElement> TreeAsync(Guid sessionId) =>
        await Client.GetFromJsonAsync<JsonElement>($"/api/sessions/{sessionId}").Bounded();

    public async Task<JsonElement> UsageAsync(Guid sessionId) =>
        await Client.GetFromJsonAsync<JsonElement>($"/api/sessions/{sessionId}/usage").Bounded();

    /// <summary>The stored message <paramref name="messageId"/> from the session's tree.</summary>
    public async Task<JsonElement> MessageAsync(Guid sessionId, Guid messageId) =>
        (await TreeAsync(sessionId)).GetProperty("messages").EnumerateArray().Single(m => m.GetProperty("id").GetGuid() == messageId);

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        await Fake.DisposeAsync();
    }
}

/// <summary>Everything one answer's SSE stream carried.</summary>
public sealed record Answer(IReadOnlyList<SseMessage> Events)
{
    public Guid MessageId => Events.First(e => e.Event == "message.created").Json.GetProperty("message").GetProperty("id").GetGuid();

    public Guid? UserMessageId => Events.First(e => e.Event == "message.created").Json.GetProperty("userMessage") is { ValueKind: JsonValueKind.Object } user ? user.GetProperty("id").GetGuid() : null;

    public string Text => string.Concat(Events.Where(e => e.Event == "delta").Select(e => e.Json.GetProperty("text").GetString()));

    public SseMessage Last => Events[^1];

    /// <summary>The final message (of <c>message.completed</c> or <c>error</c>).</summary>
    public JsonElement FinalMessage => Last.Json.GetProperty("message");

    public string? ErrorCode => Last.Event == "error" ? Last.Json.GetProperty("code").GetString() : null;

    public static async Task<Answer> ReadAsync(SseStream stream)
    {
        stream.Response.EnsureSuccessStatusCode();
        var events = new List<SseMessage>();
        while (await stream.NextAsync() is { } message)
        {
            events.Add(message);
        }

        events.ShouldNotBeEmpty();
        events[^1].Event.ShouldBeOneOf("message.completed", "error");
        return new Answer(events);
    }
}

/// <summary>Finds <c>../shared/fixtures</c> beside the repository (CI clones it there); fails loudly when it is missing.</summary>
public static class SharedFixtures
{
    public static string LlmStream(string name) => Path.Combine(Root, "llm-streams", name);

    public static string Root
    {
        get
        {
            var directory = new DirectoryInfo(AppContext.BaseDirectory);
            while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Wright.slnx")))
            {
                directory = directory.Parent;
            }

            directory.ShouldNotBeNull($"No Wright.slnx above {AppContext.BaseDirectory}: cannot locate the repository root.");
            var fixtures = Path.GetFullPath(Path.Combine(directory.FullName, "..", "shared", "fixtures"));
            Directory.Exists(fixtures).ShouldBeTrue($"The shared fixtures are missing: expected them at {fixtures} (the shared/ directory is cloned beside the repository).");
            return fixtures;
        }
    }
}
