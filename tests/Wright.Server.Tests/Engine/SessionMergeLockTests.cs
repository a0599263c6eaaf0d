using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Wright.Core.Merges;
using Wright.Core.Workspace;
using Wright.FakeLlm;
using Wright.Server.Tests.Conversations;
using Wright.Server.Tests.Infrastructure;
using Wright.Storage.Database;

namespace Wright.Server.Tests.Engine;

/// <summary>
/// A merge and an answer never run in one session at once (a merge under a streaming answer and a
/// prompt during a merge are 409s), a merge whose turn cannot be stored leaves no merge commit,
/// and the session's tree carries the merge edges a branch map draws.
/// </summary>
public sealed class SessionMergeLockTests
{
    private static readonly Dictionary<string, string> Files = new()
    {
        ["hello.txt"] = "Hello\nworld\n",
        ["src/app.py"] = "def greet():\n    return 'hi'\n",
    };

    [Fact]
    public async Task TheTree_CarriesTheMergeEdge_FromTheMergeMessageToTheMergedLeaf()
    {
        await using var kit = await EngineKit.StartAsync(Files);
        var (main, _) = await TwoBranchesAsync(kit);

        var merged = await MergeAsync(kit, new { fromLeafId = main });

        merged.StatusCode.ShouldBe(HttpStatusCode.OK, await merged.Content.ReadAsStringAsync());
        var result = await merged.Content.ReadFromJsonAsync<JsonElement>().Bounded();
        var tree = await kit.Harness.TreeAsync(kit.Session);
        var edge = tree.GetProperty("merges").EnumerateArray().ShouldHaveSingleItem();
        edge.GetProperty("messageId").GetGuid().ShouldBe(result.GetProperty("messageId").GetGuid());
        edge.GetProperty("fromMessageId").GetGuid().ShouldBe(main);
        edge.GetProperty("fromSessionId").GetGuid().ShouldBe(kit.Session);
        edge.GetProperty("commitSha").GetString().ShouldBe(result.GetProperty("commit").GetString());
        result.GetProperty("tree").GetProperty("merges").GetArrayLength().ShouldBe(1);
    }

