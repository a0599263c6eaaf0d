using System.Diagnostics;
using Wright.Server.Tests.Cli;
using Wright.Server.Tests.Conversations;
using Wright.Server.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Wright.Server.Tests.Web;

/// <summary>
/// The agent board driven as a user watches it: a real `wright serve` (its own data dir, a free
/// loopback port) serving the built app, Debian's Chromium run by web/e2e/agents.mjs, and a
/// synthetic hook client posting Claude Code's documented payloads with a hooks-scoped token. The
/// script checks that the card follows each state live and that notifications are raised.
/// </summary>
public sealed class AgentBoardBrowserTests(ITestOutputHelper output)
{
    private const string Chromium = "/usr/bin/chromium";
    private static readonly TimeSpan BrowserRunLimit = TimeSpan.FromMinutes(3);

    [BrowserFact]
    public async Task AgentBoard_HookClientDrivesAnAgent_CardFollowsLiveAndNotifies()
    {
        using var home = new TempDirectory("wright-agents-e2e");
        await using var wright = WrightProcess.Start(home.Path, ["serve", "--port", "0", "--data-dir", home.Combine("data")], new Dictionary<string, string>());
        var setupLine = await wright.WaitForLineAsync(l => l.Contains("/setup?token=", StringComparison.Ordinal));
        var setupUrl = setupLine[setupLine.IndexOf("http", StringComparison.Ordinal)..].Split(' ')[0];

        var (exitCode, text) = await BrowserScript.RunAsync(
            Path.Combine(BrowserScript.WebDirectory, "e2e", "agents.mjs"),
            new Dictionary<string, string>
            {
                ["WRIGHT_SETUP_URL"] = setupUrl,
                ["WRIGHT_HOOK_FIXTURES"] = Path.Combine(SharedFixtures.Root, "claude-hooks", "docs"),
                ["E2E_OUT"] = Path.Combine(BrowserScript.WebDirectory, "e2e", "out"),
                ["CHROMIUM_PATH"] = Chromium,
            },
            BrowserRunLimit);

        output.WriteLine(text);
        exitCode.ShouldBe(0, $"{text}\nserver stdout:\n{wright.Stdout}\nserver stderr:\n{wright.Stderr}");
        text.ShouldContain("passed, 0 failed");
    }
}
