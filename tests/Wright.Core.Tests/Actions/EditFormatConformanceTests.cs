using System.Text.Json;
using Wright.Core.Actions;
using Wright.Core.Actions.EditFormats;
using Wright.Core.Errors;
using Xunit.Abstractions;
using static Wright.Core.Tests.Actions.EditFormatFixtures;

namespace Wright.Core.Tests.Actions;

/// <summary>
/// Runs every case of <c>../shared/fixtures/edit-formats</c> against Wright's parsers. Aider
/// applies best-effort; Wright is atomic, so wherever a case expects an error the check is that
/// no file changed (whatever Aider's partial <c>files_after</c> says) and that the error says which
/// edit failed and why.
/// </summary>
public sealed class EditFormatConformanceTests
{
    /// <summary>
    /// Cases where Wright deliberately differs from Aider, with the reason and what Wright does
    /// instead. Keep this short: every entry is a behaviour a user coming from Aider will notice.
    /// </summary>
    private static readonly Dictionary<string, (string Reason, Dictionary<string, string> FilesAfter)> DeliberateDifferences = new(StringComparer.Ordinal)
    {
        ["derived.patch.add_file"] = (
            "Aider touches a new file before applying, so its own '*** Add File:' then fails with 'File already exists'. " +
            "Wright never touches files before the transaction, so '*** Add File:' of a new path creates it with the patch's content.",
            new Dictionary<string, string>(StringComparer.Ordinal) { ["pkg/new.py"] = "def hello():\n    pass\n" }),
    };

    /// <summary>Phrases from Aider's error texts that name the failure; Wright's error must carry the same ones.</summary>
    private static readonly string[] ErrorKeyPhrases =
        ["SearchReplaceNoExactMatch", "UnifiedDiffNoMatch", "Could not find patch context", "File already exists", "The REPLACE lines are already in"];

    private readonly ITestOutputHelper _output;

    public EditFormatConformanceTests(ITestOutputHelper output)
    {
        _output = output;
    }

    public static TheoryData<string> CaseNames()
    {
        var data = new TheoryData<string>();
        foreach (var name in Cases.Keys)
        {
            data.Add(name);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Case_FromSharedFixtures_BehavesAsTheCaseExpects(string name)
    {
        var failure = Check(Cases[name]);

        failure.ShouldBeNull();
    }

    [Fact]
    public void Conformance_EveryCase_PassesPerFormat()
    {
        var results = Cases.Values
            .Select(c => (Format: c.GetProperty("format").GetString()!, Name: c.GetProperty("name").GetString()!, Failure: Check(c)))
            .ToList();
        foreach (var group in results.GroupBy(r => r.Format).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            _output.WriteLine($"{group.Key}: {group.Count(r => r.Failure is null)}/{group.Count()} passed");
        }

        foreach (var (_, name, failure) in results.Where(r => r.Failure is not null))
        {
            _output.WriteLine($"FAILED {name}: {failure}");
        }

        _output.WriteLine($"deliberate differences: {string.Join(", ", DeliberateDifferences.Keys)}");
        results.Count.ShouldBeGreaterThan(0);
        results.Where(r => r.Failure is not null).Select(r => r.Name).ShouldBeEmpty();
    }

    [Fact]
    public void Fixtures_BothFiles_AreFoundAndHoldCases()
    {
        foreach (var file in Files)
        {
            using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(EditFormatFixtures.Directory, file)));
            document.RootElement.GetArrayLength().ShouldBeGreaterThan(0, file);
        }
    }

    /// <summary>Null when Wright does what the case expects; otherwise what went wrong.</summary>
    private static string? Check(JsonElement c)
    {
        try
        {
            return c.GetProperty("kind").GetString() switch
            {
                "parse" => CheckParse(c),
                "function" => CheckFunction(c),
                "render" => CheckRender(c),
                "apply" => CheckApply(c),
                var kind => $"unknown kind '{kind}'",
            };
        }
        catch (Exception ex) when (ex is not ShouldAssertException)
        {
            return $"{ex.GetType().Name}: {ex.Message}";
        }
    }

