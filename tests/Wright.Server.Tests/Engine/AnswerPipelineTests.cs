using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Wright.FakeLlm;
using Wright.Server.Tests.Conversations;
using Wright.Server.Tests.Infrastructure;

namespace Wright.Server.Tests.Engine;

/// <summary>The answer pipeline end to end over HTTP: the fake provider answers, real git records.</summary>
public sealed class AnswerPipelineTests
{
    private static readonly Dictionary<string, string> Files = new()
    {
        ["hello.txt"] = "Hello\nworld\n",
        ["src/app.py"] = "def greet():\n    return 'hi'\n\n\ndef farewell():\n    return 'bye'\n",
    };

    [Fact]
    public async Task ToolCallingAnswer_WritesAndEdits_ProducesOneCommitWithTheSeedMessage()
    {
        await using var kit = await EngineKit.StartAsync(Files);
        kit.Fake.Enqueue(
            EngineKit.Calls(("write_file", new { path = "docs/health.md", content = "# Health\n" }), ("edit_file", new { path = "hello.txt", old_text = "world", new_text = "there" })),
            FakeReply.Text("Added the doc and changed the greeting."));
        var before = await kit.CommitCountAsync();

        var answer = await kit.PostAsync("Add a health doc\nand greet there");

        answer.Last.Event.ShouldBe("message.completed", answer.Last.Data);
        answer.StopReason().ShouldBe("completed");
        (await kit.CommitCountAsync()).ShouldBe(before + 1);
        (await kit.ReadAsync("hello.txt")).ShouldBe("Hello\nthere\n");
        (await kit.ReadAsync("docs/health.md")).ShouldBe("# Health\n");
        var message = await kit.GitAsync("log", "-1", "--format=%B");
        message.ShouldStartWith("feat(ai): [");
        message.ShouldContain("] Add a health doc\n\nAction: FILE_CHANGE\nPrompt: Add a health doc\nand greet there\n\nChanges:\n- Created docs/health.md\n- Modified hello.txt\n\nMetadata:\n- Model: openai/gpt-4o-mini\n- Temperature: default\n- Action ID: ");
        message.ShouldContain($"Wright-Session: {kit.Session}");
        message.ShouldContain($"Wright-Message: {answer.MessageId}");
        message.ShouldContain("Co-authored-by: wright (openai/gpt-4o-mini)");
        var head = (await kit.GitAsync("rev-parse", "HEAD")).Trim();
        answer.OfType("action.committed").Single().String("commit").ShouldBe(head);
        (await kit.RunAsync(answer.MessageId)).GetProperty("commit").GetString().ShouldBe(head);

        // The tool results went back to the model in the second request.
        var second = kit.Fake.Requests[1].Json!["messages"]!.AsArray();
        second.Count(m => m!["role"]!.GetValue<string>() == "tool").ShouldBe(2);
        kit.Fake.Requests[0].Json!["tools"]!.AsArray().Select(t => t!["function"]!["name"]!.GetValue<string>())
            .ShouldBe(["read_file", "list_files", "search", "write_file", "edit_file", "delete_file", "move_file", "run_command", "stop_command", "scaffold"]);
    }

    [Fact]
    public async Task SearchReplaceTextAnswer_ProducesOneCommitWithTheRightContent()
    {
        await using var kit = await EngineKit.StartAsync(Files);
        kit.Fake.Enqueue(FakeReply.Text("Here is the change.\n\nsrc/app.py\n```python\n<<<<<<< SEARCH\n    return 'hi'\n=======\n    return 'hello'\n>>>>>>> REPLACE\n```\n"));
        var before = await kit.CommitCountAsync();

        var answer = await kit.PostAsync("Make greet say hello");

        answer.OfType("action.committed").ShouldHaveSingleItem();
        (await kit.CommitCountAsync()).ShouldBe(before + 1);
        (await kit.ReadAsync("src/app.py")).ShouldBe("def greet():\n    return 'hello'\n\n\ndef farewell():\n    return 'bye'\n");
        var message = await kit.GitAsync("log", "-1", "--format=%B");
        message.ShouldContain("Action: FILE_CHANGE\nPrompt: Make greet say hello\n\nChanges:\n- Modified src/app.py\n");
        message.ShouldContain("Co-authored-by: wright (openai/gpt-4o-mini)");
    }