    [Fact]
    public async Task MergeWhileAnAnswerStreams_Is409SessionAnswering_AndChangesNothing()
    {
        await using var kit = await EngineKit.StartAsync(Files);
        var (main, _) = await TwoBranchesAsync(kit);
        var head = await kit.GitAsync("rev-parse", "HEAD");
        kit.Fake.Enqueue(FakeReply.Text("Thinking ", "hard") with { Ending = FakeEnding.Stall });
        await using var stream = await kit.Harness.OpenPostAsync(kit.Session, "Keep going", model: ChatHarness.OpenAiModel);
        var messageId = (await stream.NextChatEventAsync()).Json.GetProperty("message").GetProperty("id").GetGuid();
        (await stream.NextChatEventAsync()).Event.ShouldBe("delta");

        var refused = await MergeAsync(kit, new { fromLeafId = main });

        await refused.ShouldBeProblemAsync(HttpStatusCode.Conflict, "session_answering");
        (await kit.GitAsync("rev-parse", "HEAD")).ShouldBe(head);

        // Once the answer has ended, the same merge goes through.
        (await kit.Client.PostAsync($"/api/sessions/{kit.Session}/messages/{messageId}/stop", null).Bounded()).EnsureSuccessStatusCode();
        var merged = await MergeAsync(kit, new { fromLeafId = main });
        merged.StatusCode.ShouldBe(HttpStatusCode.OK, await merged.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task PromptWhileAMergeRuns_Is409SessionMerging_AndTheMergeCompletes()
    {
        await using var kit = await EngineKit.StartAsync(Files);
        var (main, _) = await TwoBranchesAsync(kit);
        var requestsBefore = kit.Fake.Requests.Count;

        // The project's gate held here keeps the merge inside its claim until the prompt was tried.
        var held = new TaskCompletionSource();
        var release = new TaskCompletionSource();
        var gate = ProjectGate.RunAsync(kit.Root, async () =>
        {
            held.SetResult();
            await release.Task;
            return true;
        }, CancellationToken.None);
        await held.Task.Bounded();
        var merging = MergeAsync(kit, new { fromLeafId = main });
        await Until(() => SessionMergeLock.IsMerging(kit.Session) || merging.IsCompleted);
        SessionMergeLock.IsMerging(kit.Session).ShouldBeTrue();

        using var prompt = await kit.Client.PostAsJsonAsync($"/api/sessions/{kit.Session}/messages", new { content = "Meanwhile" }).Bounded();
        await prompt.ShouldBeProblemAsync(HttpStatusCode.Conflict, "session_merging");
        release.SetResult();
        await gate.Bounded();

        using var merge = await merging;
        merge.StatusCode.ShouldBe(HttpStatusCode.OK, await merge.Content.ReadAsStringAsync());
        SessionMergeLock.IsMerging(kit.Session).ShouldBeFalse();
        kit.Fake.Requests.Count.ShouldBe(requestsBefore);
        (await kit.Harness.TreeAsync(kit.Session)).GetProperty("messages").EnumerateArray()
            .ShouldNotContain(m => m.GetProperty("content").GetString() == "Meanwhile");

        // After the merge, prompts are answered again.
        kit.Fake.Enqueue(FakeReply.Text("Back."));
        var next = await kit.PostAsync("And now?");
        next.Last.Event.ShouldBe("message.completed", next.Last.Data);
    }

    [Fact]
    public async Task AMergeWhoseTurnTheDatabaseRefuses_LeavesNoMergeCommit()
    {
        await using var kit = await EngineKit.StartAsync(Files);
        var (main, side) = await TwoBranchesAsync(kit);
        var head = (await kit.GitAsync("rev-parse", "HEAD")).Trim();
        var branch = (await kit.GitAsync("rev-parse", "--abbrev-ref", "HEAD")).Trim();
        var database = kit.Harness.Server.Services.GetRequiredService<WrightDatabase>();
        await using (var connection = await database.OpenAsync(CancellationToken.None).Bounded())
        {
            // A real constraint of the database refuses the merge prompt when it is stored.
            await connection.ExecuteAsync("CREATE TRIGGER refuse_merge_turn BEFORE INSERT ON chat_messages WHEN NEW.content LIKE 'Merge %' BEGIN SELECT RAISE(ABORT, 'merge turns refused by the test'); END").Bounded();
        }

        var failed = await MergeAsync(kit, new { fromLeafId = main });

        ((int)failed.StatusCode).ShouldBeGreaterThanOrEqualTo(500, await failed.Content.ReadAsStringAsync());
        (await kit.GitAsync("rev-parse", "HEAD")).Trim().ShouldBe(head);
        (await kit.GitAsync("rev-parse", "--abbrev-ref", "HEAD")).Trim().ShouldBe(branch);
        (await kit.GitAsync("status", "--porcelain")).Trim().ShouldBeEmpty();
        (await kit.ReadAsync("src/app.py")).ShouldNotContain("'hey'");
        var tree = await kit.Harness.TreeAsync(kit.Session);
        tree.GetProperty("currentLeafId").GetGuid().ShouldBe(side);
        tree.GetProperty("merges").GetArrayLength().ShouldBe(0);
        tree.GetProperty("messages").GetArrayLength().ShouldBe(6);
        SessionMergeLock.IsMerging(kit.Session).ShouldBeFalse();

        // Without the fault, the same merge commits and stores its turn.
        await using (var connection = await database.OpenAsync(CancellationToken.None).Bounded())
        {
            await connection.ExecuteAsync("DROP TRIGGER refuse_merge_turn").Bounded();
        }

        var merged = await MergeAsync(kit, new { fromLeafId = main });
        merged.StatusCode.ShouldBe(HttpStatusCode.OK, await merged.Content.ReadAsStringAsync());
        (await kit.GitAsync("rev-list", "--parents", "-n", "1", "HEAD")).Trim().Split(' ').Length.ShouldBe(3);
    }

    private static async Task Until(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(TestTimeouts.Default);
        while (!condition())
        {
            await Task.Delay(10, timeout.Token);
        }
    }

    private static async Task<(Guid Main, Guid Side)> TwoBranchesAsync(EngineKit kit)
    {
        kit.Fake.Enqueue(FakeReply.Text(Edit("hello.txt", "world", "there")));
        var first = await kit.PostAsync("Greet there");
        kit.Fake.Enqueue(FakeReply.Text(Edit("src/app.py", "    return 'hi'", "    return 'hey'")));
        var main = await kit.PostAsync("Say hey in src/app.py");
        kit.Fake.Enqueue(FakeReply.Text(Edit("hello.txt", "Hello", "Hi")));
        var side = await kit.PostAsync("Another idea", first.MessageId);
        side.OfType("action.committed").ShouldHaveSingleItem();
        return (main.MessageId, side.MessageId);
    }

    private static string Edit(string path, string search, string replace) =>
        $"{path}\n```\n<<<<<<< SEARCH\n{search}\n=======\n{replace}\n>>>>>>> REPLACE\n```\n";

    private static Task<HttpResponseMessage> MergeAsync(EngineKit kit, object body) =>
        kit.Client.PostAsJsonAsync($"/api/sessions/{kit.Session}/merge", body).Bounded();
}