    private static string? CheckParse(JsonElement c)
    {
        var format = FormatOf(c);
        var options = OptionsOf(c);
        var response = String(c, "llm_response")!;
        if (Bool(c, "expect_error"))
        {
            try
            {
                TextEdits.Parse(format, response, options);
                return "expected a parse error, got none";
            }
            catch (WrightException ex)
            {
                var expected = String(c, "error_contains");
                return expected is null || ex.Message.Contains(expected, StringComparison.Ordinal) ? null : $"error '{ex.Message}' lacks '{expected}'";
            }
        }

        var parsed = TextEdits.Parse(format, response, options);
        if (c.TryGetProperty("find_filename_lines", out var filenameLines) && filenameLines.ValueKind == JsonValueKind.Array)
        {
            var lines = filenameLines.EnumerateArray().Select(e => e.GetString()! + "\n").ToList();
            var found = SearchReplaceParser.FindFilename(lines, options.Fence, options.InChatFiles);
            if (found != String(c, "expected_filename"))
            {
                return $"find_filename gave '{found}', expected '{String(c, "expected_filename")}'";
            }
        }

        if (c.TryGetProperty("expected_edits", out var expectedEdits) && expectedEdits.ValueKind == JsonValueKind.Array)
        {
            var expected = expectedEdits.EnumerateArray().Select(e => e.GetRawText()).ToList();
            var actual = parsed.Edits.Select(EditAsJson).ToList();
            if (!expected.Select(Canonical).SequenceEqual(actual.Select(Canonical)))
            {
                return $"edits differ:\n expected {string.Join(", ", expected)}\n actual   {string.Join(", ", actual)}";
            }
        }

        if (c.TryGetProperty("expected_edits_count", out var count) && parsed.Edits.Count != count.GetInt32())
        {
            return $"expected {count.GetInt32()} edits, parsed {parsed.Edits.Count}";
        }

        if (Has(c, "expected_shell_commands") && !StringList(c, "expected_shell_commands").SequenceEqual(parsed.ShellCommands))
        {
            return $"shell commands differ: {string.Join(" | ", parsed.ShellCommands)}";
        }

        if (!Has(c, "expected_edits") && !Has(c, "expected_edits_count") && !Has(c, "expected_shell_commands") && !Has(c, "expected_filename"))
        {
            return "the case states no expectation this harness knows how to check";
        }

        return null;
    }

    private static string? CheckFunction(JsonElement c)
    {
        var input = c.GetProperty("function_input");
        var expected = String(c, "function_expected");
        return String(c, "function") switch
        {
            "strip_quoted_wrapping" => Compare(
                SearchReplaceMatcher.StripQuotedWrapping(input.GetProperty("text").GetString()!, input.TryGetProperty("fname", out var f) ? f.GetString() : null, OptionsOf(c).Fence),
                expected),
            var function => $"unknown function '{function}'",
        };
    }

    private static string? CheckRender(JsonElement c)
    {
        // Wright renders nothing; what the case pins down is that no file name can be inferred, so applying must fail with that reason.
        var expected = String(c, "apply_would_raise");
        if (expected is null)
        {
            return "render case without apply_would_raise";
        }

        try
        {
            TextEdits.Parse(FormatOf(c), String(c, "llm_response")!, OptionsOf(c));
            return "expected the answer to be refused for want of a file name";
        }
        catch (WrightException ex)
        {
            return ex.Message.Contains(expected, StringComparison.Ordinal) ? null : $"error '{ex.Message}' lacks '{expected}'";
        }
    }