    [Fact]
    public async Task TextAnswer_WithOneBadEditAmongGoodOnes_ChangesNothingAndReportsTheBadOne()
    {
        await using var kit = await EngineKit.StartAsync(Files);
        kit.Fake.Enqueue(FakeReply.Text(
            "hello.txt\n```\n<<<<<<< SEARCH\nHello\n=======\nHi\n>>>>>>> REPLACE\n```\n\n" +
            "src/app.py\n```\n<<<<<<< SEARCH\n    return 'nope'\n=======\n    return 'x'\n>>>>>>> REPLACE\n```\n\n" +
            "src/app.py\n```\n<<<<<<< SEARCH\n    return 'bye'\n=======\n    return 'ciao'\n>>>>>>> REPLACE\n```\n"));
        var head = await kit.GitAsync("rev-parse", "HEAD");

        var answer = await kit.PostAsync("Change the words");

        var failure = answer.OfType("action.failed").Single().Json.GetProperty("failure");
        failure.GetProperty("code").GetString().ShouldBe("edit_no_match");
        var detail = failure.GetProperty("detail").GetString()!;
        detail.ShouldContain("1 of 3 SEARCH/REPLACE blocks failed");
        detail.ShouldContain("SEARCH/REPLACE block 2 (src/app.py)");
        detail.ShouldContain("return 'nope'");
        answer.StopReason().ShouldBe("action_failed");
        (await kit.GitAsync("rev-parse", "HEAD")).ShouldBe(head);
        (await kit.ReadAsync("hello.txt")).ShouldBe(Files["hello.txt"]);
        (await kit.ReadAsync("src/app.py")).ShouldBe(Files["src/app.py"]);
        (await kit.GitAsync("status", "--porcelain")).ShouldBeEmpty();
        var run = await kit.RunAsync(answer.MessageId);
        run.GetProperty("stopReason").GetString().ShouldBe("action_failed");
        run.GetProperty("failure").GetProperty("code").GetString().ShouldBe("edit_no_match");
        answer.FinalMessage.GetProperty("errorCode").GetString().ShouldBe("action_failed");
    }

    [Fact]
    public async Task ToolResponse_WithOneBadEdit_KeepsNoChangeOfThatResponseAndTellsTheModelTheClosestMatch()
    {
        await using var kit = await EngineKit.StartAsync(Files);
        kit.Fake.Enqueue(
            EngineKit.Calls(("write_file", new { path = "new.txt", content = "new\n" }), ("edit_file", new { path = "src/app.py", old_text = "    return 'hii'", new_text = "x" })),
            FakeReply.Text("I could not do it."));
        var head = await kit.GitAsync("rev-parse", "HEAD");

        var answer = await kit.PostAsync("Change greet");

        var results = answer.OfType("toolResult").ToList();
        results.Count.ShouldBe(2);
        results[1].Json.GetProperty("ok").GetBoolean().ShouldBeFalse();
        results[1].String("output").ShouldContain("Did you mean these lines of src/app.py");
        results[0].String("output").ShouldStartWith("Not applied");
        answer.OfType("action.committed").ShouldBeEmpty();
        (await kit.GitAsync("rev-parse", "HEAD")).ShouldBe(head);
        File.Exists(Path.Combine(kit.Root, "new.txt")).ShouldBeFalse();
    }

