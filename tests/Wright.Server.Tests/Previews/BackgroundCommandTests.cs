using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Wright.FakeLlm;
using Wright.Server.Tests.Engine;
using Wright.Server.Tests.Infrastructure;

namespace Wright.Server.Tests.Previews;

/// <summary>
/// Dev servers the model starts with <c>run_command</c> <c>background: true</c>: listed with the
/// command that started them, previewed through the proxy, stopped; bounded; sandboxed.
/// </summary>
public sealed partial class PreviewTests
{
    private const string AutoApprove = "{ \"commandApproval\": \"auto\" }\n";

    [Fact]
    public async Task BackgroundCommand_StartedByTheModel_IsPreviewedWithItsCommand_AndStoppingItRemovesIt()
    {
        await using var kit = await EngineKit.StartAsync(new Dictionary<string, string> { [".wright/config"] = AutoApprove, ["index.html"] = "<h1>SERVED-BY-THE-MODEL</h1>" });
        var python = File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
        kit.Fake.Enqueue(EngineKit.Calls(("run_command", new { program = python, args = new[] { "-u", "-m", "http.server", "0", "--bind", "127.0.0.1" }, background = true })), FakeReply.Text("It runs."));

        var answer = await kit.PostAsync("Serve the site");

        var result = answer.OfType("toolResult").Single();
        var output = result.String("output");
        output.ShouldContain("Started in the background as ");
        var commandId = Guid.Parse(BackgroundId().Match(output).Groups[1].Value);
        // The tool returns once the program listens or prints its port, whichever it sees first
        // (python binds before it prints): the port is in one of the two.
        var said = ListensOnPort().Match(output) is { Success: true } listens ? listens : ServingPort().Match(output);
        said.Success.ShouldBeTrue(output);
        var port = int.Parse(said.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        answer.StopReason().ShouldBe("completed");

        // It outlives the answer: listed as the project's command, and in the previews with it.
        var commands = await kit.Client.GetFromJsonAsync<JsonElement>($"/api/projects/{kit.Project.Id}/commands").Bounded();
        var listed = commands.GetProperty("items").EnumerateArray().Single();
        listed.GetProperty("id").GetGuid().ShouldBe(commandId);
        listed.GetProperty("running").GetBoolean().ShouldBeTrue();
        listed.GetProperty("ports").EnumerateArray().Select(p => p.GetInt32()).ShouldContain(port);
        var previews = await kit.Client.GetFromJsonAsync<JsonElement>($"/api/projects/{kit.Project.Id}/previews").Bounded();
        var item = previews.GetProperty("items").EnumerateArray().Single(i => i.GetProperty("port").GetInt32() == port);
        item.GetProperty("source").GetString().ShouldBe("command");
        item.GetProperty("commandId").GetGuid().ShouldBe(commandId);
        item.GetProperty("command").GetString().ShouldBe($"{python} -u -m http.server 0 --bind 127.0.0.1");
        item.GetProperty("listening").GetBoolean().ShouldBeTrue();

        using var browser = PreviewBrowser(kit.Harness.Server);
        var origin = await OpenAsync(kit.Client, browser, item.GetProperty("url").GetString()!);
        (await browser.GetStringAsync(new Uri(origin, "/index.html")).Bounded()).ShouldContain("SERVED-BY-THE-MODEL");

        using var stop = await kit.Client.PostAsync($"/api/projects/{kit.Project.Id}/commands/{commandId}:stop", null).Bounded();
        stop.StatusCode.ShouldBe(HttpStatusCode.OK);
        var stopped = await stop.Content.ReadFromJsonAsync<JsonElement>().Bounded();
        stopped.GetProperty("running").GetBoolean().ShouldBeFalse();
        stopped.GetProperty("stopped").GetBoolean().ShouldBeTrue();
        stopped.GetProperty("output").GetString()!.ShouldContain("GET /index.html");
        var after = await kit.Client.GetFromJsonAsync<JsonElement>($"/api/projects/{kit.Project.Id}/previews").Bounded();
        after.GetProperty("items").EnumerateArray().ShouldNotContain(i => i.GetProperty("port").GetInt32() == port);
        ProcessExists(stopped.GetProperty("pid").GetInt32()).ShouldBeFalse();
    }

    [Fact]
    public async Task BackgroundCommands_AreBoundedInNumberAndOutput_StoppedByTheModel_AndEndWithTheirProject()
    {
        await using var kit = await EngineKit.StartAsync(
            new Dictionary<string, string> { [".wright/config"] = AutoApprove },
            new Dictionary<string, string?> { ["Wright:Commands:MaxPerProject"] = "1", ["Wright:Commands:OutputChars"] = "1000", ["Wright:Commands:StartWait"] = "00:00:00.200" });
        kit.Fake.Enqueue(
            EngineKit.Calls(
                ("run_command", new { program = "sh", args = new[] { "-c", "head -c 100000 /dev/zero | tr \"\\\\000\" x; exec sleep 60" }, background = true }),
                ("run_command", new { program = "sleep", args = new[] { "60" }, background = true })),
            FakeReply.Text("One of them runs."));

        var answer = await kit.PostAsync("Start two watchers");

        var results = answer.OfType("toolResult").ToList();
        results[0].String("output").ShouldContain("Started in the background as ");
        results[1].Json.GetProperty("code").GetString().ShouldBe("background_command_limit");
        var commandId = Guid.Parse(BackgroundId().Match(results[0].String("output")).Groups[1].Value);
        var command = await WaitForCommandAsync(kit, commandId, c => c.GetProperty("outputChars").GetInt64() == 100_000);
        command.GetProperty("output").GetString()!.Length.ShouldBe(1000);
        var pid = command.GetProperty("pid").GetInt32();

        // The model stops it with stop_command; another answer may then start one again.
        kit.Fake.Enqueue(EngineKit.Calls(("stop_command", new { id = commandId.ToString() })), FakeReply.Text("Stopped."));
        var stopAnswer = await kit.PostAsync("Stop it");
        stopAnswer.OfType("toolResult").Single().String("output").ShouldStartWith("Stopped.");
        ProcessExists(pid).ShouldBeFalse();

        kit.Fake.Enqueue(EngineKit.Calls(("run_command", new { program = "sleep", args = new[] { "60" }, background = true })), FakeReply.Text("Again."));
        var again = await kit.PostAsync("Start one again");
        var secondId = Guid.Parse(BackgroundId().Match(again.OfType("toolResult").Single().String("output")).Groups[1].Value);
        var second = await WaitForCommandAsync(kit, secondId, c => c.GetProperty("running").GetBoolean());

        using var deleted = await kit.Client.DeleteAsync($"/api/projects/{kit.Project.Id}").Bounded();
        deleted.StatusCode.ShouldBe(HttpStatusCode.NoContent);
        ProcessExists(second.GetProperty("pid").GetInt32()).ShouldBeFalse();
    }

    [Fact]
    public async Task BackgroundCommand_InTheSandbox_CannotReadTheDataDirectory_AndAStrangerSeesNothing()
    {
        await using var kit = await EngineKit.StartAsync(new Dictionary<string, string> { [".wright/config"] = AutoApprove });
        new Wright.Core.Sandbox.CommandSandbox(new Wright.Core.Sandbox.SandboxOptions()).IsAvailable.ShouldBeTrue("bubblewrap must work here (the sandbox tests need it)");

        var keys = Path.Combine(kit.Harness.Server.DataDir, "keys");
        Directory.CreateDirectory(keys);
        await File.WriteAllTextAsync(Path.Combine(keys, "background.key"), "KEY-MATERIAL-NEVER-SEEN");
        kit.Fake.Enqueue(EngineKit.Calls(("run_command", new { program = "sh", args = new[] { "-c", $"cat {keys}/background.key; echo CAT-EXIT-$?" }, background = true })), FakeReply.Text("ok"));

        var answer = await kit.PostAsync("Read the key in the background");

        var output = answer.OfType("toolResult").Single().String("output");
        output.ShouldNotContain("KEY-MATERIAL-NEVER-SEEN");
        output.ShouldContain("CAT-EXIT-1");
        var listed = (await kit.Client.GetFromJsonAsync<JsonElement>($"/api/projects/{kit.Project.Id}/commands").Bounded()).GetProperty("items").EnumerateArray().Single();
        listed.GetProperty("sandboxed").GetBoolean().ShouldBeTrue();

        var (stranger, _) = await kit.Harness.Server.CreateUserClientAsync("stranger");
        using var strangerList = await stranger.GetAsync($"/api/projects/{kit.Project.Id}/commands").Bounded();
        await strangerList.ShouldBeProblemAsync(HttpStatusCode.NotFound, "project_not_found");
        using var strangerStop = await stranger.PostAsync($"/api/projects/{kit.Project.Id}/commands/{listed.GetProperty("id").GetGuid()}:stop", null).Bounded();
        await strangerStop.ShouldBeProblemAsync(HttpStatusCode.NotFound, "project_not_found");
        using var unknown = await kit.Client.GetAsync($"/api/projects/{kit.Project.Id}/commands/{Guid.NewGuid()}").Bounded();
        await unknown.ShouldBeProblemAsync(HttpStatusCode.NotFound, "background_command_not_found");
    }

    /// <summary>Polls the command (its output arrives on its own schedule) until <paramref name="done"/>, within the test timeout.</summary>
    private static async Task<JsonElement> WaitForCommandAsync(EngineKit kit, Guid commandId, Func<JsonElement, bool> done)
    {
        var deadline = DateTime.UtcNow + TestTimeouts.Default;
        while (true)
        {
            var command = await kit.Client.GetFromJsonAsync<JsonElement>($"/api/projects/{kit.Project.Id}/commands/{commandId}").Bounded();
            if (done(command))
            {
                return command;
            }

            DateTime.UtcNow.ShouldBeLessThan(deadline, $"The command never got there: {command}");
            await Task.Delay(50);
        }
    }

    /// <summary>True while the process lives (a zombie waiting to be reaped counts as gone).</summary>
    private static bool ProcessExists(int pid)
    {
        try
        {
            return !File.ReadAllText($"/proc/{pid}/stat").Contains(") Z ", StringComparison.Ordinal);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    [GeneratedRegex(@"Started in the background as ([0-9a-f-]{36})")]
    private static partial Regex BackgroundId();

    [GeneratedRegex(@"It listens on port (\d+)")]
    private static partial Regex ListensOnPort();
}
