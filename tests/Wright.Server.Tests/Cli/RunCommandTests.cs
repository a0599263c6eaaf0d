using System.Text.Json;
using Wright.FakeLlm;
using Wright.Server.Tests.Git;
using Wright.Server.Tests.Infrastructure;

namespace Wright.Server.Tests.Cli;

/// <summary>`wright run` as a real child process against the fake provider and a real git repository.</summary>
public sealed class RunCommandTests
{
    private const string Model = "openai/gpt-4o-mini";

    [Fact]
    public async Task Run_ToolCallingAnswer_CommitsPrintsTheCommitAndCost_ExitsZero()
    {
        using var home = new TempDirectory("wright-run");
        await using var fake = await FakeLlmServer.StartAsync().Bounded();
        var project = await GitCli.CreateRepositoryAsync(home.Path, "proj");
        fake.Enqueue(
            new FakeReply { ToolCalls = [new FakeToolCall("call_1", "write_file", """{"path":"health.md","content":"ok\n"}""")], Usage = new FakeUsage(1000, 50) },
            FakeReply.Text("Added health.md."));

        var (exitCode, stdout, stderr) = await WrightProcess.RunAsync(home.Path, ["run", "--project", project, "--model", Model, "--format", "json", "Add a health file"], Environment(home, fake));

        exitCode.ShouldBe(0, stderr);
        var result = JsonDocument.Parse(stdout.Trim().Split('\n')[^1]).RootElement;
        result.GetProperty("type").GetString().ShouldBe("result");
        var head = await GitCli.HeadAsync(project);
        result.GetProperty("commits").EnumerateArray().Single().GetString().ShouldBe(head);
        result.GetProperty("cost").GetDecimal().ShouldBeGreaterThan(0m);
        (await File.ReadAllTextAsync(Path.Combine(project, "health.md"))).ShouldBe("ok\n");
        (await GitCli.RunAsync(project, "log", "-1", "--format=%B")).ShouldContain("Prompt: Add a health file");

        // A second run in text mode finds the registered project and continues.
        fake.Enqueue(FakeReply.Text("health.md\n```\n<<<<<<< SEARCH\nok\n=======\nfine\n>>>>>>> REPLACE\n```\n"));
        var (again, text, progress) = await WrightProcess.RunAsync(home.Path, ["run", "-p", project, "-m", Model, "Say fine"], Environment(home, fake));
        again.ShouldBe(0, progress);
        text.ShouldContain("<<<<<<< SEARCH");
        progress.ShouldContain($"Committed {(await GitCli.HeadAsync(project))[..12]}");
        progress.ShouldContain("Cost:");
        (await File.ReadAllTextAsync(Path.Combine(project, "health.md"))).ShouldBe("fine\n");
    }

    [Fact]
    public async Task Run_NewProjectWhenAnAdminExists_IsTheAdminsInTheServer()
    {
        using var home = new TempDirectory("wright-run");
        await using var fake = await FakeLlmServer.StartAsync().Bounded();
        var project = await GitCli.CreateRepositoryAsync(home.Path, "proj");
        var environment = Environment(home, fake);
        var (added, _, addError) = await WrightProcess.RunAsync(home.Path, ["user", "add", "admin", "--admin", "--password-stdin"], environment, WrightTestServer.AdminPassword + "\n");
        added.ShouldBe(0, addError);
        fake.Enqueue(FakeReply.Text("Nothing to change."));

        var (exitCode, _, stderr) = await WrightProcess.RunAsync(home.Path, ["run", "--project", project, "--model", Model, "Look around"], environment);

        exitCode.ShouldBe(0, stderr);
        await using var server = WrightProcess.Start(home.Path, ["serve", "--port", "0"], environment);
        using var client = new HttpClient { BaseAddress = await server.WaitForUrlAsync(), Timeout = TestTimeouts.Default };
        await WrightTestServer.LogInAsAdminAsync(client);
        var projects = await client.GetStringAsync("/api/projects").Bounded();
        projects.ShouldContain(JsonEncodedText.Encode(project).ToString());
        server.Signal(WrightProcess.SigTerm);
        (await server.WaitForExitAsync()).ShouldBe(0);
    }

    [Fact]
    public async Task Run_AnswerWhoseChangesCannotBeApplied_RestoresTheWorkspace_ExitsOne()
    {
        using var home = new TempDirectory("wright-run");
        await using var fake = await FakeLlmServer.StartAsync().Bounded();
        var project = await GitCli.CreateRepositoryAsync(home.Path, "proj");
        var head = await GitCli.HeadAsync(project);
        fake.Enqueue(FakeReply.Text("readme.md\n```\n<<<<<<< SEARCH\n# source\n=======\n# changed\n>>>>>>> REPLACE\n```\n\nreadme.md\n```\n<<<<<<< SEARCH\nnot there\n=======\nx\n>>>>>>> REPLACE\n```\n"));

        var (exitCode, _, stderr) = await WrightProcess.RunAsync(home.Path, ["run", "--project", project, "--model", Model, "Change the title"], Environment(home, fake));

        exitCode.ShouldBe(1, stderr);
        stderr.ShouldContain("could not be applied");
        (await GitCli.HeadAsync(project)).ShouldBe(head);
        (await File.ReadAllTextAsync(Path.Combine(project, "readme.md"))).ShouldBe("# source\n");
        (await GitCli.RunAsync(project, "status", "--porcelain")).ShouldBeEmpty();
    }

    [Theory]
    [InlineData("")]
    [InlineData("--format=yaml")]
    [InlineData("--approve=maybe")]
    public async Task Run_WithAUsageError_ExitsTwo(string flag)
    {
        using var home = new TempDirectory("wright-run");
        await using var fake = await FakeLlmServer.StartAsync().Bounded();
        var project = await GitCli.CreateRepositoryAsync(home.Path, "proj");
        string[] arguments = flag.Length == 0 ? ["run", "--project", project, "--model", Model, " "] : ["run", "--project", project, "--model", Model, flag, "do it"];

        var (exitCode, _, stderr) = await WrightProcess.RunAsync(home.Path, arguments, Environment(home, fake));

        exitCode.ShouldBe(2, stderr);
        fake.Requests.ShouldBeEmpty();
    }

    [Fact]
    public async Task Run_WhenTheProviderRefuses_ExitsThree()
    {
        using var home = new TempDirectory("wright-run");
        await using var fake = await FakeLlmServer.StartAsync().Bounded();
        var project = await GitCli.CreateRepositoryAsync(home.Path, "proj");
        fake.Enqueue(FakeReply.WithStatus(401, "authentication_error", "invalid x-api-key"));

        var (exitCode, _, stderr) = await WrightProcess.RunAsync(home.Path, ["run", "--project", project, "--model", Model, "Do something"], Environment(home, fake));

        exitCode.ShouldBe(3, stderr);
        stderr.ShouldContain("provider_");
    }

    private static Dictionary<string, string> Environment(TempDirectory home, FakeLlmServer fake) => new()
    {
        ["WRIGHT_HOME"] = home.Combine("data"),
        ["OPENAI_BASE_URL"] = fake.OpenAiEndpoint.ToString(),
        ["OPENAI_API_KEY"] = "sk-openai-test-key-0123456789",
        ["Llm__MaxRetries"] = "0",
    };
}
