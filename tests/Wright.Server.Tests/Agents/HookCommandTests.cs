using System.Text.Json.Nodes;
using Wright.Server.Tests.Cli;
using Wright.Server.Tests.Infrastructure;

namespace Wright.Server.Tests.Agents;

/// <summary>`wright hooks install` and `wright hook` as real processes.</summary>
public sealed class HookCommandTests
{
    private const string OtherHooks = """
        {
          "model": "opus",
          "hooks": {
            "PreToolUse": [ { "matcher": "Bash", "hooks": [ { "type": "command", "command": "./check.sh" } ] } ],
            "Stop": [ { "hooks": [ { "type": "command", "command": "notify-send done" } ] } ]
          }
        }
        """;

    [Fact]
    public async Task Install_MergesIdempotently_KeepsOtherHooks_WritesABackup_AndUninstallRemovesOnlyWrights()
    {
        using var home = new TempDirectory("wright-home");
        using var project = new TempDirectory("wright-project");
        await Git.GitCli.RunAsync(project.Path, "init", "-q");
        var file = project.Combine(".claude", "settings.local.json");
        Directory.CreateDirectory(project.Combine(".claude"));
        await File.WriteAllTextAsync(file, OtherHooks).Bounded();
        string[] install = ["hooks", "install", "--project", project.Path, "--url", "http://127.0.0.1:9/", "--token", "wright_pat_secret"];

        (await WrightProcess.RunAsync(home.Path, install)).ExitCode.ShouldBe(0);
        var once = await File.ReadAllTextAsync(file).Bounded();
        (await WrightProcess.RunAsync(home.Path, install)).ExitCode.ShouldBe(0);
        var twice = await File.ReadAllTextAsync(file).Bounded();

        twice.ShouldBe(once, "installing again changes nothing");
        var settings = JsonNode.Parse(twice)!.AsObject();
        settings["model"]!.GetValue<string>().ShouldBe("opus");
        var hooks = settings["hooks"]!.AsObject();
        hooks["PreToolUse"]!.AsArray().Count.ShouldBe(2, "the user's Bash check and Wright's");
        hooks["Stop"]!.AsArray().ToJsonString().ShouldContain("notify-send done");
        hooks["Stop"]!.AsArray().ToJsonString().ShouldContain("http://127.0.0.1:9/api/hooks/Stop");
        hooks["SessionStart"]![0]!["hooks"]![0]!["type"]!.GetValue<string>().ShouldBe("command");
        hooks["SessionStart"]![0]!["hooks"]![0]!["command"]!.GetValue<string>().ShouldNotContain("wright_pat_secret", Case.Sensitive, "the token never goes on a command line");
        (await File.ReadAllTextAsync(file + ".wright-backup").Bounded()).ShouldBe(once, "the backup is the file before the last write");
        if (!OperatingSystem.IsWindows())
        {
            File.GetUnixFileMode(file).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        (await Git.GitCli.RunAsync(project.Path, "status", "--porcelain", "--untracked-files=all")).ShouldNotContain("settings.local.json");

        var uninstall = await WrightProcess.RunAsync(home.Path, ["hooks", "install", "--project", project.Path, "--uninstall"]);
        uninstall.ExitCode.ShouldBe(0);
        JsonNode.DeepEquals(JsonNode.Parse(await File.ReadAllTextAsync(file).Bounded()), JsonNode.Parse(OtherHooks)).ShouldBeTrue("only Wright's hooks are removed");
    }

    [Fact]
    public async Task Install_OnAFileThatIsNotJson_RefusesAndChangesNothing()
    {
        using var home = new TempDirectory("wright-home");
        var file = Path.Combine(home.Path, ".claude", "settings.json");
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        await File.WriteAllTextAsync(file, "{ broken").Bounded();

        var run = await WrightProcess.RunAsync(home.Path, ["hooks", "install", "--user", "--url", "http://127.0.0.1:9/", "--token", "t"]);

        run.ExitCode.ShouldBe(1);
        run.Stderr.ShouldContain("not valid JSON");
        (await File.ReadAllTextAsync(file).Bounded()).ShouldBe("{ broken");
    }

    [Fact]
    public async Task Hook_WithTheServerDown_ExitsZero_AndPrintsNothing()
    {
        using var home = new TempDirectory("wright-home");
        var run = await WrightProcess.RunAsync(home.Path, ["hook", "SessionStart", "--url", "http://127.0.0.1:9/"], new Dictionary<string, string> { ["WRIGHT_TOKEN"] = "t" }, stdin: "{\"session_id\":\"s\"}");

        run.ExitCode.ShouldBe(0);
        run.Stdout.ShouldBeEmpty();
        run.Stderr.ShouldBeEmpty();
    }

    [Fact]
    public async Task Hook_PostsThePayload_WithTheSessionHeader_AndTheTokenFile()
    {
        await using var kit = await AgentKit.StartAsync();
        var tokenFile = kit.Home.Combine(".wright", "hooks-token");
        Directory.CreateDirectory(Path.GetDirectoryName(tokenFile)!);
        await File.WriteAllTextAsync(tokenFile, kit.HooksToken + "\n").Bounded();
        var uuid = Guid.NewGuid();
        var payload = await File.ReadAllTextAsync(AgentKit.Fixture("captured-2.1.329/SessionStart.json")).Bounded();

        // A first hook warms the server: the command's budget is one second, a cold server's first answer may take longer.
        using (await AgentKit.PostHookAsync(kit.Hooks, "SessionStart", "{\"session_id\":\"warm-up\",\"cwd\":\"/tmp\"}"))
        {
        }

        var run = await WrightProcess.RunAsync(kit.Home.Path, ["hook", "SessionStart", "--url", kit.Server.BaseAddress.ToString()], new Dictionary<string, string> { ["WRIGHT_SESSION_ID"] = uuid.ToString() }, stdin: payload);

        run.ExitCode.ShouldBe(0);
        run.Stdout.ShouldBeEmpty();
        var page = await kit.GetJsonAsync("/api/agents");
        var agent = page.GetProperty("items").EnumerateArray().Single(a => a.GetProperty("sessionUuid").GetString() == uuid.ToString());
        agent.GetProperty("agentSessionId").GetString().ShouldBe("e4e96284-6a1f-45c6-a94d-1445ba41aca1");
    }
}
