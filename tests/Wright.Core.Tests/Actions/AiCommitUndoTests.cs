using Wright.Core.Actions;
using Wright.Core.Errors;
using Wright.Core.Tests.Git;

namespace Wright.Core.Tests.Actions;

public sealed class AiCommitUndoTests
{
    [Fact]
    public async Task Undo_SafeAiCommit_RestoresEveryFileAndMovesHeadBack()
    {
        using var kit = await ActionRunTestKit.CreateAsync();
        kit.Repository.Write("keep.txt", "keep\n");
        await kit.Repository.GitAsync("add", "--all");
        await kit.Repository.GitAsync("commit", "--quiet", "-m", "base");
        var parent = await kit.Repository.HeadAsync();
        var run = await kit.RunAsync("Change", new FileChangeAction([new WriteFile("new.txt", "new\n"), new EditFile("readme.md", "test", "changed"), new DeleteFile("keep.txt")]));
        run.Succeeded.ShouldBeTrue(run.Failure?.Detail);
        kit.Repository.Write("unrelated.txt", "user's own\n");

        var result = await kit.Undo.UndoLastAsync(ActionRunTestKit.ProjectId, kit.Root, run.Commit!.Sha[..12], GitTestRepository.Timeout);

        result.UndoneSha.ShouldBe(run.Commit.Sha);
        (await kit.Repository.HeadAsync()).ShouldBe(parent);
        kit.Repository.Read("readme.md").ShouldBe("# test\n");
        kit.Repository.Read("keep.txt").ShouldBe("keep\n");
        File.Exists(kit.Repository.PathOf("new.txt")).ShouldBeFalse();
        kit.Repository.Read("unrelated.txt").ShouldBe("user's own\n");
        (await kit.StatusAsync()).ShouldBe("?? unrelated.txt");
    }

    [Fact]
    public async Task Undo_HeadIsTheUsersCommit_RefusesAsNotAnAiCommit()
    {
        using var kit = await ActionRunTestKit.CreateAsync();
        var head = await kit.Repository.HeadAsync();

        var error = await Should.ThrowAsync<WrightException>(() => kit.Undo.UndoLastAsync(ActionRunTestKit.ProjectId, kit.Root, null, GitTestRepository.Timeout));

        error.Code.ShouldBe(ActionErrorCodes.UndoNotAiCommit);
        (await kit.Repository.HeadAsync()).ShouldBe(head);
    }

    [Fact]
    public async Task Undo_AiCommitOfAnotherProject_Refuses()
    {
        using var kit = await ActionRunTestKit.CreateAsync();
        var run = await kit.RunAsync("Change", new FileChangeAction([new WriteFile("a.txt", "a\n")]));

        var error = await Should.ThrowAsync<WrightException>(() => kit.Undo.UndoLastAsync(Guid.NewGuid(), kit.Root, null, GitTestRepository.Timeout));

        error.Code.ShouldBe(ActionErrorCodes.UndoNotAiCommit);
        error.Message.ShouldContain("another Wright project");
        (await kit.Repository.HeadAsync()).ShouldBe(run.Commit!.Sha);
    }

    [Fact]
    public async Task Undo_CommitTheClientDoesNotSeeAsHead_Refuses()
    {
        using var kit = await ActionRunTestKit.CreateAsync();
        var first = await kit.RunAsync("One", new FileChangeAction([new WriteFile("a.txt", "a\n")]));
        var second = await kit.RunAsync("Two", new FileChangeAction([new WriteFile("b.txt", "b\n")]));

        var error = await Should.ThrowAsync<WrightException>(() => kit.Undo.UndoLastAsync(ActionRunTestKit.ProjectId, kit.Root, first.Commit!.Sha, GitTestRepository.Timeout));

        error.Code.ShouldBe(ActionErrorCodes.UndoNotHead);
        (await kit.Repository.HeadAsync()).ShouldBe(second.Commit!.Sha);
    }

    [Fact]
    public async Task Undo_PushedCommit_Refuses()
    {
        using var kit = await ActionRunTestKit.CreateAsync();
        var remote = Path.Combine(Path.GetTempPath(), $"wright-undo-remote-{Guid.NewGuid():N}");
        try
        {
            await kit.Repository.GitAsync("init", "--quiet", "--bare", remote);
            await kit.Repository.GitAsync("remote", "add", "origin", remote);
            var run = await kit.RunAsync("Change", new FileChangeAction([new WriteFile("a.txt", "a\n")]));
            await kit.Repository.GitAsync("push", "--quiet", "origin", "main");

            var error = await Should.ThrowAsync<WrightException>(() => kit.Undo.UndoLastAsync(ActionRunTestKit.ProjectId, kit.Root, null, GitTestRepository.Timeout));

            error.Code.ShouldBe(ActionErrorCodes.UndoCommitPushed);
            error.Message.ShouldContain("origin/main");
            (await kit.Repository.HeadAsync()).ShouldBe(run.Commit!.Sha);
        }
        finally
        {
            Directory.Delete(remote, recursive: true);
        }
    }

    [Fact]
    public async Task Undo_UncommittedEditsOnTheCommitsFiles_RefusesAndKeepsThem()
    {
        using var kit = await ActionRunTestKit.CreateAsync();
        var run = await kit.RunAsync("Change", new FileChangeAction([new WriteFile("a.txt", "a\n")]));
        kit.Repository.Write("a.txt", "a\nuser edit\n");

        var error = await Should.ThrowAsync<WrightException>(() => kit.Undo.UndoLastAsync(ActionRunTestKit.ProjectId, kit.Root, null, GitTestRepository.Timeout));

        error.Code.ShouldBe(ActionErrorCodes.UndoUncommittedChanges);
        error.Message.ShouldContain("a.txt");
        kit.Repository.Read("a.txt").ShouldBe("a\nuser edit\n");
        (await kit.Repository.HeadAsync()).ShouldBe(run.Commit!.Sha);
    }

    [Fact]
    public async Task Undo_AiCommitIsTheFirstCommit_RefusesAsRootCommit()
    {
        using var kit = await ActionRunTestKit.CreateAsync();
        await kit.Repository.GitAsync("update-ref", "-d", "HEAD");
        await kit.Repository.GitAsync("rm", "--quiet", "--cached", "readme.md");
        File.Delete(kit.Repository.PathOf("readme.md"));
        var run = await kit.RunAsync("Start", new FileChangeAction([new WriteFile("a.txt", "a\n")]));
        run.Succeeded.ShouldBeTrue(run.Failure?.Detail);

        var error = await Should.ThrowAsync<WrightException>(() => kit.Undo.UndoLastAsync(ActionRunTestKit.ProjectId, kit.Root, null, GitTestRepository.Timeout));

        error.Code.ShouldBe(ActionErrorCodes.UndoRootCommit);
        (await kit.CommitCountAsync()).ShouldBe(1);
    }
}
