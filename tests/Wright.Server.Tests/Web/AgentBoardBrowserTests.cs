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
    private static readonly TimeSpan BrowserRunLimit = TimeSpan.FromMinutes(3);

    [BrowserFact]
    public async Task AgentBoard_HookClientDrivesAnAgent_CardFollowsLiveAndNotifies()
    {
        using var home = new TempDirectory("wright-agents-e2e");
        await using var served = await BrowserScript.ServeAsync(home);

        await BrowserScript.RunPassingAsync("agents.mjs", served, output, BrowserRunLimit, "", new Dictionary<string, string> { ["WRIGHT_HOOK_FIXTURES"] = Path.Combine(SharedFixtures.Root, "claude-hooks", "docs") });
    }
}
