using System.Text.Json;
using Wright.Core.Actions;
using static Wright.Core.Tests.Actions.EditFormatFixtures;

namespace Wright.Core.Tests.Actions;

/// <summary>
/// The fixture cases that describe git outcomes (commit counts, which files stay dirty) run
/// end to end through an ActionRun on a real repository.
/// </summary>
public sealed class EditFormatGitConformanceTests
{
    public static TheoryData<string> GitCaseNames()
    {
        var data = new TheoryData<string>();
        foreach (var (name, c) in Cases)
        {
            if (c.TryGetProperty("git", out var git) && git.ValueKind == JsonValueKind.Object)
            {
                data.Add(name);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(GitCaseNames))]
    public async Task GitCase_RunThroughAnActionRun_HasTheExpectedCommitsAndFiles(string name)
    {
        var c = Cases[name];
        var git = c.GetProperty("git");
        using var kit = await ActionRunTestKit.CreateAsync();
        await kit.Repository.GitAsync("update-ref", "-d", "HEAD");
        await kit.Repository.GitAsync("rm", "--quiet", "--cached", "readme.md");
        File.Delete(kit.Repository.PathOf("readme.md"));
        if (git.TryGetProperty("head", out var head))
        {
            foreach (var file in head.EnumerateObject())
            {
                kit.Repository.Write(file.Name, file.Value.GetString()!);
            }

            await kit.Repository.GitAsync("add", "--all");
            await kit.Repository.GitAsync("commit", "--quiet", "-m", "head");
        }

        foreach (var (path, content) in FileMap(c, "files_before"))
        {
            kit.Repository.Write(path, content);
        }

        var result = await kit.RunAsync("Do this", new TextEditAction(FormatOf(c), String(c, "llm_response")!, OptionsOf(c)));

        result.Succeeded.ShouldBe(!Bool(c, "expect_error"), result.Failure?.Detail);
        kit.Snapshot().ShouldBe(new SortedDictionary<string, string>(FileMap(c, "files_after"), StringComparer.Ordinal));
        if (git.TryGetProperty("expected_commit_count", out var count))
        {
            (await kit.CommitCountAsync()).ShouldBe(count.GetInt32());
        }

        var dirty = (await kit.Repository.GitAsync("status", "--porcelain"))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l[3..])
            .ToList();
        var expectedDirty = StringList(git, "expect_dirty_after");
        foreach (var path in expectedDirty)
        {
            dirty.ShouldContain(path);
        }

        // Files the answer did not touch keep their uncommitted state; the ones it touched are committed.
        foreach (var path in result.Changes.Select(ch => ch.Path))
        {
            dirty.ShouldNotContain(path);
        }
    }
}
