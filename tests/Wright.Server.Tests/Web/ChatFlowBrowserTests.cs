using System.Diagnostics;
using Wright.FakeLlm;
using Wright.Server.Tests.Cli;
using Wright.Server.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Wright.Server.Tests.Web;

/// <summary>
/// The chat as the default flow, in Chromium (web/e2e/chatflow.mjs): plain prompts are turns of
/// the session's default run, which waits at ask without the chat showing it as a flow run.
/// </summary>
public sealed class ChatFlowBrowserTests(ITestOutputHelper output)
{
    private const string Chromium = "/usr/bin/chromium";
    private static readonly TimeSpan BrowserRunLimit = TimeSpan.FromMinutes(4);

    [BrowserFact]
    public async Task ChatAsDefaultFlow_InChromium_AllPass()
    {
        await using var fake = await FakeLlmServer.StartAsync();
        fake.Enqueue(FakeReply.Text("Hello from the chat."), FakeReply.Text("Hello once more."));
        fake.Fallback = FakeReply.Text("(no more scripted replies)");

        using var home = new TempDirectory("wright-chatflow-e2e");
        var environment = new Dictionary<string, string> { ["WRIGHT_DEFAULT_MODEL"] = "openai/gpt-4o-mini" };
        await using var wright = WrightProcess.Start(home.Path, ["serve", "--port", "0", "--data-dir", home.Combine("data")], environment);
        var setupLine = await wright.WaitForLineAsync(l => l.Contains("/setup?token=", StringComparison.Ordinal));
        var setupUrl = setupLine[setupLine.IndexOf("http", StringComparison.Ordinal)..].Split(' ')[0];

        var (exitCode, text) = await BrowserScript.RunAsync(
            Path.Combine(BrowserScript.WebDirectory, "e2e", "chatflow.mjs"),
            new Dictionary<string, string>
            {
                ["WRIGHT_SETUP_URL"] = setupUrl,
                ["WRIGHT_FAKE_OPENAI"] = fake.OpenAiEndpoint.ToString(),
                ["E2E_OUT"] = Path.Combine(BrowserScript.WebDirectory, "e2e", "out", "chatflow"),
                ["CHROMIUM_PATH"] = Chromium,
            },
            BrowserRunLimit);

        output.WriteLine(text);
        exitCode.ShouldBe(0, $"{text}\nserver stdout:\n{wright.Stdout}\nserver stderr:\n{wright.Stderr}");
        text.ShouldContain("passed, 0 failed");
    }
}
