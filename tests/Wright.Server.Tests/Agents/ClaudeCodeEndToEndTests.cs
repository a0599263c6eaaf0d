using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Wright.Core.Agents;
using Wright.Core.Llm;
using Wright.FakeLlm;
using Wright.Server.Tests.Cli;
using Wright.Server.Tests.Events;
using Wright.Server.Tests.Git;
using Wright.Server.Tests.Infrastructure;

namespace Wright.Server.Tests.Agents;

/// <summary>
/// The real Claude Code CLI (npm @anthropic-ai/claude-code, its native linux-x64 binary, installed
/// by scripts/install-test-tools.sh) in -p mode against the fake Anthropic server, reporting to a
/// real Wright server through the hooks `wright hooks install` and `wright start` set up.
/// </summary>
public sealed class ClaudeCodeEndToEndTests
{
    private const string Model = "claude-sonnet-4-5-20250929";

    private static readonly FakeUsage ToolUsage = new(120, 30, CacheReadTokens: 1000, CacheWriteTokens: 200);
    private static readonly FakeUsage AnswerUsage = new(150, 12, CacheReadTokens: 1300, CacheWriteTokens: 0);

    /// <summary>The Claude Code binary: WRIGHT_TEST_CLAUDE, or the one scripts/install-test-tools.sh put under .tools/.</summary>
    public static string ClaudeBinary
    {
        get
        {
            var configured = Environment.GetEnvironmentVariable("WRIGHT_TEST_CLAUDE");
            var path = string.IsNullOrEmpty(configured)
                ? Path.Combine(RepositoryRoot, ".tools", "claude-code", "node_modules", "@anthropic-ai", "claude-code-linux-x64", "claude")
                : configured;
            path = Path.GetFullPath(path);
            File.Exists(path).ShouldBeTrue($"Claude Code is not installed at {path}: run scripts/install-test-tools.sh (scripts/test.sh does) or set WRIGHT_TEST_CLAUDE.");
            return path;
        }
    }

    private static string RepositoryRoot
    {
        get
        {
            var directory = new DirectoryInfo(AppContext.BaseDirectory);
            while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Wright.slnx")))
            {
                directory = directory.Parent;
            }

            return directory!.FullName;
        }
    }

    [Fact]
    public async Task HooksInstall_ThenAPromptThatUsesATool_ShowsTheAgentItsTaskTurnsAndCost()
    {
        var claude = ClaudeBinary;
        await using var kit = await AgentKit.StartAsync();
        await using var fake = await FakeLlmServer.StartAsync();
        using var project = new TempDirectory("wright-claude-project");
        await GitCli.RunAsync(project.Path, "init", "-q");
        fake.Fallback = FakeReply.Text("ok") with { Usage = new FakeUsage(0, 0), Model = Model };

        var install = await WrightProcess.RunAsync(kit.Home.Path, ["hooks", "install", "--project", project.Path, "--url", kit.Server.BaseAddress.ToString(), "--token", kit.HooksToken]);
        install.ExitCode.ShouldBe(0, install.Stderr);

        await using var feed = await SseStream.OpenAsync(kit.Server.Client, "/api/agents/events");
        await feed.WaitForPositionAsync();
        ScriptToolThenAnswer(fake, project.Combine("hello.txt"));
        var run = await RunClaudeAsync(claude, project.Path, kit.Home.Path, fake, ["-p", "create hello.txt", "--permission-mode", "acceptEdits", "--model", Model]);
        run.ExitCode.ShouldBe(0, run.Output);
        File.Exists(project.Combine("hello.txt")).ShouldBeTrue(run.Output);

        // The transcript is read after Stop (with retries): wait for its usage on the live feed.
        try
        {
            await WaitForEventAsync(feed, m => m.Event == "agent.usage" && m.Json.GetProperty("agent").GetProperty("usage").GetProperty("outputTokens").GetInt64() >= ToolUsage.OutputTokens + AnswerUsage.OutputTokens);
        }
        catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
        {
            var transcripts = Directory.GetFiles(kit.Home.Combine(".claude"), "*.jsonl", SearchOption.AllDirectories);
            throw new TimeoutException($"no usage: {await kit.GetJsonAsync("/api/agents")}\n{string.Join("\n", transcripts.Select(f => f + ": " + File.ReadAllText(f)[..Math.Min(3000, File.ReadAllText(f).Length)]))}", ex);
        }

        var agent = await kit.OnlyAgentAsync();
        agent.GetProperty("kind").GetString().ShouldBe(AgentKinds.ClaudeCode);
        agent.GetProperty("project").GetProperty("path").GetString().ShouldBe(project.Path);
        var detail = await kit.GetJsonAsync($"/api/agents/{agent.GetProperty("id").GetString()}");
        AgentKit.StateMoves(detail).ShouldBe(["Idle>Commanded", "Commanded>Processing", "Processing>Complete"], detail.ToString());
        detail.GetProperty("turns").EnumerateArray().Select(t => $"{t.GetProperty("actor").GetString()}:{t.GetProperty("intent").GetString()}").ShouldBe(["user:command", "agent:completion"]);
        detail.GetProperty("turns")[0].GetProperty("text").GetString().ShouldBe("create hello.txt");
        var hookTypes = detail.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("type").GetString()).ToList();
        hookTypes.ShouldContain("PreToolUse");
        hookTypes.ShouldContain("PostToolUse");
        hookTypes.ShouldContain("SessionEnd");

