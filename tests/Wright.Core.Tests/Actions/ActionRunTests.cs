using System.Text.Json.Nodes;
using Wright.Core.Actions;
using Wright.Core.Actions.EditFormats;
using Wright.Core.Errors;
using Wright.Core.Tests.Git;

namespace Wright.Core.Tests.Actions;

public sealed class ActionRunTests
{
    [Fact]
    public async Task Run_MultiFileChange_MakesOneCommitWithTheSeedMessage()
    {
        using var kit = await ActionRunTestKit.CreateAsync();
        kit.Repository.Write("src/app.js", "console.log('hi');\n");
        kit.Repository.Write("old.txt", "old\n");
        await kit.Repository.GitAsync("add", "--all");
        await kit.Repository.GitAsync("commit", "--quiet", "-m", "base");
        var commitsBefore = await kit.CommitCountAsync();

        var result = await kit.RunAsync(
            "Add a health endpoint\nand remove the old file",
            new FileChangeAction([
                new EditFile("src/app.js", "console.log('hi');", "console.log('health');"),
                new WriteFile("src/health.js", "module.exports = () => 'ok';\n"),
                new DeleteFile("old.txt"),
            ]));

        result.Succeeded.ShouldBeTrue(result.Failure?.Detail);
        (await kit.CommitCountAsync()).ShouldBe(commitsBefore + 1);
        kit.Repository.Read("src/app.js").ShouldBe("console.log('health');\n");
        kit.Repository.Read("src/health.js").ShouldBe("module.exports = () => 'ok';\n");
        File.Exists(kit.Repository.PathOf("old.txt")).ShouldBeFalse();
        (await kit.StatusAsync()).ShouldBeEmpty();
        var message = await kit.Repository.GitAsync("log", "-1", "--format=%B");
        message.ShouldBe(
            $"feat(ai): [{result.ActionId}] Add a health endpoint\n\n" +
            "Action: FILE_CHANGE\n" +
            "Prompt: Add a health endpoint\nand remove the old file\n\n" +
            "Changes:\n" +
            "- Deleted old.txt\n" +
            "- Modified src/app.js\n" +
            "- Created src/health.js\n\n" +
            "Metadata:\n" +
            "- Model: test-model\n" +
            "- Temperature: 0.2\n" +
            $"- Action ID: {result.ActionId}\n" +
            "- Timestamp: 2026-11-20T12:00:00Z\n\n" +
            $"Wright-Action: {result.ActionId}\n" +
            $"Wright-Project: {ActionRunTestKit.ProjectId}\n" +
            "Wright-Session: session-1\n" +
            "Wright-Message: message-1\n" +
            "Co-authored-by: wright (test-model)\n\n");
        result.Commit!.Files.Select(f => f.Path).Order(StringComparer.Ordinal).ShouldBe(["old.txt", "src/app.js", "src/health.js"]);
    }

    [Fact]
    public async Task Run_OneBadEditAmongGoodOnes_ChangesNothingAndReportsTheBadOne()
    {
        using var kit = await ActionRunTestKit.CreateAsync();
        kit.Repository.Write("a.txt", "alpha\nbeta\ngamma\n");
        await kit.Repository.GitAsync("add", "--all");
        await kit.Repository.GitAsync("commit", "--quiet", "-m", "base");
        var head = await kit.Repository.HeadAsync();
        var before = kit.Snapshot();

        var result = await kit.RunAsync(
            "Change things",
            new FileChangeAction([new WriteFile("new.txt", "new\n"), new EditFile("a.txt", "alpha", "ALPHA")]),
            new FileChangeAction([new EditFile("a.txt", "betta\ngamma", "BETA\ngamma")]));

        result.Succeeded.ShouldBeFalse();
        result.Failure!.ActionIndex.ShouldBe(1);
        result.Failure.Code.ShouldBe(ActionErrorCodes.EditNoMatch);
        result.Failure.Detail.ShouldContain("a.txt");
        result.Failure.Detail.ShouldContain("beta\ngamma");
        kit.Snapshot().ShouldBe(before);
        (await kit.Repository.HeadAsync()).ShouldBe(head);
        (await kit.StatusAsync()).ShouldBeEmpty();
    }

