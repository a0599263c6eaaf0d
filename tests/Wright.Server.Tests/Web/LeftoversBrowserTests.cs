using Wright.FakeLlm;
using Wright.Server.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Wright.Server.Tests.Web;

/// <summary>
/// Merges, flow runs on the agent board and node type changes driven as a user drives them: a
/// real `wright serve` serving the built app, the loopback fake model, and Debian's Chromium run by
/// web/e2e/leftovers.mjs. The script merges from the branch map (clean, then a conflict it cancels
/// and settles with "Keep theirs"), merges another session from the session list, watches a
/// paused flow run on the board follow its run live, and changes a node's type in the flow editor
/// and undoes it; this test fails with its output when any step, console error or foreign request
/// fails it.
/// </summary>
public sealed class LeftoversBrowserTests(ITestOutputHelper output)
{
    private static readonly TimeSpan BrowserRunLimit = TimeSpan.FromMinutes(4);

    [BrowserFact]
    public async Task MergeBoardAndNodeType_InChromium_AllPass()
    {
        await using var fake = await FakeLlmServer.StartAsync();
        // The script's prompts, in its order (see the head of leftovers.mjs).
        fake.Enqueue(FakeReply.Text(Edit("hello.txt", "world", "there")));
        fake.Enqueue(FakeReply.Text(Edit("src/app.py", "    return 'hi'", "    return 'hey'")));
        fake.Enqueue(FakeReply.Text(Edit("hello.txt", "Hello", "Hi")));
        fake.Enqueue(FakeReply.Text(Edit("src/app.py", "    return 'hi'", "    return 'yo'")));
        fake.Enqueue(FakeReply.Text(Edit("notes.md", "Notes", "Notes for the team")));
        fake.Enqueue(FakeReply.Text("Here is your haiku."));
        fake.Fallback = FakeReply.Text("(no more scripted replies)");

        using var home = new TempDirectory("wright-leftovers-e2e");
        var environment = new Dictionary<string, string> { ["WRIGHT_DEFAULT_MODEL"] = "openai/gpt-4o-mini" };
        await using var served = await BrowserScript.ServeAsync(home, environment);

        await BrowserScript.RunPassingAsync("leftovers.mjs", served, output, BrowserRunLimit, "leftovers", new Dictionary<string, string> { ["WRIGHT_FAKE_OPENAI"] = fake.OpenAiEndpoint.ToString() });
        fake.Requests.Count.ShouldBe(6, "one model call per scripted prompt, none for a merge");
    }

    private static string Edit(string path, string search, string replace) =>
        $"{path}\n```\n<<<<<<< SEARCH\n{search}\n=======\n{replace}\n>>>>>>> REPLACE\n```\n";
}
