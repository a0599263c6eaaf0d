using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Wright.Core.Events;
using Wright.Core.Git;

namespace Wright.Core.Tests.Events;

public sealed class GitIgnoreRulesTests : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);
    private readonly string _root = Path.Combine(Path.GetTempPath(), $"wright-ignore-{Guid.NewGuid():N}");

    public GitIgnoreRulesTests()
    {
        Directory.CreateDirectory(_root);
        using var init = Process.Start(new ProcessStartInfo("git", ["init", "-q", _root]) { UseShellExecute = false })!;
        init.WaitForExit(Bound);
        init.ExitCode.ShouldBe(0);
        File.WriteAllText(Path.Combine(_root, ".gitignore"), "*.log\nbuild/\n");
    }

    [Fact]
    public async Task IgnoredAsync_MixedPaths_ReturnsWhatGitIgnoresIncludingDirectoryForms()
    {
        var rules = new GitIgnoreRules(_root, new GitRunner(), NullLogger.Instance);

        var ignored = await rules.IgnoredAsync(["a.log", "src/a.cs", "build/", "build/x/y.o", "docs/read me.md"], CancellationToken.None).WaitAsync(Bound);

        ignored.OrderBy(p => p, StringComparer.Ordinal).ShouldBe(["a.log", "build/", "build/x/y.o"]);
    }

    [Fact]
    public async Task IgnoredAsync_AfterGitignoreChangedAndInvalidate_UsesTheNewRules()
    {
        var rules = new GitIgnoreRules(_root, new GitRunner(), NullLogger.Instance);
        (await rules.IgnoredAsync(["notes.tmp"], CancellationToken.None).WaitAsync(Bound)).ShouldBeEmpty();

        await File.AppendAllTextAsync(Path.Combine(_root, ".gitignore"), "*.tmp\n");
        var cached = await rules.IgnoredAsync(["notes.tmp"], CancellationToken.None).WaitAsync(Bound);
        rules.Invalidate();
        var reloaded = await rules.IgnoredAsync(["notes.tmp"], CancellationToken.None).WaitAsync(Bound);

        cached.ShouldBeEmpty();
        reloaded.ShouldBe(["notes.tmp"]);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp directory harms no other test; the OS cleans the temp folder.
        }
    }
}
