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

        var (exitCode, text) = await RunNodeAsync(
            Path.Combine(WebDirectory, "e2e", "agents.mjs"),
            new Dictionary<string, string>
            {
                ["WRIGHT_SETUP_URL"] = setupUrl,
                ["WRIGHT_HOOK_FIXTURES"] = Path.Combine(SharedFixtures.Root, "claude-hooks", "docs"),
                ["E2E_OUT"] = Path.Combine(WebDirectory, "e2e", "out"),
                ["CHROMIUM_PATH"] = Chromium,
            });

        output.WriteLine(text);
        exitCode.ShouldBe(0, $"{text}\nserver stdout:\n{wright.Stdout}\nserver stderr:\n{wright.Stderr}");
        text.ShouldContain("passed, 0 failed");
    }

    /// <summary>web/ of this checkout: the directory above the test assembly that holds Wright.slnx.</summary>
    private static string WebDirectory
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Wright.slnx")))
                {
                    return Path.Combine(dir.FullName, "web");
                }
            }

            throw new InvalidOperationException("Wright.slnx not found above the test assembly.");
        }
    }

    private static async Task<(int ExitCode, string Output)> RunNodeAsync(string script, IReadOnlyDictionary<string, string> environment)
    {
        var start = new ProcessStartInfo("node")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = WebDirectory,
        };
        start.ArgumentList.Add(script);
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        using var node = Process.Start(start)!;
        var stdout = node.StandardOutput.ReadToEndAsync();
        var stderr = node.StandardError.ReadToEndAsync();
        try
        {
            await node.WaitForExitAsync().WaitAsync(BrowserRunLimit);
        }
        catch (TimeoutException)
        {
            // Ours: the node process and the Chromium it started.
            node.Kill(entireProcessTree: true);
            await node.WaitForExitAsync().Bounded();
            return (-1, $"the browser run took longer than {BrowserRunLimit}\n{await stdout}\n{await stderr}");
        }

        return (node.ExitCode, $"{await stdout}\n{await stderr}");
    }
}