    [Fact]
    public async Task Run_BadSearchReplaceBlockInAnswer_ChangesNothingAndNamesTheBlock()
    {
        using var kit = await ActionRunTestKit.CreateAsync();
        kit.Repository.Write("f.py", "one\ntwo\nthree\n");
        await kit.Repository.GitAsync("add", "--all");
        await kit.Repository.GitAsync("commit", "--quiet", "-m", "base");
        var before = kit.Snapshot();
        const string Answer = "f.py\n```\n<<<<<<< SEARCH\none\n=======\nONE\n>>>>>>> REPLACE\n```\n\nf.py\n```\n<<<<<<< SEARCH\ntwoo\n=======\nTWO\n>>>>>>> REPLACE\n```\n";

        var result = await kit.RunAsync("Shout", new TextEditAction(EditFormat.SearchReplace, Answer, new EditOptions { InChatFiles = ["f.py"] }));

        result.Succeeded.ShouldBeFalse();
        result.Failure!.Detail.ShouldContain("SEARCH/REPLACE block 2 (f.py)");
        result.Failure.Detail.ShouldContain("SearchReplaceNoExactMatch");
        result.Failure.Detail.ShouldContain("Did you mean these lines of f.py (lines 2-2");
        kit.Snapshot().ShouldBe(before);
    }

    [Fact]
    public async Task Run_SearchReplaceAnswer_CommitsTheEdits()
    {
        using var kit = await ActionRunTestKit.CreateAsync();
        kit.Repository.Write("f.py", "def f():\n    return 1\n");
        await kit.Repository.GitAsync("add", "--all");
        await kit.Repository.GitAsync("commit", "--quiet", "-m", "base");
        const string Answer = "Here you go:\n\nf.py\n```python\n<<<<<<< SEARCH\n    return 1\n=======\n    return 2\n>>>>>>> REPLACE\n```\n";

        var result = await kit.RunAsync("Return two", new TextEditAction(EditFormat.SearchReplace, Answer, new EditOptions { InChatFiles = ["f.py"] }));

        result.Succeeded.ShouldBeTrue(result.Failure?.Detail);
        kit.Repository.Read("f.py").ShouldBe("def f():\n    return 2\n");
        (await kit.Repository.GitAsync("log", "-1", "--format=%s")).Trim().ShouldBe($"feat(ai): [{result.ActionId}] Return two");
    }

    [Fact]
    public async Task Run_UserEditsOnTouchedFile_AreCommittedFirstAndSurvive()
    {
        using var kit = await ActionRunTestKit.CreateAsync();
        kit.Repository.Write("file.txt", "one\n");
        kit.Repository.Write("other.txt", "other\n");
        await kit.Repository.GitAsync("add", "--all");
        await kit.Repository.GitAsync("commit", "--quiet", "-m", "base");
        kit.Repository.Write("file.txt", "one\nuser line\n");
        kit.Repository.Write("other.txt", "OTHER\n");
        var commitsBefore = await kit.CommitCountAsync();

        var result = await kit.RunAsync("Append", new FileChangeAction([new EditFile("file.txt", "user line\n", "user line\nai line\n")]));

        result.Succeeded.ShouldBeTrue(result.Failure?.Detail);
        (await kit.CommitCountAsync()).ShouldBe(commitsBefore + 2);
        result.UserCommit.ShouldNotBeNull();
        (await kit.Repository.GitAsync("show", "HEAD~1:file.txt")).ShouldBe("one\nuser line\n");
        (await kit.Repository.GitAsync("log", "-1", "--format=%s", "HEAD~1")).ShouldStartWith("Save your edits before Wright's change");
        kit.Repository.Read("file.txt").ShouldBe("one\nuser line\nai line\n");
        kit.Repository.Read("other.txt").ShouldBe("OTHER\n");
        (await kit.StatusAsync()).ShouldBe("M other.txt");
    }

    [Fact]
    public async Task Run_FailureAfterUserEditsWereSaved_KeepsTheUserCommitAndTheirContent()
    {
        using var kit = await ActionRunTestKit.CreateAsync();
        kit.Repository.Write("file.txt", "mine\n");

        var request = kit.Request(
            "Edit then fail",
            new FileChangeAction([new WriteFile("file.txt", "ai\n")]),
            new CommandAction("git", ["--no-such-option"])) with { CommandPolicy = CommandApprovalPolicy.Auto };

        var result = await kit.Runner.RunAsync(request, GitTestRepository.Timeout);

        result.Succeeded.ShouldBeFalse();
        result.UserCommit.ShouldNotBeNull();
        kit.Repository.Read("file.txt").ShouldBe("mine\n");
        (await kit.Repository.GitAsync("show", "HEAD:file.txt")).ShouldBe("mine\n");
    }

