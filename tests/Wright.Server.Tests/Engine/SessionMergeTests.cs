using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Wright.FakeLlm;
using Wright.Server.Tests.Conversations;
using Wright.Server.Tests.Git;
using Wright.Server.Tests.Infrastructure;

namespace Wright.Server.Tests.Engine;

/// <summary>
/// Merging branches of a conversation: a clean merge commits with both branches' commits as
/// parents and adds a merge turn whose Context summarizes the merged branch; a conflicting merge
/// changes nothing and answers 409 with the hunks, unless a strategy settles them; another session
/// of the project merges the same way; export and import keep the merge link.
/// </summary>
public sealed class SessionMergeTests
{
    private static readonly Dictionary<string, string> Files = new()
    {
        ["hello.txt"] = "Hello\nworld\n",
        ["src/app.py"] = "def greet():\n    return 'hi'\n",
    };

    [Fact]
    public async Task CleanMerge_OfAnotherBranch_CommitsWithBothParents_AndAddsAMergeTurnTheNextPromptSees()
    {
        await using var kit = await EngineKit.StartAsync(Files);
        var (main, side) = await TwoBranchesAsync(kit, sideEdit: Edit("hello.txt", "Hello", "Hi"));
        var before = await kit.GitAsync("rev-parse", "HEAD");

        var response = await MergeAsync(kit, new { fromLeafId = main });

        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        var result = await response.Content.ReadFromJsonAsync<JsonElement>().Bounded();
        var commit = result.GetProperty("commit").GetString()!;
        (await kit.GitAsync("rev-parse", "HEAD")).Trim().ShouldBe(commit);
        var parents = (await kit.GitAsync("rev-list", "--parents", "-n", "1", "HEAD")).Trim().Split(' ');
        parents.Skip(1).ShouldBe([before.Trim(), result.GetProperty("mergedCommit").GetString()!]);
        (await kit.ReadAsync("hello.txt")).ShouldBe("Hi\nthere\n");
        (await kit.ReadAsync("src/app.py")).ShouldContain("'hey'");
        (await kit.GitAsync("status", "--porcelain")).Trim().ShouldBeEmpty();
        result.GetProperty("files").EnumerateArray().Select(f => f.GetString()).ShouldBe(["src/app.py"]);

        // The merge turn ends the current path, right after the side branch's answer.
        var tree = await kit.Harness.TreeAsync(kit.Session);
        var mergeId = result.GetProperty("messageId").GetGuid();
        tree.GetProperty("currentLeafId").GetGuid().ShouldBe(mergeId);
        var path = tree.GetProperty("activePath").EnumerateArray().Select(e => e.GetGuid()).ToList();
        path[^1].ShouldBe(mergeId);
        path[^3].ShouldBe(side);
        var record = await kit.RunAsync(mergeId);
        record.GetProperty("commit").GetString().ShouldBe(commit);
        record.GetProperty("stopReason").GetString().ShouldBe("merged");

        // Its Context carries the summary of the merged branch, and the next prompt sends it.
        var context = await kit.Client.GetFromJsonAsync<JsonElement>($"/api/sessions/{kit.Session}/messages/{path[^2]}/context").Bounded();
        var merge = context.GetProperty("merge");
        merge.GetProperty("summary").GetString()!.ShouldContain("Say hey in src/app.py");
        merge.GetProperty("commit").GetString().ShouldBe(commit);
        kit.Fake.Enqueue(FakeReply.Text("Both are in."));
        var next = await kit.PostAsync("What changed?");
        next.Last.Event.ShouldBe("message.completed", next.Last.Data);
        kit.Fake.Requests[^1].Body.ShouldContain("Say hey in src/app.py");
        kit.Fake.Requests[^1].Body.ShouldContain("merged-branch");

        // Export and import keep the merge link, pointing into the imported copy.
        var export = await kit.Client.GetFromJsonAsync<JsonElement>($"/api/sessions/{kit.Session}/export?format=json").Bounded();
        export.GetProperty("merges").GetArrayLength().ShouldBe(1);
        var imported = await kit.Client.PostAsJsonAsync($"/api/projects/{kit.Project.Id}/sessions:import", export).Bounded();
        imported.StatusCode.ShouldBe(HttpStatusCode.Created, await imported.Content.ReadAsStringAsync());
        var copy = (await imported.Content.ReadFromJsonAsync<JsonElement>().Bounded()).GetProperty("id").GetGuid();
        var again = await kit.Client.GetFromJsonAsync<JsonElement>($"/api/sessions/{copy}/export?format=json").Bounded();
        var link = again.GetProperty("merges").EnumerateArray().Single();
        link.GetProperty("sessionId").GetGuid().ShouldBe(copy);
        link.GetProperty("fromSessionId").GetGuid().ShouldBe(copy);
        var copyIds = again.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("id").GetGuid()).ToHashSet();
        copyIds.ShouldContain(link.GetProperty("messageId").GetGuid());
        copyIds.ShouldContain(link.GetProperty("fromMessageId").GetGuid());
        link.GetProperty("commitSha").GetString().ShouldBe(commit);
    }

    [Theory]
    [InlineData("ours", "'yo'")]
    [InlineData("theirs", "'hey'")]
    public async Task ConflictingMerge_ChangesNothing_AndAnswers409WithHunks_UnlessAStrategySettlesThem(string strategy, string expected)
    {
        await using var kit = await EngineKit.StartAsync(Files);
        var (main, _) = await TwoBranchesAsync(kit, sideEdit: Edit("src/app.py", "    return 'hi'", "    return 'yo'"));
        var head = await kit.GitAsync("rev-parse", "HEAD");
        var before = await kit.Harness.TreeAsync(kit.Session);

        var refused = await MergeAsync(kit, new { fromLeafId = main });

        refused.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        refused.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        var problem = await refused.Content.ReadFromJsonAsync<JsonElement>().Bounded();
        problem.GetProperty("code").GetString().ShouldBe("merge_conflict");
        var conflict = problem.GetProperty("conflicts").EnumerateArray().Single();
        conflict.GetProperty("path").GetString().ShouldBe("src/app.py");
        var hunk = conflict.GetProperty("hunks").EnumerateArray().Single();
        hunk.GetProperty("ours").GetString()!.ShouldContain("'yo'");
        hunk.GetProperty("theirs").GetString()!.ShouldContain("'hey'");
        (await kit.GitAsync("rev-parse", "HEAD")).ShouldBe(head);
        (await kit.GitAsync("status", "--porcelain")).Trim().ShouldBeEmpty();
        (await kit.ReadAsync("src/app.py")).ShouldContain("'yo'");
        var after = await kit.Harness.TreeAsync(kit.Session);
        after.GetProperty("messages").GetArrayLength().ShouldBe(before.GetProperty("messages").GetArrayLength());
        after.GetProperty("currentLeafId").GetString().ShouldBe(before.GetProperty("currentLeafId").GetString());

        var settled = await MergeAsync(kit, new { fromLeafId = main, strategy });

        settled.StatusCode.ShouldBe(HttpStatusCode.OK, await settled.Content.ReadAsStringAsync());
        var result = await settled.Content.ReadFromJsonAsync<JsonElement>().Bounded();
        result.GetProperty("settled").EnumerateArray().Single().GetProperty("path").GetString().ShouldBe("src/app.py");
        (await kit.ReadAsync("src/app.py")).ShouldBe($"def greet():\n    return {expected}\n");
        (await kit.ReadAsync("src/app.py")).ShouldNotContain("<<<<<<<");
        (await kit.GitAsync("rev-list", "--parents", "-n", "1", "HEAD")).Trim().Split(' ').Length.ShouldBe(3);
        (await kit.GitAsync("status", "--porcelain")).Trim().ShouldBeEmpty();
    }

    [Fact]
    public async Task Merge_OverUncommittedEdits_Answers409_AndCommitFirstCommitsThem()
    {
        await using var kit = await EngineKit.StartAsync(Files);
        var (main, _) = await TwoBranchesAsync(kit, sideEdit: Edit("hello.txt", "Hello", "Hi"));
        await kit.WriteAsync("notes.txt", "mine\n");

        var refused = await MergeAsync(kit, new { fromLeafId = main });

        refused.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await refused.Content.ReadFromJsonAsync<JsonElement>().Bounded()).GetProperty("code").GetString().ShouldBe("uncommitted_changes");
        var merged = await MergeAsync(kit, new { fromLeafId = main, commitFirst = true });
        merged.StatusCode.ShouldBe(HttpStatusCode.OK, await merged.Content.ReadAsStringAsync());
        (await kit.ReadAsync("notes.txt")).ShouldBe("mine\n");
        (await kit.GitAsync("status", "--porcelain")).Trim().ShouldBeEmpty();
    }

    [Fact]
    public async Task Merge_BadInput_IsAClearError()
    {
        await using var kit = await EngineKit.StartAsync(Files);
        var (main, side) = await TwoBranchesAsync(kit, sideEdit: Edit("hello.txt", "Hello", "Hi"));

        (await CodeAsync(await MergeAsync(kit, new { }))).ShouldBe("validation_failed");
        (await CodeAsync(await MergeAsync(kit, new { fromLeafId = main, strategy = "mine" }))).ShouldBe("validation_failed");
        (await CodeAsync(await MergeAsync(kit, new { fromLeafId = Guid.NewGuid() }))).ShouldBe("message_not_found");
        (await CodeAsync(await MergeAsync(kit, new { fromLeafId = side }))).ShouldBe("merge_nothing_to_merge");
        (await kit.Client.PostAsJsonAsync($"/api/sessions/{Guid.NewGuid()}/merge", new { fromLeafId = main }).Bounded()).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task AnotherSessionOfTheProject_MergesTheSameWay()
    {
        await using var kit = await EngineKit.StartAsync(Files);
        kit.Fake.Enqueue(FakeReply.Text(Edit("hello.txt", "world", "there")));
        (await kit.PostAsync("Greet there")).Last.Event.ShouldBe("message.completed");
        var mainHead = (await kit.GitAsync("rev-parse", "HEAD")).Trim();

        // The user starts a side line in git, and another session works there.
        await kit.GitAsync("checkout", "--quiet", "-b", "side", "HEAD~1");
        var other = await kit.Harness.CreateSessionAsync(kit.Project.Id);
        kit.Fake.Enqueue(FakeReply.Text(Edit("src/app.py", "    return 'hi'", "    return 'hey'")));
        (await kit.Harness.PostAsync(other, "Say hey in src/app.py", null, ChatHarness.OpenAiModel)).Last.Event.ShouldBe("message.completed");
        var sideHead = (await kit.GitAsync("rev-parse", "HEAD")).Trim();

        var response = await MergeAsync(kit, new { fromSessionId = other });

        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        var result = await response.Content.ReadFromJsonAsync<JsonElement>().Bounded();
        (await kit.GitAsync("rev-list", "--parents", "-n", "1", "HEAD")).Trim().Split(' ').Skip(1).ShouldBe([mainHead, sideHead]);
        (await kit.ReadAsync("hello.txt")).ShouldBe("Hello\nthere\n");
        (await kit.ReadAsync("src/app.py")).ShouldContain("'hey'");
        result.GetProperty("summary").GetString()!.ShouldContain("Say hey in src/app.py");
        var export = await kit.Client.GetFromJsonAsync<JsonElement>($"/api/sessions/{kit.Session}/export?format=json").Bounded();
        export.GetProperty("merges").EnumerateArray().Single().GetProperty("fromSessionId").GetGuid().ShouldBe(other);

        // A session of another project cannot be merged.
        var elsewhere = await kit.Harness.Server.CreateProjectAsync();
        var stranger = await kit.Harness.CreateSessionAsync(elsewhere.Id);
        (await CodeAsync(await MergeAsync(kit, new { fromSessionId = stranger }))).ShouldBe("merge_source_invalid");
    }

    /// <summary>p1 (hello.txt: world → there), then p2 on the main line (src/app.py: hi → hey), then p3 as a sibling of p2 with <paramref name="sideEdit"/>: its own git branch. Returns p2's and p3's answers.</summary>
    private static async Task<(Guid Main, Guid Side)> TwoBranchesAsync(EngineKit kit, string sideEdit)
    {
        kit.Fake.Enqueue(FakeReply.Text(Edit("hello.txt", "world", "there")));
        var first = await kit.PostAsync("Greet there");
        kit.Fake.Enqueue(FakeReply.Text(Edit("src/app.py", "    return 'hi'", "    return 'hey'")));
        var main = await kit.PostAsync("Say hey in src/app.py");
        kit.Fake.Enqueue(FakeReply.Text(sideEdit));
        var side = await kit.PostAsync("Another idea", first.MessageId);
        foreach (var answer in new[] { first, main, side })
        {
            answer.OfType("action.committed").ShouldHaveSingleItem();
        }

        side.OfType("git.branch").ShouldHaveSingleItem();
        return (main.MessageId, side.MessageId);
    }

    private static string Edit(string path, string search, string replace) =>
        $"{path}\n```\n<<<<<<< SEARCH\n{search}\n=======\n{replace}\n>>>>>>> REPLACE\n```\n";

    private static Task<HttpResponseMessage> MergeAsync(EngineKit kit, object body) =>
        kit.Client.PostAsJsonAsync($"/api/sessions/{kit.Session}/merge", body).Bounded();

    private static async Task<string?> CodeAsync(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonElement>().Bounded()).GetProperty("code").GetString();
}
