using Wright.Server.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Wright.Server.Tests.Web;

/// <summary>
/// Terminals and the preview in the workbench, driven in Debian's Chromium by web/e2e/terminals.mjs
/// against a real `wright serve` (its own data dir, a free loopback port, tmux when installed): a
/// command typed in a terminal tab shows its output, survives a reload, `path:line` opens the
/// editor, and a `python3 -m http.server` started in the terminal appears in the preview's frame.
/// </summary>
public sealed class TerminalsBrowserTests(ITestOutputHelper output)
{
    private static readonly TimeSpan BrowserRunLimit = TimeSpan.FromMinutes(3);

    [BrowserFact]
    public async Task Terminals_UserFlowsInChromium_AllPass()
    {
        using var home = new TempDirectory("wright-terminals-e2e");
        await using var served = await BrowserScript.ServeAsync(home);

        await BrowserScript.RunPassingAsync("terminals.mjs", served, output, BrowserRunLimit);
    }
}