    [Fact]
    public async Task Run_CommandFailsAfterFilesWereWritten_RestoresEveryFile()
    {
        using var kit = await ActionRunTestKit.CreateAsync();
        var before = kit.Snapshot();
        var head = await kit.Repository.HeadAsync();
        var request = kit.Request(
            "Write then build",
            new FileChangeAction([new WriteFile("a.txt", "a\n"), new WriteFile("dir/b.txt", "b\n"), new EditFile("readme.md", "# test", "# changed")]),
            new CommandAction("git", ["--no-such-option"])) with { CommandPolicy = CommandApprovalPolicy.Auto };

        var result = await kit.Runner.RunAsync(request, GitTestRepository.Timeout);

        result.Succeeded.ShouldBeFalse();
        result.Failure!.ActionIndex.ShouldBe(1);
        result.Failure.Code.ShouldBe(ActionErrorCodes.CommandFailed);
        result.Commands.Single().ExitCode.ShouldNotBe(0);
        kit.Snapshot().ShouldBe(before);
        (await kit.Repository.HeadAsync()).ShouldBe(head);
        (await kit.Repository.GitAsync("for-each-ref", "refs/wright/")).ShouldBeEmpty();
    }

    [Fact]
    public async Task Run_WriteErrorAfterOtherFilesWereWritten_RestoresEveryFile()
    {
        using var kit = await ActionRunTestKit.CreateAsync();
        kit.Repository.Write("dirty.txt", "user's untracked work\n");
        var before = kit.Snapshot();
        var head = await kit.Repository.HeadAsync();
        var written = new List<string>();
        var request = kit.Request(
            "Write, then write under a file",
            new FileChangeAction([new WriteFile("a.txt", "a\n"), new EditFile("readme.md", "# test", "# changed")]),
            new FileChangeAction([new WriteFile("readme.md/child.txt", "cannot exist\n")])) with
        {
            Progress = (progress, _) =>
            {
                if (progress.Stage == ActionRunStage.FileWritten)
                {
                    written.Add(progress.Subject!);
                }

                return Task.CompletedTask;
            },
        };

        var result = await kit.Runner.RunAsync(request, GitTestRepository.Timeout);

        written.ShouldBe(["a.txt", "readme.md"]);
        result.Succeeded.ShouldBeFalse();
        result.Failure!.ActionIndex.ShouldBe(1);
        result.Failure.Code.ShouldBe(ActionErrorCodes.ActionFailed);
        kit.Snapshot().ShouldBe(before);
        (await kit.Repository.HeadAsync()).ShouldBe(head);
        (await kit.StatusAsync()).ShouldBe("?? dirty.txt");
    }

    [Fact]
    public async Task Run_PathOutsideProject_FailsWithoutChanges()
    {
        using var kit = await ActionRunTestKit.CreateAsync();
        var before = kit.Snapshot();

        var result = await kit.RunAsync("Escape", new FileChangeAction([new WriteFile("ok.txt", "x\n"), new WriteFile("../escape.txt", "x\n")]));

        result.Succeeded.ShouldBeFalse();
        result.Failure!.Code.ShouldBe(ErrorCodes.PathOutsideProject);
        kit.Snapshot().ShouldBe(before);
        File.Exists(Path.Combine(Path.GetDirectoryName(kit.Root)!, "escape.txt")).ShouldBeFalse();
    }

    [Fact]
    public async Task Run_EditWithAmbiguousOldText_FailsAndSaysHowOften()
    {
        using var kit = await ActionRunTestKit.CreateAsync();
        kit.Repository.Write("x.txt", "dup\ndup\n");

        var result = await kit.RunAsync("Edit", new FileChangeAction([new EditFile("x.txt", "dup", "one")]));

        result.Failure!.Code.ShouldBe(ActionErrorCodes.EditAmbiguous);
        result.Failure.Detail.ShouldContain("2 times");
        kit.Repository.Read("x.txt").ShouldBe("dup\ndup\n");
    }

