using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Wright.FakeLlm;
using Wright.Server.Tests.Infrastructure;

namespace Wright.Server.Tests.Engine;

/// <summary>Undo of AI commits and chat branches as git lines, over the API with real git.</summary>
public sealed class UndoAndBranchTests
{
    private static readonly Dictionary<string, string> Files = new() { ["a.txt"] = "0\n" };

    [Fact]
    public async Task Undo_OfTheLastAiCommit_RestoresItsParent()
    {
        await using var kit = await EngineKit.StartAsync(Files);
        kit.Fake.Enqueue(EngineKit.Calls(("write_file", new { path = "a.txt", content = "1\n" }), ("write_file", new { path = "b.txt", content = "new\n" })), FakeReply.Text("ok"));
        await kit.PostAsync("Change a");
        var parent = (await kit.GitAsync("rev-parse", "HEAD~1")).Trim();

        using var response = await kit.Client.PostAsJsonAsync($"/api/projects/{kit.Project.Id}/git/undo", new { }).Bounded();

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await response.Content.ReadFromJsonAsync<JsonElement>().Bounded()).GetProperty("head").GetString().ShouldBe(parent);
        (await kit.GitAsync("rev-parse", "HEAD")).Trim().ShouldBe(parent);
        (await kit.ReadAsync("a.txt")).ShouldBe("0\n");
        File.Exists(Path.Combine(kit.Root, "b.txt")).ShouldBeFalse();
        (await kit.GitAsync("status", "--porcelain")).ShouldBeEmpty();
    }

    [Fact]
    public async Task Undo_RefusesEachUnsafeCase_WithItsCode()
    {
        await using var kit = await EngineKit.StartAsync(Files);
        var undo = $"/api/projects/{kit.Project.Id}/git/undo";

        // HEAD is the user's own commit.
        await (await kit.Client.PostAsJsonAsync(undo, new { }).Bounded()).ShouldBeProblemAsync(HttpStatusCode.Conflict, "undo_not_ai_commit");

        kit.Fake.Enqueue(EngineKit.Calls(("write_file", new { path = "a.txt", content = "1\n" })), FakeReply.Text("ok"));
        await kit.PostAsync("Change a");
        var aiCommit = (await kit.GitAsync("rev-parse", "HEAD")).Trim();

        // The client means an older commit.
        await (await kit.Client.PostAsJsonAsync(undo, new { commit = (await kit.GitAsync("rev-parse", "HEAD~1")).Trim() }).Bounded()).ShouldBeProblemAsync(HttpStatusCode.Conflict, "undo_not_head");

        // The user edited a file of the AI commit.
        await kit.WriteAsync("a.txt", "mine\n");
        await (await kit.Client.PostAsJsonAsync(undo, new { commit = aiCommit }).Bounded()).ShouldBeProblemAsync(HttpStatusCode.Conflict, "undo_uncommitted_changes");
        (await kit.ReadAsync("a.txt")).ShouldBe("mine\n");
        await kit.GitAsync("checkout", "--", "a.txt");

        // The commit was pushed.
        var remote = Path.Combine(Path.GetDirectoryName(kit.Root)!, $"remote-{Guid.NewGuid():N}.git");
        await Git.GitCli.RunAsync(Path.GetDirectoryName(kit.Root)!, "init", "--quiet", "--bare", remote);
        await kit.GitAsync("remote", "add", "origin", remote);
        await kit.GitAsync("push", "--quiet", "origin", "HEAD:refs/heads/main");
        await kit.GitAsync("fetch", "--quiet", "origin");
        await (await kit.Client.PostAsJsonAsync(undo, new { }).Bounded()).ShouldBeProblemAsync(HttpStatusCode.Conflict, "undo_commit_pushed");
        (await kit.GitAsync("rev-parse", "HEAD")).Trim().ShouldBe(aiCommit);
    }

    [Fact]
    public async Task SiblingPrompt_RunsOnANewBranchFromTheParentsCommit_AndSwitchingNeverDropsUserEdits()
    {
        await using var kit = await EngineKit.StartAsync(Files);
        kit.Fake.Enqueue(
            EngineKit.Calls(("write_file", new { path = "a.txt", content = "1\n" })), FakeReply.Text("one"),
            EngineKit.Calls(("write_file", new { path = "a.txt", content = "2\n" })), FakeReply.Text("two"),
            EngineKit.Calls(("write_file", new { path = "b.txt", content = "other\n" })), FakeReply.Text("other way"));
        var first = await kit.PostAsync("Make it 1");
        var firstCommit = (await kit.GitAsync("rev-parse", "HEAD")).Trim();
        var mainBranch = (await kit.GitAsync("branch", "--show-current")).Trim();
        var second = await kit.PostAsync("Make it 2");
        (await kit.ReadAsync("a.txt")).ShouldBe("2\n");

        var sibling = await kit.PostAsync("Add b instead", first.MessageId);

        var branch = sibling.OfType("git.branch").Single();
        branch.String("commit").ShouldBe(firstCommit);
        var branchName = branch.String("branch");
        branchName.ShouldBe($"wright/{kit.Session.ToString("N")[..8]}/1");
        (await kit.GitAsync("branch", "--show-current")).Trim().ShouldBe(branchName);
        (await kit.ReadAsync("a.txt")).ShouldBe("1\n");
        (await kit.ReadAsync("b.txt")).ShouldBe("other\n");
        (await kit.GitAsync("rev-parse", "HEAD~1")).Trim().ShouldBe(firstCommit);
        (await kit.RunAsync(sibling.MessageId)).GetProperty("gitBranch").GetString().ShouldBe(branchName);

        // Back to the first line of the conversation, with an edit of the user's in the way.
        await kit.WriteAsync("b.txt", "user edit\n");
        using var refused = await kit.Client.PutAsJsonAsync($"/api/sessions/{kit.Session}/current", new { leafId = second.MessageId }).Bounded();
        await refused.ShouldBeProblemAsync(HttpStatusCode.Conflict, "uncommitted_changes");
        (await kit.GitAsync("branch", "--show-current")).Trim().ShouldBe(branchName);
        (await kit.ReadAsync("b.txt")).ShouldBe("user edit\n");

        using var switched = await kit.Client.PutAsJsonAsync($"/api/sessions/{kit.Session}/current", new { leafId = second.MessageId, commitFirst = true }).Bounded();

        switched.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await kit.GitAsync("branch", "--show-current")).Trim().ShouldBe(mainBranch);
        (await kit.ReadAsync("a.txt")).ShouldBe("2\n");
        (await kit.GitAsync("show", $"{branchName}:b.txt")).ShouldBe("user edit\n");
        (await kit.Harness.TreeAsync(kit.Session)).GetProperty("currentLeafId").GetGuid().ShouldBe(second.MessageId);
    }
}