    private static string? CheckApply(JsonElement c)
    {
        var name = c.GetProperty("name").GetString()!;
        var before = FileMap(c, "files_before");
        var files = new StagedFiles(p => before.GetValueOrDefault(p));
        var options = OptionsOf(c);
        var format = FormatOf(c);
        var response = String(c, "llm_response")!;

        // The replace_most_similar_chunk cases also pin the matcher itself.
        if (String(c, "function") == "replace_most_similar_chunk")
        {
            var input = c.GetProperty("function_input");
            var result = SearchReplaceMatcher.Replace(input.GetProperty("whole").GetString()!, input.GetProperty("part").GetString()!, input.GetProperty("replace").GetString()!);
            var functionFailure = Compare(result, Bool(c, "expect_error") ? null : String(c, "function_expected"));
            if (functionFailure is not null)
            {
                return "replace_most_similar_chunk: " + functionFailure;
            }
        }

        var expectError = Bool(c, "expect_error");
        var expectedAfter = FileMap(c, "files_after");
        if (DeliberateDifferences.TryGetValue(name, out var difference))
        {
            expectError = false;
            expectedAfter = difference.FilesAfter;
        }

        if (expectError)
        {
            try
            {
                TextEdits.Apply(format, response, files, options);
                return "expected an error, the edits applied";
            }
            catch (WrightException ex)
            {
                if (files.ChangedPaths.Count > 0)
                {
                    return $"an error left staged changes to {string.Join(", ", files.ChangedPaths)}";
                }

                var wanted = new List<string>();
                if (String(c, "error_contains") is { } contains)
                {
                    wanted.Add(contains);
                }

                if (String(c, "error_text") is { } text)
                {
                    var phrases = ErrorKeyPhrases.Where(p => text.Contains(p, StringComparison.Ordinal)).ToList();
                    if (phrases.Count == 0)
                    {
                        return "the case's error_text has none of the key phrases this harness checks; add its phrase";
                    }

                    wanted.AddRange(phrases);
                }

                var missing = wanted.Where(w => !ex.Message.Contains(w, StringComparison.Ordinal)).ToList();
                if (missing.Count > 0)
                {
                    return $"error '{ex.Message}' lacks {string.Join(", ", missing)}";
                }

                var named = before.Keys.Concat(TextEdits.Parse(format, response, options).Edits.Select(e => e.Path));
                return named.Any(p => ex.Message.Contains(p, StringComparison.Ordinal)) ? null : "the error does not name the failing file";
            }
        }

        var report = TextEdits.Apply(format, response, files, options);
        if (c.TryGetProperty("warnings", out var warnings) && warnings.ValueKind == JsonValueKind.Array && warnings.GetArrayLength() != report.Warnings.Count)
        {
            return $"expected {warnings.GetArrayLength()} warnings, got {report.Warnings.Count}";
        }

        // A dry run stops at the staged files: the project keeps what it had.
        var after = new Dictionary<string, string>(before, StringComparer.Ordinal);
        if (!Bool(c, "dry_run"))
        {
            foreach (var path in files.ChangedPaths)
            {
                if (files.Read(path) is { } content)
                {
                    after[path] = content;
                }
                else
                {
                    after.Remove(path);
                }
            }
        }

        var keys = after.Keys.Union(expectedAfter.Keys, StringComparer.Ordinal).Order(StringComparer.Ordinal);
        var differences = keys
            .Where(k => after.GetValueOrDefault(k) != expectedAfter.GetValueOrDefault(k))
            .Select(k => $"{k}: expected {JsonSerializer.Serialize(expectedAfter.GetValueOrDefault(k))}, got {JsonSerializer.Serialize(after.GetValueOrDefault(k))}")
            .ToList();
        return differences.Count == 0 ? null : string.Join("; ", differences);
    }

    private static string EditAsJson(ParsedEdit edit) => edit switch
    {
        SearchReplaceEdit e => JsonSerializer.Serialize(new object[] { e.Path, e.Search, e.Replace }),
        UnifiedDiffHunk h => JsonSerializer.Serialize(new object[] { h.Path, h.Lines }),
        WholeFileEdit w => JsonSerializer.Serialize(new object[] { w.Path, w.Content }),
        _ => JsonSerializer.Serialize(edit.Path),
    };

    private static string Canonical(string json) => JsonSerializer.Serialize(JsonDocument.Parse(json).RootElement);

    private static string? Compare(string? actual, string? expected) =>
        actual == expected ? null : $"expected {JsonSerializer.Serialize(expected)}, got {JsonSerializer.Serialize(actual)}";
}
