using System.Globalization;
using System.Text.Json;
using Wright.FakeLlm;
using Wright.Server.Tests.Conversations;
using Xunit.Abstractions;

namespace Wright.Server.Tests.Engine;

/// <summary>
/// The shared edit-format conformance cases through the real pipeline: a project holding the
/// case's files, the fake provider answering the case's text, and the files compared after the
/// answer's ActionRun — not only the parser. Reports passed/total per format.
/// </summary>
public sealed class EditFormatPipelineConformanceTests(ITestOutputHelper output)
{
    /// <summary>Cases the pipeline answers differently on purpose, with the reason; reported, not failed.</summary>
    private static readonly Dictionary<string, string> Deliberate = new(StringComparer.Ordinal)
    {
        ["editblock.full.dry_run_no_write"] = "Aider's dry-run mode; an answer is always applied",
        ["derived.editblock.partial_failure_not_atomic"] = "one bad edit leaves every file unchanged: an answer is one transaction",
        ["derived.patch.add_file"] = "'*** Add File:' of a new path creates it (see EditFormatConformanceTests)",
        ["whole.no_filename_single_file_in_chat"] = "a code block without a path line before it is an example, never a file's new content",
        ["whole.filename_from_earlier_backtick_mention"] = "a file mentioned in prose does not make the next code block its new content",
        ["whole.named_file_plus_extra_unnamed_block"] = "a file mentioned in prose does not make the next code block its new content",
    };

    [Fact]
    public async Task ConformanceCases_ThroughThePipeline_ApplyInEveryFormat()
    {
        var cases = Cases().Where(c => c.TryGetProperty("files_after", out var after) && after.ValueKind == JsonValueKind.Object
            && !(c.TryGetProperty("fence", out var fence) && fence.ValueKind == JsonValueKind.Array)
            && !c.TryGetProperty("user_confirms", out _)
            && !(c.TryGetProperty("git", out var git) && git.ValueKind == JsonValueKind.Object)).ToList();
        await using var harness = await ChatHarness.StartAsync();
        var results = new List<(string Format, string Name, bool Passed, string Why)>();
        foreach (var c in cases)
        {
            var (passed, why) = await RunAsync(harness, c);
            results.Add((c.GetProperty("format").GetString()!, c.GetProperty("name").GetString()!, passed, why));
        }

        foreach (var group in results.GroupBy(r => r.Format).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{group.Key}: {group.Count(r => r.Passed)}/{group.Count()} through the pipeline"));
            foreach (var failed in group.Where(r => !r.Passed))
            {
                output.WriteLine($"  {(Deliberate.TryGetValue(failed.Name, out var reason) ? "deliberate" : "FAILED")} {failed.Name}: {failed.Why}{(reason is null ? "" : $" ({reason})")}");
            }
        }

        results.Count(r => r.Format == "whole" && r.Passed).ShouldBeGreaterThan(0);
        var unexpected = results.Where(r => !r.Passed && !Deliberate.ContainsKey(r.Name)).ToList();
        unexpected.ShouldBeEmpty(string.Join("; ", unexpected.Select(r => $"{r.Name}: {r.Why}")));
    }

    private static async Task<(bool Passed, string Why)> RunAsync(ChatHarness harness, JsonElement c)
    {
        var project = await harness.Server.CreateProjectAsync();
        var before = Map(c, "files_before");
        foreach (var (path, content) in before)
        {
            var full = Path.Combine(project.Path, path);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            await File.WriteAllTextAsync(full, content);
        }

        await Git.GitCli.RunAsync(project.Path, "add", "--all");
        await Git.GitCli.RunAsync(project.Path, "commit", "--quiet", "--allow-empty", "-m", "Case files");
        var session = await harness.CreateSessionAsync(project.Id);

        // The chat files of the case are named in the prompt, so their whole text is in the Context.
        var chat = c.TryGetProperty("in_chat_files", out var files) && files.ValueKind == JsonValueKind.Array ? files.EnumerateArray().Select(f => f.GetString()!).ToList() : [];
        harness.Fake.Enqueue(FakeReply.Text(c.GetProperty("llm_response").GetString()!));
        var answer = await harness.PostAsync(session, $"Change {string.Join(" ", chat)}".TrimEnd(), null, ChatHarness.OpenAiModel);
        var expectError = c.TryGetProperty("expect_error", out var e) && e.ValueKind == JsonValueKind.True;
        var failed = answer.Events.Any(x => x.Event == "action.failed");
        if (failed != expectError)
        {
            return (false, failed ? "the ActionRun failed: " + answer.Events.First(x => x.Event == "action.failed").Data : "expected an error, the answer applied");
        }

        foreach (var (path, content) in Map(c, "files_after"))
        {
            var full = Path.Combine(project.Path, path);
            if (!File.Exists(full) || await File.ReadAllTextAsync(full) != content)
            {
                return (false, $"{path} differs");
            }
        }

        return (true, "");
    }

    private static Dictionary<string, string> Map(JsonElement c, string name)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        if (c.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in value.EnumerateObject())
            {
                map[property.Name] = property.Value.GetString()!;
            }
        }

        return map;
    }

    private static IEnumerable<JsonElement> Cases()
    {
        var fixtures = Path.Combine(SharedFixtures.Root, "edit-formats");
        foreach (var file in new[] { "aider-cases.json", "aider-cases-derived.json" })
        {
            using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(fixtures, file)));
            foreach (var c in document.RootElement.EnumerateArray())
            {
                yield return c.Clone();
            }
        }
    }
}
