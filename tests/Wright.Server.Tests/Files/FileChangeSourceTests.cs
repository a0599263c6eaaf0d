using System.Net;
using System.Net.Http.Json;
using Wright.Core.Events;
using Wright.FakeLlm;
using Wright.Server.Tests.Engine;
using Wright.Server.Tests.Events;
using Wright.Server.Tests.Infrastructure;

namespace Wright.Server.Tests.Files;

/// <summary>An open editor tells a model's write from its own API save and from another program's edit by <c>file.changed</c>'s source.</summary>
public sealed class FileChangeSourceTests
{
    [Fact]
    public async Task FileChanged_ForApiAiAndOutsideWrites_CarriesEachSourceAndTheActionRunId()
    {
        await using var kit = await EngineKit.StartAsync(new Dictionary<string, string> { ["src/app.py"] = "def greet():\n    return 'hi'\n" });
        await using var stream = await SseStream.OpenAsync(kit.Client, $"/api/events?projectId={kit.Project.Id}");
        stream.Response.StatusCode.ShouldBe(HttpStatusCode.OK);
        await stream.WaitForPositionAsync();

        using (var put = await kit.Client.PutAsJsonAsync($"/api/projects/{kit.Project.Id}/files/notes.txt", new { content = "mine\n" }).Bounded())
        {
            put.StatusCode.ShouldBe(HttpStatusCode.Created);
        }

        var api = await NextForAsync(stream, "notes.txt");
        kit.Fake.Enqueue(FakeReply.Text("src/app.py\n```python\n<<<<<<< SEARCH\n    return 'hi'\n=======\n    return 'hello'\n>>>>>>> REPLACE\n```\n"));
        var answer = await kit.PostAsync("Make greet say hello");
        var actionId = answer.OfType("action.committed").Single().String("actionId");
        var ai = await NextForAsync(stream, "src/app.py");
        await ProjectShell.ShAsync(kit.Root, "echo theirs > outside.txt");
        var outside = await NextForAsync(stream, "outside.txt");

        api.Payload.GetProperty("source").GetString().ShouldBe("api");
        ai.Event.ShouldBe(EventTypes.FileChanged);
        ai.Payload.GetProperty("source").GetString().ShouldBe("ai");
        ai.Payload.GetProperty("actionRunId").GetString().ShouldBe(actionId);
        ai.Payload.GetProperty("eTag").GetString().ShouldBe(ProjectShell.ETagOf(Path.Combine(kit.Root, "src/app.py")));
        outside.Payload.GetProperty("source").GetString().ShouldBe("external");
    }

    /// <summary>The next file event about <paramref name="path"/> (others, such as the watcher's view of git's own files, are skipped).</summary>
    private static async Task<SseMessage> NextForAsync(SseStream stream, string path)
    {
        while (true)
        {
            var message = await stream.NextEventAsync();
            if (message.Path == path)
            {
                return message;
            }
        }
    }
}