    [Fact]
    public async Task Run_MoveFile_CommitsTheMove()
    {
        using var kit = await ActionRunTestKit.CreateAsync();

        var result = await kit.RunAsync("Rename readme", new FileChangeAction([new MoveFile("readme.md", "docs/README.md")]));

        result.Succeeded.ShouldBeTrue(result.Failure?.Detail);
        kit.Repository.Read("docs/README.md").ShouldBe("# test\n");
        File.Exists(kit.Repository.PathOf("readme.md")).ShouldBeFalse();
        (await kit.StatusAsync()).ShouldBeEmpty();
    }

    [Fact]
    public async Task Run_CommandDeniedByPolicy_FailsBeforeAnyFileChanges()
    {
        using var kit = await ActionRunTestKit.CreateAsync();
        var before = kit.Snapshot();
        var request = kit.Request("Build", new FileChangeAction([new WriteFile("a.txt", "a\n")]), new CommandAction("git", ["status"])) with { CommandPolicy = CommandApprovalPolicy.Deny };

        var result = await kit.Runner.RunAsync(request, GitTestRepository.Timeout);

        result.Failure!.Code.ShouldBe(ActionErrorCodes.CommandDenied);
        result.Failure.Detail.ShouldContain("'deny'");
        kit.Snapshot().ShouldBe(before);
    }

    [Fact]
    public async Task Run_CommandUnderAskPolicy_RunsOnlyWhenApproved()
    {
        using var kit = await ActionRunTestKit.CreateAsync();
        var asked = new List<string>();
        var request = kit.Request("Status", new CommandAction("git", ["status", "--short"])) with
        {
            CommandPolicy = CommandApprovalPolicy.Ask,
            ApproveCommand = (command, _) =>
            {
                asked.Add(command.Display);
                return Task.FromResult(asked.Count > 1);
            },
        };

        var declined = await kit.Runner.RunAsync(request, GitTestRepository.Timeout);
        var approved = await kit.Runner.RunAsync(request, GitTestRepository.Timeout);

        declined.Failure!.Code.ShouldBe(ActionErrorCodes.CommandDenied);
        approved.Succeeded.ShouldBeTrue(approved.Failure?.Detail);
        approved.Commands.Single().ExitCode.ShouldBe(0);
        approved.Commit.ShouldBeNull();
        asked.ShouldBe(["git status --short", "git status --short"]);
    }

    [Fact]
    public async Task Run_CommandThatWritesAFile_CommitsItWithTheRun()
    {
        using var kit = await ActionRunTestKit.CreateAsync();
        kit.Repository.Write("untouched-dirty.txt", "user\n");
        var request = kit.Request("Tag", new CommandAction("git", ["config", "--file", "made-by-command.cfg", "a.b", "c"])) with { CommandPolicy = CommandApprovalPolicy.Auto };

        var result = await kit.Runner.RunAsync(request, GitTestRepository.Timeout);

        result.Succeeded.ShouldBeTrue(result.Failure?.Detail);
        result.Commit!.Files.Select(f => f.Path).ShouldBe(["made-by-command.cfg"]);
        (await kit.StatusAsync()).ShouldBe("?? untouched-dirty.txt");
    }

    [Fact]
    public async Task Command_Environment_HasNoWrightOrProviderSecrets()
    {
        using var kit = await ActionRunTestKit.CreateAsync();
        var unique = Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
        string[] secrets = [$"T{unique}_API_KEY", $"T{unique}_TOKEN", $"T{unique}_SECRET", $"WRIGHT_T{unique}"];
        var plain = $"T{unique}_PLAIN";
        try
        {
            foreach (var name in secrets.Append(plain))
            {
                Environment.SetEnvironmentVariable(name, "value");
            }

            var result = await CommandHandler.RunAsync(new CommandAction("env", []), kit.Root, GitTestRepository.Timeout);

            result.ExitCode.ShouldBe(0);
            result.Output.ShouldContain(plain + "=value");
            foreach (var name in secrets)
            {
                result.Output.ShouldNotContain(name);
            }
        }
        finally
        {
            foreach (var name in secrets.Append(plain))
            {
                Environment.SetEnvironmentVariable(name, null);
            }
        }
    }

    [Theory]
    [InlineData("OPENAI_API_KEY", true)]
    [InlineData("GITHUB_TOKEN", true)]
    [InlineData("client_secret", true)]
    [InlineData("WRIGHT_DATA_DIR", true)]
    [InlineData("PATH", false)]
    [InlineData("TOKENIZER", false)]
    public void IsSecretVariable_Name_MatchesThePatterns(string name, bool secret) =>
        CommandHandler.IsSecretVariable(name).ShouldBe(secret);

