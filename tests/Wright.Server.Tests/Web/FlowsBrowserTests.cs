using System.Diagnostics;
using Wright.FakeLlm;
using Wright.Server.Tests.Cli;
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
    private const string Chromium = "/usr/bin/chromium";
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
        await using var wright = WrightProcess.Start(home.Path, ["serve", "--port", "0", "--data-dir", home.Combine("data")], environment);
        var setupLine = await wright.WaitForLineAsync(l => l.Contains("/setup?token=", StringComparison.Ordinal));
        var setupUrl = setupLine[setupLine.IndexOf("http", StringComparison.Ordinal)..].Split(' ')[0];

        var (exitCode, text) = await BrowserScript.RunAsync(
            Path.Combine(BrowserScript.WebDirectory, "e2e", "flows.mjs"),
            new Dictionary<string, string>
            {
                ["WRIGHT_SETUP_URL"] = setupUrl,
                ["WRIGHT_FAKE_OPENAI"] = fake.OpenAiEndpoint.ToString(),
                ["E2E_OUT"] = Path.Combine(BrowserScript.WebDirectory, "e2e", "out", "flows"),
                ["CHROMIUM_PATH"] = Chromium,
            },
            BrowserRunLimit);

        output.WriteLine(text);
        exitCode.ShouldBe(0, $"{text}\nserver stdout:\n{wright.Stdout}\nserver stderr:\n{wright.Stderr}");
        text.ShouldContain("passed, 0 failed");
    }
}
