using System.Diagnostics;
using Wright.Core.Actions;
using Wright.Core.Tests.Git;

namespace Wright.Core.Tests.Actions;

/// <summary>
/// Kills a real process (SIGKILL, with its git children) in the middle of an ActionRun, then
/// recovers as the next start would: the workspace must be exactly at the safety point (the
/// user's edits intact) or exactly at the finished commit, never in between.
/// </summary>
public sealed class ActionRunCrashTests
{
    private const int FileCount = 20;
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Kill_AfterSomeFilesWereWritten_RecoveryRestoresTheSafetyPoint()
    {
        using var kit = await ActionRunTestKit.CreateAsync();
        var (before, _) = await ArrangeAsync(kit);

        await RunAndKillAsync(kit, "file:7", killAfterLine: "PAUSED");

        // The 13 files prepared but not yet renamed wait in the git directory, where git never sees them.
        Directory.EnumerateFiles(Path.Combine(kit.Root, ".git", "wright", "tmp")).Count().ShouldBe(FileCount - 7);
        (await kit.Repository.GitAsync("status", "--porcelain", "--untracked-files=all")).ShouldNotContain("tmp");
        var outcome = await kit.Runner.RecoverAsync(kit.Root, GitTestRepository.Timeout);

        outcome.ShouldBe(RecoveryOutcome.RolledBack);
        kit.Snapshot().ShouldBe(before);
        await AssertSettledAsync(kit);
        (await kit.Repository.GitAsync("show", "HEAD:file-03.txt")).ShouldBe("user edit 03\n");
    }

    [Fact]
    public async Task Kill_AfterTheCommitBeforeCleanup_RecoveryKeepsTheCommit()
    {
        using var kit = await ActionRunTestKit.CreateAsync();
        var (_, after) = await ArrangeAsync(kit);

        await RunAndKillAsync(kit, "committed", killAfterLine: "PAUSED");
        var outcome = await kit.Runner.RecoverAsync(kit.Root, GitTestRepository.Timeout);

        outcome.ShouldBe(RecoveryOutcome.Completed);
        kit.Snapshot().ShouldBe(after);
        await AssertSettledAsync(kit);
        (await kit.Repository.GitAsync("log", "-1", "--format=%s")).ShouldStartWith("feat(ai): [");
    }

    [Theory]
    [InlineData("STAGE FileWritten file-00.txt")]
    [InlineData("STAGE FileWritten file-09.txt")]
    [InlineData("STAGE FileWritten file-19.txt")]
    [InlineData("STAGE Committing ")]
    public async Task Kill_WhileRunningFreely_LeavesSafetyPointOrFinishedCommitAfterRecovery(string killAfterLine)
    {
        using var kit = await ActionRunTestKit.CreateAsync();
        var (before, after) = await ArrangeAsync(kit);

        await RunAndKillAsync(kit, "none", killAfterLine);
        var outcome = await kit.Runner.RecoverAsync(kit.Root, GitTestRepository.Timeout);

        var snapshot = kit.Snapshot();
        if (outcome == RecoveryOutcome.Completed || (outcome == RecoveryOutcome.NothingToRecover && snapshot.SequenceEqual(after)))
        {
            snapshot.ShouldBe(after);
            (await kit.Repository.GitAsync("log", "-1", "--format=%s")).ShouldStartWith("feat(ai): [");
        }
        else
        {
            outcome.ShouldBe(RecoveryOutcome.RolledBack);
            snapshot.ShouldBe(before);
        }

        await AssertSettledAsync(kit);
    }

    [Fact]
    public async Task NextRun_AfterACrash_RecoversFirstThenApplies()
    {
        using var kit = await ActionRunTestKit.CreateAsync();
        var (before, _) = await ArrangeAsync(kit);
        await RunAndKillAsync(kit, "file:3", killAfterLine: "PAUSED");

        var result = await kit.RunAsync("Next", new FileChangeAction([new WriteFile("next.txt", "next\n")]));

        result.Succeeded.ShouldBeTrue(result.Failure?.Detail);
        var snapshot = kit.Snapshot();
        snapshot.Remove("next.txt").ShouldBeTrue();
        snapshot.ShouldBe(before);
        await AssertSettledAsync(kit);
    }