    [Fact]
    public async Task UserEdits_OnFilesTheAnswerChanges_AreCommittedFirstAndSurvive()
    {
        await using var kit = await EngineKit.StartAsync(Files);
        await kit.WriteAsync("hello.txt", "Hello\nworld\nmy own line\n");
        kit.Fake.Enqueue(EngineKit.Calls(("edit_file", new { path = "hello.txt", old_text = "Hello", new_text = "Hi" })), FakeReply.Text("Done."));
        var before = await kit.CommitCountAsync();

        var answer = await kit.PostAsync("Say hi");

        var committed = answer.OfType("action.committed").Single();
        committed.Json.GetProperty("userCommit").GetString().ShouldNotBeNull();
        (await kit.CommitCountAsync()).ShouldBe(before + 2);
        (await kit.GitAsync("log", "-1", "--format=%s", "HEAD~1")).ShouldStartWith("Save your edits before Wright's change");
        (await kit.GitAsync("show", "HEAD~1:hello.txt")).ShouldBe("Hello\nworld\nmy own line\n");
        (await kit.ReadAsync("hello.txt")).ShouldBe("Hi\nworld\nmy own line\n");
    }

    [Fact]
    public async Task Context_IgnoredBinaryAndSecretFiles_NeverReachTheProvider()
    {
        await using var kit = await EngineKit.StartAsync(new Dictionary<string, string>
        {
            [".gitignore"] = "ignored.txt\n",
            ["README.md"] = "# Demo\nSee notes.txt\n",
            ["notes.txt"] = "VISIBLE_MARKER\n",
        });
        await kit.WriteAsync("ignored.txt", "IGNORED_MARKER\n");
        await kit.WriteAsync(".env", "API_TOKEN=SECRET_MARKER\n");
        await kit.WriteAsync("id_rsa", "KEY_MARKER\n");
        await File.WriteAllBytesAsync(Path.Combine(kit.Root, "blob.dat"), [.. "BINARY_MARKER"u8, 0, 1, 2, 0, 255]);
        kit.Fake.Enqueue(
            EngineKit.Calls(("read_file", new { path = ".env" }), ("read_file", new { path = "ignored.txt" }), ("read_file", new { path = "blob.dat" }), ("search", new { pattern = "MARKER" }), ("list_files", new { })),
            FakeReply.Text("Nothing to do."));

        var answer = await kit.PostAsync("Look at notes.txt, .env, ignored.txt, id_rsa and blob.dat");

        answer.Last.Event.ShouldBe("message.completed", answer.Last.Data);
        kit.Fake.Requests.Count.ShouldBe(2);
        var bodies = kit.AllRequestBodies;
        bodies.ShouldContain("VISIBLE_MARKER");
        bodies.ShouldNotContain("IGNORED_MARKER");
        bodies.ShouldNotContain("SECRET_MARKER");
        bodies.ShouldNotContain("KEY_MARKER");
        bodies.ShouldNotContain("BINARY_MARKER");
        answer.OfType("toolResult").Take(3).ShouldAllBe(r => !r.Json.GetProperty("ok").GetBoolean());
    }

    [Fact]
    public async Task Context_NeverExceedsItsBudget()
    {
        var files = Enumerable.Range(0, 40).ToDictionary(i => $"src/module{i}.py", i => string.Concat(Enumerable.Range(0, 200).Select(j => $"def function_{i}_{j}(value):\n    return value + {j}\n")));
        await using var kit = await EngineKit.StartAsync(files, new Dictionary<string, string?> { ["Engine:MaxContextTokens"] = "1500" });
        kit.Fake.Enqueue(FakeReply.Text("ok"));

        var answer = await kit.PostAsync("Explain src/module1.py and src/module2.py");

        var context = answer.OfType("context").Single().Json;
        context.GetProperty("budgetTokens").GetInt32().ShouldBeLessThanOrEqualTo(1500);
        context.GetProperty("tokenCount").GetInt32().ShouldBeLessThanOrEqualTo(context.GetProperty("budgetTokens").GetInt32());
        var userContent = kit.Fake.Requests[0].Json!["messages"]!.AsArray().Last()!["content"]!.ToString();
        var contextText = userContent[..userContent.IndexOf("</context>", StringComparison.Ordinal)];
        (contextText.Length / 4.0).ShouldBeLessThanOrEqualTo(1500 * 1.05);
    }

