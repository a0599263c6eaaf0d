using Wright.FakeLlm;
using Wright.Server.Tests.Cli;
using Wright.Server.Tests.Engine;
using Wright.Server.Tests.Git;
using Wright.Server.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Wright.Server.Tests.Web;

/// <summary>
/// Split editors, scaffolding from a description and a clone with progress, driven in Chromium by
/// web/e2e/web9.mjs against a real `wright serve` and the loopback fake model: two editor groups
/// share one model and one save, a tab is dragged across, a reload restores the groups; a project
/// described in the New project dialog is scaffolded by the model (the scaffold tool) with its
/// commits in History; a clone of a local bare repository shows its progress and opens.
/// </summary>
public sealed class SplitScaffoldCloneBrowserTests(ITestOutputHelper output)
{
    private const string Chromium = "/usr/bin/chromium";
    private static readonly TimeSpan BrowserRunLimit = TimeSpan.FromMinutes(4);

    [BrowserFact]
    public async Task Workbench_SplitEditorsScaffoldAndCloneInChromium_AllPass()
    {
        await using var fake = await FakeLlmServer.StartAsync();
        fake.Enqueue(
            EngineKit.Calls(("scaffold", new { name = "health-api", description = "A Node HTTP API with a health endpoint", template = "node-api" })),
            EngineKit.Calls(("edit_file", new { path = "src/index.js", old_text = "  res.writeHead(404,", new_text = "  if (req.url === '/version') {\n    res.end('0.1.0');\n    return;\n  }\n  res.writeHead(404," })),
            FakeReply.Text("The API is scaffolded and answers /version."));
        fake.Fallback = FakeReply.Text("(no more scripted replies)");

        using var home = new TempDirectory("wright-web9-e2e");
        var source = await BareRepositoryAsync(home.Combine("source"), files: 4000);
        var environment = new Dictionary<string, string> { ["WRIGHT_DEFAULT_MODEL"] = "openai/gpt-4o-mini" };
        await using var wright = WrightProcess.Start(home.Path, ["serve", "--port", "0", "--data-dir", home.Combine("data")], environment);
        var setupLine = await wright.WaitForLineAsync(l => l.Contains("/setup?token=", StringComparison.Ordinal));
        var setupUrl = setupLine[setupLine.IndexOf("http", StringComparison.Ordinal)..].Split(' ')[0];

        var (exitCode, text) = await BrowserScript.RunAsync(
            Path.Combine(BrowserScript.WebDirectory, "e2e", "web9.mjs"),
            new Dictionary<string, string>
            {
                ["WRIGHT_SETUP_URL"] = setupUrl,
                ["WRIGHT_FAKE_OPENAI"] = fake.OpenAiEndpoint.ToString(),
                ["CLONE_SOURCE"] = source,
                ["E2E_OUT"] = Environment.GetEnvironmentVariable("WEB9_SHOTS") ?? Path.Combine(BrowserScript.WebDirectory, "e2e", "out", "web9"),
                ["CHROMIUM_PATH"] = Chromium,
            },
            BrowserRunLimit);

        output.WriteLine(text);
        exitCode.ShouldBe(0, $"{text}\nserver stdout:\n{wright.Stdout}\nserver stderr:\n{wright.Stderr}");
        text.ShouldContain("passed, 0 failed");
    }

    /// <summary>A bare repository of <paramref name="files"/> distinct files in ten directories (dir0…dir9): enough objects for git to report progress.</summary>
    private static async Task<string> BareRepositoryAsync(string root, int files)
    {
        var work = Path.Combine(root, "work");
        Directory.CreateDirectory(work);
        await GitCli.RunAsync(work, "init", "--quiet", "-b", "main");
        for (var i = 0; i < files; i++)
        {
            var directory = Path.Combine(work, $"dir{i % 10}");
            Directory.CreateDirectory(directory);
            await File.WriteAllTextAsync(Path.Combine(directory, $"file{i:D4}.txt"), $"file {i}\n{Guid.NewGuid()}\n{Guid.NewGuid()}\n");
        }

        await GitCli.RunAsync(work, "add", "--all");
        await GitCli.RunAsync(work, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "--quiet", "-m", "files");
        var bare = Path.Combine(root, "source.git");
        await GitCli.RunAsync(root, "clone", "--quiet", "--bare", work, bare);
        return bare;
    }
}
