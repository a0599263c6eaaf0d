using System.Diagnostics;
using System.Text;
using Wright.FakeLlm;
using Wright.Server.Tests.Cli;
using Wright.Server.Tests.Engine;
using Wright.Server.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Wright.Server.Tests.Web;

/// <summary>
/// More of the workbench in Chromium (web/e2e/more.mjs): the branch map, prompt views and
/// templates, the session list, push and pull with a local bare repository as the remote, access
/// tokens that live six seconds, and a server restart (same data dir and port) while an edit is
/// unsaved. The test owns the server: the script asks for the restart on stdout (`@@stop`,
/// `@@start`) and is answered on stdin once it is done.
/// </summary>
public sealed class WorkbenchMoreBrowserTests(ITestOutputHelper output)
{
    private const string Chromium = "/usr/bin/chromium";
    private static readonly TimeSpan BrowserRunLimit = TimeSpan.FromMinutes(5);

    [BrowserFact]
    public async Task Workbench_BranchMapRemotesRefreshAndRestart_AllPass()
    {
        await using var fake = await FakeLlmServer.StartAsync();
        // Two prompts, then a new version of the first: notes.txt is "one", "one two", then "uno".
        fake.Enqueue(
            EngineKit.Calls(("write_file", new { path = "notes.txt", content = "one\n" })),
            FakeReply.Text("Added notes."),
            EngineKit.Calls(("write_file", new { path = "notes.txt", content = "one\ntwo\n" })),
            FakeReply.Text("Extended."),
            EngineKit.Calls(("write_file", new { path = "notes.txt", content = "uno\n" })),
            FakeReply.Text("Notas."));
        fake.Fallback = FakeReply.Text("(no more scripted replies)");

        using var home = new TempDirectory("wright-web-more");
        var bare = home.Combine("remote.git");
        var init = await RunAsync("git", home.Path, "init", "--quiet", "--bare", bare);
        init.ShouldBe(0);

        var environment = new Dictionary<string, string>
        {
            ["WRIGHT_DEFAULT_MODEL"] = "openai/gpt-4o-mini",
            ["Wright__Accounts__AccessTokenLifetime"] = "00:00:06",
        };
        var dataDir = home.Combine("data");
        WrightProcess? wright = WrightProcess.Start(home.Path, ["serve", "--port", "0", "--data-dir", dataDir], environment);
        try
        {
            var setupLine = await wright!.WaitForLineAsync(l => l.Contains("/setup?token=", StringComparison.Ordinal));
            var setupUrl = setupLine[setupLine.IndexOf("http", StringComparison.Ordinal)..].Split(' ')[0];
            var port = new Uri(setupUrl).Port.ToString(System.Globalization.CultureInfo.InvariantCulture);

            var start = new ProcessStartInfo("node")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                RedirectStandardInput = true,
                UseShellExecute = false,
                WorkingDirectory = BrowserScript.WebDirectory,
            };
            start.ArgumentList.Add(Path.Combine(BrowserScript.WebDirectory, "e2e", "more.mjs"));
            start.Environment["WRIGHT_SETUP_URL"] = setupUrl;
            start.Environment["WRIGHT_FAKE_OPENAI"] = fake.OpenAiEndpoint.ToString();
            start.Environment["BARE_REPO"] = bare;
            start.Environment["E2E_OUT"] = Path.Combine(BrowserScript.WebDirectory, "e2e", "out");
            start.Environment["CHROMIUM_PATH"] = Chromium;

            using var node = Process.Start(start)!;
            var text = new StringBuilder();
            var stderr = node.StandardError.ReadToEndAsync();
            using var limit = new CancellationTokenSource(BrowserRunLimit);
            try
            {
                while (await node.StandardOutput.ReadLineAsync(limit.Token) is { } line)
                {
                    text.AppendLine(line);
                    if (line == "@@stop")
                    {
                        wright!.Signal(WrightProcess.SigTerm);
                        (await wright.WaitForExitAsync()).ShouldBe(0, wright.Stderr);
                        await wright.DisposeAsync();
                        wright = null;
                        await node.StandardInput.WriteLineAsync("@@stopped");
                        await node.StandardInput.FlushAsync(limit.Token);
                    }
                    else if (line == "@@start")
                    {
                        wright = WrightProcess.Start(home.Path, ["serve", "--port", port, "--data-dir", dataDir], environment);
                        await wright.WaitForUrlAsync();
                        await node.StandardInput.WriteLineAsync("@@started");
                        await node.StandardInput.FlushAsync(limit.Token);
                    }
                }

                await node.WaitForExitAsync(limit.Token);
            }
            catch (OperationCanceledException) when (limit.IsCancellationRequested)
            {
                // Ours: the node process and the Chromium it started.
                node.Kill(entireProcessTree: true);
                await node.WaitForExitAsync().Bounded();
                text.AppendLine($"the browser run took longer than {BrowserRunLimit}");
            }

            text.AppendLine(await stderr);
            output.WriteLine(text.ToString());
            node.ExitCode.ShouldBe(0, $"{text}\nserver stdout:\n{wright?.Stdout}\nserver stderr:\n{wright?.Stderr}");
            text.ToString().ShouldContain("passed, 0 failed");
        }
        finally
        {
            if (wright is not null)
            {
                await wright.DisposeAsync();
            }
        }
    }


    private static async Task<int> RunAsync(string file, string directory, params string[] arguments)
    {
        var start = new ProcessStartInfo(file) { WorkingDirectory = directory, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        await process.WaitForExitAsync().Bounded();
        return process.ExitCode;
    }
}
