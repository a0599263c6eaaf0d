using System.Diagnostics;
using Wright.FakeLlm;
using Wright.Server.Tests.Cli;
using Wright.Server.Tests.Engine;
using Wright.Server.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Wright.Server.Tests.Web;

/// <summary>
/// The web workbench driven as a user drives it: a real `wright serve` (its own data dir, a free
/// loopback port) serving the built app, the loopback fake model as the provider, and Debian's
/// Chromium run by web/e2e/run.mjs through playwright-core. The script reports each flow; this
/// test fails with its output when any flow, console error or foreign request fails it.
/// </summary>
public sealed class WorkbenchBrowserTests(ITestOutputHelper output)
{
    private const string Chromium = "/usr/bin/chromium";
    private static readonly TimeSpan BrowserRunLimit = TimeSpan.FromMinutes(6);

    [BrowserFact]
    public async Task Workbench_UserFlowsInChromium_AllPass()
    {
        await using var fake = await FakeLlmServer.StartAsync();
        // The first prompt writes hello.txt (then undone), the second README.md, its edited
        // version (a sibling) another README.md.
        fake.Enqueue(
            EngineKit.Calls(("write_file", new { path = "hello.txt", content = "Hello\n" })),
            FakeReply.Text("Added hello.txt."),
            EngineKit.Calls(("write_file", new { path = "README.md", content = "# Demo\n" })),
            FakeReply.Text("Added a readme."),
            EngineKit.Calls(("write_file", new { path = "README.md", content = "# Bonjour\n" })),
            FakeReply.Text("Bonjour."));
        fake.Fallback = FakeReply.Text("(no more scripted replies)");

        using var home = new TempDirectory("wright-web-e2e");
        var environment = new Dictionary<string, string> { ["WRIGHT_DEFAULT_MODEL"] = "openai/gpt-4o-mini" };
        await using var wright = WrightProcess.Start(home.Path, ["serve", "--port", "0", "--data-dir", home.Combine("data")], environment);
        var setupLine = await wright.WaitForLineAsync(l => l.Contains("/setup?token=", StringComparison.Ordinal));
        var setupUrl = setupLine[setupLine.IndexOf("http", StringComparison.Ordinal)..].Split(' ')[0];

        var (exitCode, text) = await BrowserScript.RunAsync(
            Path.Combine(BrowserScript.WebDirectory, "e2e", "run.mjs"),
            new Dictionary<string, string>
            {
                ["WRIGHT_SETUP_URL"] = setupUrl,
                ["WRIGHT_FAKE_OPENAI"] = fake.OpenAiEndpoint.ToString(),
                ["E2E_OUT"] = Path.Combine(BrowserScript.WebDirectory, "e2e", "out"),
                ["CHROMIUM_PATH"] = Chromium,
            },
            BrowserRunLimit);

        output.WriteLine(text);
        exitCode.ShouldBe(0, $"{text}\nserver stdout:\n{wright.Stdout}\nserver stderr:\n{wright.Stderr}");
        text.ShouldContain("passed, 0 failed");
    }

}

/// <summary>A fact that needs Debian's Chromium and the web app's npm packages (both installed by .ci/run and the build).</summary>
public sealed class BrowserFactAttribute : FactAttribute
{
    public BrowserFactAttribute()
    {
        if (!File.Exists("/usr/bin/chromium"))
        {
            Skip = "/usr/bin/chromium is not installed (apt-get install chromium; .ci/run does).";
        }
    }
}
