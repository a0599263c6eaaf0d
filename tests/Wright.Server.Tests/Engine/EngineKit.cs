using System.Net.Http.Json;
using System.Text.Json;
using Wright.FakeLlm;
using Wright.Server.Tests.Conversations;
using Wright.Server.Tests.Git;
using Wright.Server.Tests.Infrastructure;

namespace Wright.Server.Tests.Engine;

/// <summary>A chat harness plus a project whose files are committed, and helpers to script tool calls and read git.</summary>
internal sealed class EngineKit : IAsyncDisposable
{
    private EngineKit(ChatHarness harness, ProjectInfo project, Guid session)
    {
        Harness = harness;
        Project = project;
        Session = session;
    }

    public ChatHarness Harness { get; }

    public ProjectInfo Project { get; }

    public Guid Session { get; }

    public string Root => Project.Path;

    public FakeLlmServer Fake => Harness.Fake;

    public HttpClient Client => Harness.Client;

    /// <summary>A server, a project holding <paramref name="files"/> in its first commit, and a session in it.</summary>
    public static async Task<EngineKit> StartAsync(IReadOnlyDictionary<string, string> files, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var harness = await ChatHarness.StartAsync(settings);
        try
        {
            var project = await harness.Server.CreateProjectAsync();
            foreach (var (path, content) in files)
            {
                var full = Path.Combine(project.Path, path);
                Directory.CreateDirectory(Path.GetDirectoryName(full)!);
                await File.WriteAllTextAsync(full, content);
            }

            await GitCli.RunAsync(project.Path, "add", "--all");
            await GitCli.RunAsync(project.Path, "commit", "--quiet", "-m", "Initial files");
            var session = await harness.CreateSessionAsync(project.Id);
            return new EngineKit(harness, project, session);
        }
        catch
        {
            await harness.DisposeAsync();
            throw;
        }
    }

    public static FakeReply Calls(params (string Name, object Arguments)[] calls) => new()
    {
        ToolCalls = calls.Select((c, i) => new FakeToolCall($"call_{Guid.NewGuid():N}"[..16] + i, c.Name, JsonSerializer.Serialize(c.Arguments))).ToList(),
    };

    public Task<Answer> PostAsync(string content, Guid? parentId = null) => Harness.PostAsync(Session, content, parentId, ChatHarness.OpenAiModel);

    public Task<string> ReadAsync(string path) => File.ReadAllTextAsync(Path.Combine(Root, path));

    public Task WriteAsync(string path, string content) => File.WriteAllTextAsync(Path.Combine(Root, path), content);

    public Task<string> GitAsync(params string[] arguments) => GitCli.RunAsync(Root, arguments);

    public async Task<int> CommitCountAsync() => int.Parse((await GitAsync("rev-list", "--count", "HEAD")).Trim(), System.Globalization.CultureInfo.InvariantCulture);

    public async Task<JsonElement> RunAsync(Guid messageId) =>
        await Client.GetFromJsonAsync<JsonElement>($"/api/sessions/{Session}/messages/{messageId}/answer").Bounded();

    /// <summary>Every request body the fake provider received, as text.</summary>
    public string AllRequestBodies => string.Join("\n", Fake.Requests.Select(r => r.Body));

    public ValueTask DisposeAsync() => Harness.DisposeAsync();
}

internal static class AnswerExtensions
{
    public static IEnumerable<SseMessageView> OfType(this Answer answer, string type) =>
        answer.Events.Where(e => e.Event == type).Select(e => new SseMessageView(e.Json));

    public static string StopReason(this Answer answer) =>
        answer.Events.Single(e => e.Event == "answer.stopped").Json.GetProperty("reason").GetString()!;
}

/// <summary>An event's JSON payload.</summary>
internal sealed record SseMessageView(JsonElement Json)
{
    public string String(string name) => Json.GetProperty(name).GetString()!;
}
