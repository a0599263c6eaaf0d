using Wright.FakeLlm;
using Wright.Server.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Wright.Server.Tests.Web;

/// <summary>
/// Flows driven as a user drives them: a real `wright serve` serving the built app, the loopback
/// fake model, and Debian's Chromium run by web/e2e/flows.mjs. The script builds a flow in the
/// editor, saves it, runs it from the chat, answers its input and checks the run inspector; this
/// test fails with its output when any step, console error or foreign request fails it.
/// </summary>
public sealed class FlowsBrowserTests(ITestOutputHelper output)
{
    private static readonly TimeSpan BrowserRunLimit = TimeSpan.FromMinutes(4);

    [BrowserFact]
    public async Task Flows_BuildSaveRunAndAnswerInChromium_AllPass()
    {
        await using var fake = await FakeLlmServer.StartAsync();
        // The flow's one llm node (tools off) gets this reply after the user's answer.
        fake.Enqueue(FakeReply.Text("Here is your haiku."));
        fake.Fallback = FakeReply.Text("(no more scripted replies)");

        using var home = new TempDirectory("wright-flows-e2e");
        var environment = new Dictionary<string, string> { ["WRIGHT_DEFAULT_MODEL"] = "openai/gpt-4o-mini" };
        await using var served = await BrowserScript.ServeAsync(home, environment);

        await BrowserScript.RunPassingAsync("flows.mjs", served, output, BrowserRunLimit, "flows", new Dictionary<string, string> { ["WRIGHT_FAKE_OPENAI"] = fake.OpenAiEndpoint.ToString() });
    }
}