    [Fact]
    public async Task SecondPrompt_CarriesTheChangedFiles_NotTheOverviewAgain()
    {
        await using var kit = await EngineKit.StartAsync(Files);
        kit.Fake.Enqueue(FakeReply.Text("First answer."), FakeReply.Text("Second answer."));
        var first = await kit.PostAsync("What does this project do?");
        await kit.WriteAsync("hello.txt", "Hello\nworld\nCHANGED_BY_USER\n");

        await kit.PostAsync("And now?", first.MessageId);

        var firstPrompt = kit.Fake.Requests[0].Json!["messages"]!.AsArray().Last()!["content"]!.ToString();
        var secondPrompt = kit.Fake.Requests[1].Json!["messages"]!.AsArray().Last()!["content"]!.ToString();
        firstPrompt.ShouldContain("## Project overview");
        secondPrompt.ShouldNotContain("## Project overview");
        secondPrompt.ShouldContain("Changed since the last prompt");
        secondPrompt.ShouldContain("M hello.txt");
        secondPrompt.ShouldContain("CHANGED_BY_USER");
        secondPrompt.ShouldContain("were sent with prompt 1");
    }

    [Fact]
    public async Task ModelThatKeepsCallingTools_StopsAtMaxSteps()
    {
        await using var kit = await EngineKit.StartAsync(Files, new Dictionary<string, string?> { ["Engine:MaxSteps"] = "3" });
        kit.Fake.Fallback = EngineKit.Calls(("list_files", new { }));

        var answer = await kit.PostAsync("Loop forever");

        answer.StopReason().ShouldBe("max_steps");
        kit.Fake.Requests.Count.ShouldBe(3);
        (await kit.RunAsync(answer.MessageId)).GetProperty("steps").GetInt32().ShouldBe(3);
        (await kit.Harness.UsageAsync(kit.Session)).GetProperty("requests").GetArrayLength().ShouldBe(3);
    }

    [Fact]
    public async Task ModelRepeatingTheSameFailingCall_IsStoppedAsStuck()
    {
        await using var kit = await EngineKit.StartAsync(Files);
        kit.Fake.Fallback = EngineKit.Calls(("edit_file", new { path = "hello.txt", old_text = "absent", new_text = "x" }));

        var answer = await kit.PostAsync("Edit it");

        answer.StopReason().ShouldBe("stuck");
        kit.Fake.Requests.Count.ShouldBe(3);
        answer.Events.Single(e => e.Event == "answer.stopped").Json.GetProperty("detail").GetString()!.ShouldContain("same failing call 3 times");
    }

    [Fact]
    public async Task RunCommand_UnderAsk_PausesUntilApprovedThenStreamsItsOutput()
    {
        await using var kit = await EngineKit.StartAsync(Files);
        kit.Fake.Enqueue(EngineKit.Calls(("run_command", new { program = "git", args = new[] { "--version" } })), FakeReply.Text("Git is installed."));

        await using var stream = await kit.Harness.OpenPostAsync(kit.Session, "Which git?", model: ChatHarness.OpenAiModel);
        Guid approvalId;
        var messageId = Guid.Empty;
        while (true)
        {
            var next = await stream.NextEventAsync();
            if (next.Event == "message.created")
            {
                messageId = next.Json.GetProperty("message").GetProperty("id").GetGuid();
            }

            if (next.Event == "approval.required")
            {
                next.Json.GetProperty("command").GetString().ShouldBe("git --version");
                approvalId = next.Json.GetProperty("approvalId").GetGuid();
                break;
            }
        }

        var pending = await kit.Client.GetFromJsonAsync<JsonElement>($"/api/sessions/{kit.Session}/approvals").Bounded();
        pending.EnumerateArray().Single().GetProperty("id").GetGuid().ShouldBe(approvalId);

        // The wait is part of the answer's stored state between steps.
        var waiting = await kit.RunAsync(messageId);
        waiting.GetProperty("pendingApproval").GetProperty("approvalId").GetGuid().ShouldBe(approvalId);
        waiting.GetProperty("pendingApproval").GetProperty("command").GetString().ShouldBe("git --version");
        (await kit.Client.PostAsJsonAsync($"/api/sessions/{kit.Session}/approvals/{approvalId}", new { approve = true }).Bounded()).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        var answer = await Answer.ReadAsync(stream);

        string.Concat(answer.OfType("command.output").Select(o => o.String("text"))).ShouldContain("git version");
        answer.OfType("toolResult").Single().String("output").ShouldContain("Exit code 0.");
        kit.Fake.Requests[1].Body.ShouldContain("git version");
        await (await kit.Client.PostAsJsonAsync($"/api/sessions/{kit.Session}/approvals/{approvalId}", new { approve = true }).Bounded()).ShouldBeProblemAsync(HttpStatusCode.NotFound, "approval_not_found");
    }

