using Wright.Core.Git;
using Wright.Core.Workspace;

namespace Wright.Core.Tests.Git;

/// <summary>What git said about a watched workspace is reused until the workspace changes, and never after.</summary>
public sealed class WatchedGitStateTests
{
    [Fact]
    public async Task Status_WhileWatchedAndUnchanged_IsNotAskedAgainUntilTheWatcherReportsAChange()
    {
        using var repo = await GitTestRepository.CreateAsync();
        WatchedGitState.Watching(repo.Root);
        try
        {
            var first = await repo.Service.GetStatusAsync(repo.Root, GitTestRepository.Timeout);
            var second = await repo.Service.GetStatusAsync(repo.Root, GitTestRepository.Timeout);
            var listing = await repo.Service.ListWorkingTreeFilesAsync(repo.Root, GitTestRepository.Timeout);

            second.ShouldBeSameAs(first, "nothing changed, so git was not asked again");
            (await repo.Service.ListWorkingTreeFilesAsync(repo.Root, GitTestRepository.Timeout)).ShouldBeSameAs(listing);

            // What the directory watcher does when the kernel reports a write.
            repo.Write("new.txt", "hello");
            WatchedGitState.Changed(repo.Root);
            var after = await repo.Service.GetStatusAsync(repo.Root, GitTestRepository.Timeout);
            var listed = await repo.Service.ListWorkingTreeFilesAsync(repo.Root, GitTestRepository.Timeout);

            after.Entries.ShouldContain(e => e.Path == "new.txt");
            listed.ShouldContain("new.txt");
        }
        finally
        {
            WatchedGitState.NotWatching(repo.Root);
        }
    }

    [Fact]
    public async Task Status_AfterAChangeThroughTheProjectGate_IsReadAgainAtOnce()
    {
        using var repo = await GitTestRepository.CreateAsync();
        WatchedGitState.Watching(repo.Root);
        try
        {
            var before = await repo.Service.GetStatusAsync(repo.Root, GitTestRepository.Timeout);
            before.Entries.ShouldNotContain(e => e.Path == "saved.txt");

            // An API save or an ActionRun: no notification needed, the gate says it changed.
            await ProjectGate.RunAsync(repo.Root, () => Task.FromResult(WriteAndReturn(repo, "saved.txt")), GitTestRepository.Timeout);
            var after = await repo.Service.GetStatusAsync(repo.Root, GitTestRepository.Timeout);

            after.Entries.ShouldContain(e => e.Path == "saved.txt");
        }
        finally
        {
            WatchedGitState.NotWatching(repo.Root);
        }
    }

    [Fact]
    public async Task Status_OfAnUnwatchedProject_IsAlwaysAskedAgain()
    {
        using var repo = await GitTestRepository.CreateAsync();
        WatchedGitState.Watching(repo.Root);
        WatchedGitState.NotWatching(repo.Root);

        var first = await repo.Service.GetStatusAsync(repo.Root, GitTestRepository.Timeout);
        repo.Write("unseen.txt", "no watcher reports this");
        var second = await repo.Service.GetStatusAsync(repo.Root, GitTestRepository.Timeout);

        second.ShouldNotBeSameAs(first);
        second.Entries.ShouldContain(e => e.Path == "unseen.txt");
    }

    private static bool WriteAndReturn(GitTestRepository repo, string path)
    {
        repo.Write(path, "written under the gate");
        return true;
    }
}