    [Fact]
    public async Task Command_PastItsTimeout_IsStoppedAndReported()
    {
        using var kit = await ActionRunTestKit.CreateAsync();

        var result = await CommandHandler.RunAsync(new CommandAction("sleep", ["30"], TimeSpan.FromMilliseconds(200)), kit.Root, GitTestRepository.Timeout);

        result.TimedOut.ShouldBeTrue();
        result.ExitCode.ShouldBeNull();
    }

    [Fact]
    public async Task Command_HugeOutput_IsCappedAndMarkedTruncated()
    {
        using var kit = await ActionRunTestKit.CreateAsync();

        var result = await CommandHandler.RunAsync(new CommandAction("seq", ["1", "200000"]), kit.Root, GitTestRepository.Timeout);

        result.ExitCode.ShouldBe(0);
        result.Truncated.ShouldBeTrue();
        result.Output.Length.ShouldBe(CommandHandler.MaxOutputChars);
    }

    [Fact]
    public async Task Run_ConfigAction_WritesValidatedSettingsToWrightConfig()
    {
        using var kit = await ActionRunTestKit.CreateAsync();

        var result = await kit.RunAsync("Deny commands", new ConfigAction(new Dictionary<string, JsonNode?> { ["commandApproval"] = "deny", ["exclude"] = new JsonArray("*.log") }));

        result.Succeeded.ShouldBeTrue(result.Failure?.Detail);
        result.Commit!.Subject.ShouldContain("Deny commands");
        var config = await ProjectConfig.LoadAsync(kit.Root, GitTestRepository.Timeout);
        config.CommandApproval.ShouldBe(CommandApprovalPolicy.Deny);
        config.Exclude.ShouldBe(["*.log"]);
        (await kit.Repository.GitAsync("log", "-1", "--format=%B")).ShouldContain("Action: CONFIG");
    }

    [Fact]
    public async Task Run_ConfigActionWithUnknownSetting_FailsNamingIt()
    {
        using var kit = await ActionRunTestKit.CreateAsync();

        var result = await kit.RunAsync("Bad", new ConfigAction(new Dictionary<string, JsonNode?> { ["colour"] = "blue", ["commandApproval"] = "sometimes" }));

        result.Failure!.Code.ShouldBe(ActionErrorCodes.ConfigInvalid);
        result.Failure.Detail.ShouldContain("'colour' is not a setting");
        result.Failure.Detail.ShouldContain("commandApproval must be");
        File.Exists(kit.Repository.PathOf(".wright/config")).ShouldBeFalse();
    }

    [Fact]
    public async Task Run_Scaffold_CreatesTheChosenTemplateInOneCommit()
    {
        using var kit = await ActionRunTestKit.CreateAsync();

        var result = await kit.RunAsync("Start an API", new ScaffoldAction("health api", "A small Node HTTP API with a health endpoint", Directory: "service"));

        result.Succeeded.ShouldBeTrue(result.Failure?.Detail);
        result.Commit!.Files.Select(f => f.Path).Order(StringComparer.Ordinal).ShouldBe(["service/.gitignore", "service/README.md", "service/package.json", "service/src/index.js"]);
        kit.Repository.Read("service/package.json").ShouldContain("\"name\": \"health-api\"");
        kit.Repository.Read("service/src/index.js").ShouldContain("/health");
    }

    [Fact]
    public async Task Run_ScaffoldOverExistingFiles_FailsWithoutOverwriting()
    {
        using var kit = await ActionRunTestKit.CreateAsync();
        kit.Repository.Write("README.md", "mine\n");

        var result = await kit.RunAsync("Site", new ScaffoldAction("site", "a static web page", "static-site"));

        result.Failure!.Code.ShouldBe(ActionErrorCodes.ScaffoldTargetNotEmpty);
        kit.Repository.Read("README.md").ShouldBe("mine\n");
        File.Exists(kit.Repository.PathOf("index.html")).ShouldBeFalse();
    }

    [Theory]
    [InlineData("a python command line tool", "python-cli")]
    [InlineData("C# console program", "dotnet-console")]
    [InlineData("REST api in node", "node-api")]
    [InlineData("something", "static-site")]
    public void Scaffold_Description_ChoosesTheMatchingTemplate(string description, string template) =>
        ScaffoldHandler.Choose(null, description).Id.ShouldBe(template);
}