    [Fact]
    public async Task RunCommand_UnderDeny_NeverRunsAndTellsTheModel()
    {
        await using var kit = await EngineKit.StartAsync(new Dictionary<string, string> { [".wright/config"] = "{ \"commandApproval\": \"deny\" }\n", ["a.txt"] = "a\n" });
        kit.Fake.Enqueue(EngineKit.Calls(("run_command", new { program = "touch", args = new[] { "made.txt" } })), FakeReply.Text("ok"));

        var answer = await kit.PostAsync("Make a file");

        var result = answer.OfType("toolResult").Single();
        result.Json.GetProperty("code").GetString().ShouldBe("command_denied");
        File.Exists(Path.Combine(kit.Root, "made.txt")).ShouldBeFalse();
        answer.OfType("approval.required").ShouldBeEmpty();
    }

    [Fact]
    public async Task PromptPreview_ShowsSystemMessagesToolsAndTokens_WithoutCallingTheModel()
    {
        await using var kit = await EngineKit.StartAsync(Files);
        (await kit.Client.PutAsJsonAsync($"/api/sessions/{kit.Session}/prompt", new { content = "Answer in French for {{project.name}}." }).Bounded()).EnsureSuccessStatusCode();
        (await kit.Client.PutAsJsonAsync($"/api/sessions/{kit.Session}/prompt", new { content = "Answer in German for {{project.name}}." }).Bounded()).EnsureSuccessStatusCode();

        var preview = await kit.Client.GetFromJsonAsync<JsonElement>($"/api/sessions/{kit.Session}/prompt-preview?content={Uri.EscapeDataString("Explain hello.txt")}").Bounded();

        kit.Fake.Requests.ShouldBeEmpty();
        preview.GetProperty("system").GetString()!.ShouldContain("Answer in German for demo.");
        preview.GetProperty("tools").GetArrayLength().ShouldBe(10);
        var messages = preview.GetProperty("messages").EnumerateArray().ToList();
        messages[0].GetProperty("role").GetString().ShouldBe("system");
        messages[^1].GetProperty("content").GetString()!.ShouldContain("Hello\nworld");
        messages[^1].GetProperty("content").GetString()!.ShouldEndWith("Explain hello.txt");
        preview.GetProperty("estimatedTokens").GetInt32().ShouldBeGreaterThan(preview.GetProperty("context").GetProperty("tokenCount").GetInt32());
        var versions = await kit.Client.GetFromJsonAsync<JsonElement>($"/api/sessions/{kit.Session}/prompt").Bounded();
        versions.GetProperty("versions").GetArrayLength().ShouldBe(2);
        var diff = await kit.Client.GetFromJsonAsync<JsonElement>($"/api/sessions/{kit.Session}/prompt/diff?from=1&to=2").Bounded();
        diff.GetProperty("diff").GetString()!.ShouldContain("-Answer in French for {{project.name}}.\n+Answer in German for {{project.name}}.");
    }
}