        var catalog = ModelCatalog.Seeded;
        var expected = Price(catalog, ToolUsage) + Price(catalog, AnswerUsage);
        var usage = agent.GetProperty("usage");
        usage.GetProperty("cost").GetDecimal().ShouldBe(expected);
        usage.GetProperty("outputTokens").GetInt64().ShouldBe(ToolUsage.OutputTokens + AnswerUsage.OutputTokens);
        usage.GetProperty("cacheReadTokens").GetInt64().ShouldBe(ToolUsage.CacheReadTokens + AnswerUsage.CacheReadTokens);
        detail.GetProperty("tasks")[0].GetProperty("usage").GetProperty("cost").GetDecimal().ShouldBe(expected);
    }

    [Fact]
    public async Task WrightStart_RegistersTheAgent_AndEndsItWhenClaudeExits()
    {
        var claude = ClaudeBinary;
        await using var kit = await AgentKit.StartAsync();
        await using var fake = await FakeLlmServer.StartAsync();
        fake.Fallback = FakeReply.Text("hello") with { Model = Model };

        var run = await WrightProcess.RunAsync(
            kit.Home.Path,
            ["start", "--name", "e2e", "--url", kit.Server.BaseAddress.ToString(), "--token", kit.HooksToken, "--", claude, "-p", "say hello", "--model", Model],
            ClaudeEnvironment(kit.Home.Path, fake));

        run.ExitCode.ShouldBe(0, run.Stderr + run.Stdout);
        run.Stdout.ShouldContain("hello");
        var agent = await kit.OnlyAgentAsync();
        agent.GetProperty("name").GetString().ShouldBe("e2e", run.Stderr + agent);
        agent.GetProperty("sessionUuid").ValueKind.ShouldBe(JsonValueKind.String);
        agent.GetProperty("agentSessionId").ValueKind.ShouldBe(JsonValueKind.String, "the hooks linked Claude Code's session id");
        agent.GetProperty("ended").GetBoolean().ShouldBeTrue();
        agent.GetProperty("state").GetString().ShouldBe("idle");
        var detail = await kit.GetJsonAsync($"/api/agents/{agent.GetProperty("id").GetString()}");
        var types = detail.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("type").GetString()).ToList();
        types.ShouldContain("Registered");
        types.ShouldContain("UserPromptSubmit");
        types.ShouldContain("Stop");
        types.ShouldContain("Exited");
    }

    [Fact]
    public async Task WithTheServerStopped_ClaudeExitsTheSame_AndAtMostOneSecondLater()
    {
        var claude = ClaudeBinary;
        await using var fake = await FakeLlmServer.StartAsync();
        fake.Fallback = FakeReply.Text("fine") with { Model = Model };
        using var home = new TempDirectory("wright-home");
        using var plain = new TempDirectory("wright-claude-plain");
        using var hooked = new TempDirectory("wright-claude-hooked");

        // A port that was just free: nothing listens there.
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var deadUrl = $"http://127.0.0.1:{((System.Net.IPEndPoint)listener.LocalEndpoint).Port}/";
        listener.Stop();
        var install = await WrightProcess.RunAsync(home.Path, ["hooks", "install", "--project", hooked.Path, "--url", deadUrl, "--token", "wright_pat_unused"]);
        install.ExitCode.ShouldBe(0, install.Stderr);

        // Warm up (first start of the binary reads it from disk), then three runs each, alternating;
        // the fastest of each is compared, so a moment of load on a shared machine is not taken for
        // the hooks' cost (a hook that waits on the dead server adds to every run, the fastest too).
        await RunClaudeAsync(claude, plain.Path, home.Path, fake, ["-p", "hi", "--model", Model]);
        var withoutRuns = new List<(int ExitCode, string Output, TimeSpan Elapsed)>();
        var withRuns = new List<(int ExitCode, string Output, TimeSpan Elapsed)>();
        for (var i = 0; i < 3; i++)
        {
            withoutRuns.Add(await RunClaudeAsync(claude, plain.Path, home.Path, fake, ["-p", "hi", "--model", Model]));
            withRuns.Add(await RunClaudeAsync(claude, hooked.Path, home.Path, fake, ["-p", "hi", "--model", Model]));
        }

        foreach (var (without, with) in withoutRuns.Zip(withRuns))
        {
            with.ExitCode.ShouldBe(without.ExitCode);
            with.ExitCode.ShouldBe(0, with.Output);
        }

        var fastestWithout = withoutRuns.Min(r => r.Elapsed);
        var fastestWith = withRuns.Min(r => r.Elapsed);
        (fastestWith - fastestWithout).ShouldBeLessThan(TimeSpan.FromSeconds(1), $"with hooks {string.Join(", ", withRuns.Select(r => r.Elapsed))}; without {string.Join(", ", withoutRuns.Select(r => r.Elapsed))}");
    }

    private static decimal Price(IReadOnlyDictionary<string, ModelInfo> catalog, FakeUsage usage) =>
        catalog[$"anthropic/{Model}"].CostOf(usage.InputTokens + usage.CacheReadTokens + usage.CacheWriteTokens, usage.OutputTokens, usage.CacheReadTokens, usage.CacheWriteTokens);

    private static void ScriptToolThenAnswer(FakeLlmServer fake, string file)
    {
        var input = JsonSerializer.Serialize(new { file_path = file, content = "hello world\n" });
        fake.Enqueue(
            new FakeReply { ToolCalls = [new FakeToolCall("toolu_01", "Write", input)], Usage = ToolUsage, Model = Model },
            FakeReply.Text("Created hello.txt.") with { Usage = AnswerUsage, Model = Model });
    }

    private static Dictionary<string, string> ClaudeEnvironment(string home, FakeLlmServer fake) => new()
    {
        ["HOME"] = home,
        ["ANTHROPIC_BASE_URL"] = fake.AnthropicBaseUrl,
        ["ANTHROPIC_API_KEY"] = "test-key",
        ["DISABLE_AUTOUPDATER"] = "1",
        ["CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC"] = "1",
        ["DISABLE_TELEMETRY"] = "1",
    };

    private static async Task<(int ExitCode, string Output, TimeSpan Elapsed)> RunClaudeAsync(string claude, string cwd, string home, FakeLlmServer fake, string[] arguments)
    {
        var start = new ProcessStartInfo(claude) { WorkingDirectory = cwd, RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("WRIGHT_", StringComparison.Ordinal) || k.StartsWith("ANTHROPIC_", StringComparison.Ordinal) || k.StartsWith("CLAUDE", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(key);
        }

        foreach (var (key, value) in ClaudeEnvironment(home, fake))
        {
            start.Environment[key] = value;
        }

        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(90));
        }
        catch (TimeoutException)
        {
            // Ours, started above: end it and report what it said.
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"claude did not exit: {await stdout} {await stderr}");
        }

        clock.Stop();
        return (process.ExitCode, await stdout + await stderr, clock.Elapsed);
    }

    private static async Task WaitForEventAsync(SseStream feed, Func<SseMessage, bool> match)
    {
        var seen = new List<string>();
        using var timeout = new CancellationTokenSource(TestTimeouts.Default);
        while (!timeout.IsCancellationRequested)
        {
            var message = await feed.NextEventAsync();
            seen.Add(message.ToString());
            if (match(message))
            {
                return;
            }
        }

        throw new TimeoutException("The expected event did not come: " + string.Join("\n", seen));
    }
}
