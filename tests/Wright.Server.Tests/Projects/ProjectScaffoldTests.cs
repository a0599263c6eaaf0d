using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Wright.FakeLlm;
using Wright.Server.Tests.Conversations;
using Wright.Server.Tests.Engine;
using Wright.Server.Tests.Events;
using Wright.Server.Tests.Git;
using Wright.Server.Tests.Infrastructure;

namespace Wright.Server.Tests.Projects;

/// <summary><c>POST /api/projects:scaffold</c>: a project whose first answer scaffolds it (the SCAFFOLD action) and edits the skeleton.</summary>
public sealed class ProjectScaffoldTests
{
    private const string Description = "A Node HTTP API with a health endpoint that also answers /version";

    [Fact]
    public async Task Scaffold_ModelCallsScaffoldThenEdits_FilesOnDiskAndTwoAiCommits()
    {
        await using var harness = await ChatHarness.StartAsync();
        harness.Fake.Enqueue(
            EngineKit.Calls(("scaffold", new { name = "health-api", description = Description, template = "node-api" })),
            EngineKit.Calls(("edit_file", new { path = "src/index.js", old_text = "  res.writeHead(404,", new_text = "  if (req.url === '/version') {\n    res.end('0.1.0');\n    return;\n  }\n  res.writeHead(404," })),
            FakeReply.Text("The API is scaffolded and answers /version."));

        var response = await harness.Client.PostAsJsonAsync("/api/projects:scaffold", new { name = "health-api", description = Description, model = ChatHarness.OpenAiModel }).Bounded();

        response.StatusCode.ShouldBe(HttpStatusCode.Created);
        var started = await response.Content.ReadFromJsonAsync<JsonElement>().Bounded();
        var projectId = started.GetProperty("project").GetProperty("id").GetGuid();
        var root = started.GetProperty("project").GetProperty("path").GetString()!;
        var sessionId = started.GetProperty("sessionId").GetGuid();
        var messageId = started.GetProperty("messageId").GetGuid();
        response.Headers.Location!.ToString().ShouldBe($"/api/projects/{projectId}");

        // The answer runs on the server; its stream replays from the start for whoever follows it.
        await using var stream = await SseStream.OpenAsync(harness.Client, $"/api/sessions/{sessionId}/messages/{messageId}/stream");
        var answer = await Answer.ReadAsync(stream);
        answer.Last.Event.ShouldBe("message.completed", answer.Last.Json.ToString());

        // The first request asked to scaffold and offered the scaffold tool.
        var first = harness.Fake.Requests[0].Body;
        first.ShouldContain("scaffold tool");
        first.ShouldContain("\"name\":\"scaffold\"");

        File.Exists(Path.Combine(root, "package.json")).ShouldBeTrue();
        (await File.ReadAllTextAsync(Path.Combine(root, "package.json"))).ShouldContain("\"name\": \"health-api\"");
        var index = await File.ReadAllTextAsync(Path.Combine(root, "src/index.js"));
        index.ShouldContain("/health");
        index.ShouldContain("/version");

        var log = (await GitCli.RunAsync(root, "log", "--format=%H %s", "--name-only")).Trim();
        var commits = (await GitCli.RunAsync(root, "rev-list", "HEAD")).Trim().Split('\n');
        // On top of the new project's initial commit: the skeleton as its own commit, then the answer's edit.
        commits.Length.ShouldBe(3, log);
        var scaffoldFiles = (await GitCli.RunAsync(root, "show", "--name-only", "--format=", commits[1])).Trim().Split('\n').Order().ToArray();
        scaffoldFiles.ShouldBe([".gitignore", "README.md", "package.json", "src/index.js"]);
        (await GitCli.RunAsync(root, "show", "--name-only", "--format=", commits[0])).Trim().ShouldBe("src/index.js");
        (await GitCli.RunAsync(root, "status", "--porcelain")).Trim().ShouldBeEmpty();

        // History shows both as AI commits of this session.
        var history = await harness.Client.GetFromJsonAsync<JsonElement>($"/api/projects/{projectId}/git/log").Bounded();
        history.ToString().ShouldContain(sessionId.ToString());
    }

    [Fact]
    public async Task Scaffold_UnknownModel_LeavesNoProjectAndNoDirectory()
    {
        await using var harness = await ChatHarness.StartAsync();
        var path = Path.Combine(harness.Server.DataDir, "projects", "nothing-left");

        var response = await harness.Client.PostAsJsonAsync("/api/projects:scaffold", new { name = "nothing-left", description = Description, path, model = "nowhere/no-model" }).Bounded();

        await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest, "model_unknown");
        Directory.Exists(path).ShouldBeFalse();
        var list = await harness.Client.GetFromJsonAsync<JsonElement>("/api/projects").Bounded();
        list.GetProperty("items").GetArrayLength().ShouldBe(0);
    }

    [Fact]
    public async Task Scaffold_EmptyDescription_IsRefusedBeforeAnythingIsCreated()
    {
        await using var harness = await ChatHarness.StartAsync();

        var response = await harness.Client.PostAsJsonAsync("/api/projects:scaffold", new { name = "x", description = "  " }).Bounded();

        await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        var list = await harness.Client.GetFromJsonAsync<JsonElement>("/api/projects").Bounded();
        list.GetProperty("items").GetArrayLength().ShouldBe(0);
    }
}
