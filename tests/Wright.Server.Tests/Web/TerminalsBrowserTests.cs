using System.Diagnostics;
using Wright.Server.Tests.Cli;
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
    private const string Chromium = "/usr/bin/chromium";
    private static readonly TimeSpan BrowserRunLimit = TimeSpan.FromMinutes(3);

    [BrowserFact]
    public async Task Terminals_UserFlowsInChromium_AllPass()
    {
        using var home = new TempDirectory("wright-terminals-e2e");
        await using var wright = WrightProcess.Start(home.Path, ["serve", "--port", "0", "--data-dir", home.Combine("data")], new Dictionary<string, string>());
        var setupLine = await wright.WaitForLineAsync(l => l.Contains("/setup?token=", StringComparison.Ordinal));
        var setupUrl = setupLine[setupLine.IndexOf("http", StringComparison.Ordinal)..].Split(' ')[0];

        var (exitCode, text) = await BrowserScript.RunAsync(
            Path.Combine(BrowserScript.WebDirectory, "e2e", "terminals.mjs"),
            new Dictionary<string, string>
            {
                ["WRIGHT_SETUP_URL"] = setupUrl,
                ["E2E_OUT"] = Path.Combine(BrowserScript.WebDirectory, "e2e", "out"),
                ["CHROMIUM_PATH"] = Chromium,
            },
            BrowserRunLimit);

        output.WriteLine(text);
        exitCode.ShouldBe(0, $"{text}\nserver stdout:\n{wright.Stdout}\nserver stderr:\n{wright.Stderr}");
        text.ShouldContain("passed, 0 failed");
    }
}
