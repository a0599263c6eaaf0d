using System.Text;
using Wright.Core.Agents;
using Wright.Core.Llm;

namespace Wright.Core.Tests.Agents;

/// <summary>Usage read from real transcript lines, and which transcript paths Wright agrees to read.</summary>
public sealed class TranscriptTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("wright-transcripts").FullName;

    private static string Sample
    {
        get
        {
            var directory = new DirectoryInfo(AppContext.BaseDirectory);
            while (!File.Exists(Path.Combine(directory!.FullName, "Wright.slnx")))
            {
                directory = directory.Parent;
            }

            return Path.Combine(directory.Parent!.FullName, "shared", "fixtures", "claude-hooks", "transcript-sample.jsonl");
        }
    }

    [Fact]
    public void Collect_TheRealSample_ReadsTheAssistantLinesUsage_AndPricesCacheReadsAndWrites()
    {
        var usage = TranscriptUsage.Collect(File.ReadAllLines(Sample)).Single();

        usage.Key.ShouldBe("msg_01PdWvcjJ6E9BgscDveYt9YV|req_011CY4TRHLYkp2wmETF8ujUf");
        usage.Model.ShouldBe("claude-opus-4-6");
        (usage.InputTokens, usage.OutputTokens, usage.CacheReadTokens, usage.CacheWriteTokens).ShouldBe((3L, 9L, 11442L, 15005L));
        usage.GitBranch.ShouldBe("spotter-dov");
        var model = ModelCatalog.Seeded["anthropic/claude-opus-4-6"];
        TranscriptReader.PriceOf(ModelCatalog.Seeded, usage).ShouldBe(
            3 * model.InputCostPerToken!.Value + 9 * model.OutputCostPerToken!.Value + 11442 * model.CacheReadCostPerToken!.Value + 15005 * model.CacheWriteCostPerToken!.Value);
    }

    [Fact]
    public void Collect_OneResponseOnSeveralLines_CountsItOnce_WithTheLargestUsage_AndFallsBackToTheMessageId()
    {
        string Line(string id, string? request, int output) =>
            $"{{\"type\":\"assistant\",{(request is null ? "" : $"\"requestId\":\"{request}\",")}\"message\":{{\"id\":\"{id}\",\"model\":\"m\",\"usage\":{{\"input_tokens\":5,\"output_tokens\":{output}}}}}}}";

        var usages = TranscriptUsage.Collect([Line("a", "r1", 1), Line("a", "r1", 40), Line("a", "r1", 7), Line("b", null, 2), Line("b", null, 3), "{not json", "{\"type\":\"user\"}"]);

        usages.Select(u => (u.Key, u.OutputTokens)).OrderBy(u => u.Key).ShouldBe([("a|r1", 40L), ("b", 3L)]);
    }

    [Fact]
    public void Jail_ReadsOnlyJsonlFilesWhoseRealPathIsUnderARoot()
    {
        var claude = Directory.CreateDirectory(Path.Combine(_root, ".claude", "projects", "p")).FullName;
        var inside = Path.Combine(claude, "s.jsonl");
        File.WriteAllText(inside, "{}\n");
        var outside = Path.Combine(_root, "secret.jsonl");
        File.WriteAllText(outside, "{}\n");
        var escape = Path.Combine(claude, "escape.jsonl");
        File.CreateSymbolicLink(escape, outside);
        var notJsonl = Path.Combine(claude, "notes.txt");
        File.WriteAllText(notJsonl, "x");
        var jail = new TranscriptJail([Path.Combine(_root, ".claude")]);

        jail.Resolve(inside).ShouldBe(inside);
        jail.Resolve(Path.Combine(claude, "..", "p", "s.jsonl")).ShouldBe(inside);
        jail.Resolve(outside).ShouldBeNull();
        jail.Resolve(escape).ShouldBeNull("a link out of the root is refused");
        jail.Resolve(Path.Combine(claude, "..", "..", "..", "secret.jsonl")).ShouldBeNull();
        jail.Resolve(notJsonl).ShouldBeNull();
        jail.Resolve("relative/s.jsonl").ShouldBeNull();
        jail.Resolve(Path.Combine(claude, "missing.jsonl")).ShouldBeNull();
        jail.Resolve("/etc/passwd").ShouldBeNull();
    }

    [Theory]
    [InlineData("UserPromptSubmit", "{\"prompt\":\"go\"}", HookSignal.Prompt, null, "go")]
    [InlineData("Notification", "{\"notification_type\":\"permission_prompt\",\"message\":\"Claude needs your permission\"}", HookSignal.Question, "permission_prompt", "Claude needs your permission")]
    [InlineData("Notification", "{\"notification_type\":\"auth_success\"}", HookSignal.Activity, "auth_success", null)]
    [InlineData("PermissionRequest", "{\"tool_name\":\"Bash\"}", HookSignal.Question, "permission:Bash", "Permission to use Bash")]
    [InlineData("PreToolUse", "{\"tool_name\":\"ExitPlanMode\",\"tool_input\":{\"plan\":\"1. do it\"}}", HookSignal.Question, "ExitPlanMode", "1. do it")]
    [InlineData("PreToolUse", "{\"tool_name\":\"Bash\"}", HookSignal.Activity, "Bash", null)]
    [InlineData("PostToolUseFailure", "{\"tool_name\":\"Bash\"}", HookSignal.Resume, "Bash", null)]
    [InlineData("Stop", "{\"last_assistant_message\":\"Done.\"}", HookSignal.Stop, null, "Done.")]
    [InlineData("StopFailure", "{\"error\":\"rate_limit\",\"error_details\":\"429\"}", HookSignal.StopFailure, null, "429")]
    [InlineData("TaskCompleted", "{\"task_subject\":\"Add login\"}", HookSignal.Progress, null, "Add login")]
    [InlineData("SessionEnd", "{\"reason\":\"other\"}", HookSignal.SessionEnd, null, null)]
    [InlineData("SomethingNew", "{\"whatever\":[1,{\"a\":null}]}", HookSignal.Activity, null, null)]
    public void Parse_MapsEachHookToItsSignal(string eventName, string json, HookSignal signal, string? waitingOn, string? text)
    {
        var hook = HookPayload.Parse(eventName, Encoding.UTF8.GetBytes(json), null, out var problem)!;

        problem.ShouldBeNull();
        hook.Signal.ShouldBe(signal);
        if (signal == HookSignal.Question || waitingOn is not null)
        {
            hook.WaitingOn.ShouldBe(waitingOn);
        }

        hook.TurnText.ShouldBe(text);
    }

    [Fact]
    public void Parse_CutsLongStringsInTheLoggedPayload_AndPrefersTheHeaderForTheWrightSession()
    {
        var json = $"{{\"session_id\":\"s\",\"wright_session_id\":\"from-body\",\"tool_input\":{{\"content\":\"{new string('x', 10_000)}\"}}}}";

        var hook = HookPayload.Parse("PreToolUse", Encoding.UTF8.GetBytes(json), "from-header", out _)!;

        hook.WrightSessionId.ShouldBe("from-header");
        hook.LoggedPayload.Length.ShouldBeLessThan(2_200);
        hook.LoggedPayload.ShouldContain("more characters");
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