    /// <summary>20 committed files, one of which (file-03) the user has edited without committing.</summary>
    private static async Task<(SortedDictionary<string, string> Before, SortedDictionary<string, string> After)> ArrangeAsync(ActionRunTestKit kit)
    {
        for (var i = 0; i < FileCount; i += 2)
        {
            kit.Repository.Write($"file-{i:00}.txt", $"original {i:00}\n");
        }

        await kit.Repository.GitAsync("add", "--all");
        await kit.Repository.GitAsync("commit", "--quiet", "-m", "base");
        kit.Repository.Write("file-03.txt", "user edit 03\n");
        var before = kit.Snapshot();
        var after = new SortedDictionary<string, string>(before, StringComparer.Ordinal);
        for (var i = 0; i < FileCount; i++)
        {
            after[$"file-{i:00}.txt"] = $"ai {i:00}\n";
        }

        return (before, after);
    }

    private static async Task RunAndKillAsync(ActionRunTestKit kit, string pause, string killAfterLine)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardInput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in (string[])[HelperPath(), kit.Root, FileCount.ToString(System.Globalization.CultureInfo.InvariantCulture), pause])
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        using var timeout = new CancellationTokenSource(Bound);
        var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
        var seen = new List<string>();
        try
        {
            while (true)
            {
                var line = await process.StandardOutput.ReadLineAsync(timeout.Token);
                if (line is null)
                {
                    // The helper finished before the kill point (a free run can outpace the reader); recovery then has nothing to do.
                    break;
                }

                seen.Add(line);
                if (line == killAfterLine || line.StartsWith("DONE", StringComparison.Ordinal) || line.StartsWith("FAILED", StringComparison.Ordinal))
                {
                    break;
                }
            }
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(timeout.Token);
        }

        seen.ShouldNotContain(l => l.StartsWith("FAILED", StringComparison.Ordinal), $"helper output: {string.Join(" | ", seen)}; stderr: {await stderr}");
        if (pause != "none")
        {
            seen.ShouldContain("PAUSED", $"helper output: {string.Join(" | ", seen)}; stderr: {await stderr}");
        }
    }

    /// <summary>No journal, no safety point, no temp file, no git lock left; and git's own view of the tree is consistent.</summary>
    private static async Task AssertSettledAsync(ActionRunTestKit kit)
    {
        var gitDir = Path.Combine(kit.Root, ".git");
        File.Exists(Path.Combine(gitDir, "wright", ActionRunJournal.FileName)).ShouldBeFalse();
        File.Exists(Path.Combine(gitDir, "index.lock")).ShouldBeFalse();
        (await kit.Repository.GitAsync("for-each-ref", "refs/wright/")).ShouldBeEmpty();
        Directory.EnumerateFiles(kit.Root, ".wright-tmp-*", SearchOption.AllDirectories).ShouldBeEmpty();
        var tempDirectory = Path.Combine(gitDir, "wright", "tmp");
        (Directory.Exists(tempDirectory) ? Directory.EnumerateFiles(tempDirectory) : []).ShouldBeEmpty();
        await kit.Repository.GitAsync("fsck", "--no-progress", "--connectivity-only");
    }

    private static string HelperPath()
    {
        // tests/Wright.Core.Tests/bin/<configuration>/<tfm>/ → tests/Wright.ActionRunCrashHelper/bin/<configuration>/<tfm>/
        var baseDirectory = new DirectoryInfo(AppContext.BaseDirectory);
        var tfm = baseDirectory.Name;
        var configuration = baseDirectory.Parent!.Name;
        var tests = baseDirectory.Parent.Parent!.Parent!.Parent!.FullName;
        var path = Path.Combine(tests, "Wright.ActionRunCrashHelper", "bin", configuration, tfm, "Wright.ActionRunCrashHelper.dll");
        File.Exists(path).ShouldBeTrue($"The crash helper is not built at {path}; build tests/Wright.ActionRunCrashHelper.");
        return path;
    }
}
