using Wright.Core.Errors;
using Wright.Core.Git;
using Wright.Core.Paging;

namespace Wright.Core.Tests.Git;

public sealed class GitServiceTests
{
    [Fact]
    public async Task GetStatus_UnusualFileNames_ReturnsThemExactly()
    {
        using var repo = await GitTestRepository.CreateAsync();
        string[] names = ["with space.txt", "new\nline.txt", "ünïcødé.txt", "quote\"d.txt", "-dash.txt"];
        foreach (var name in names)
        {
            repo.Write(name, "x\n");
        }

        var status = await repo.Service.GetStatusAsync(repo.Root, GitTestRepository.Timeout);

        status.Entries.Select(e => e.Path).Order(StringComparer.Ordinal).ShouldBe(names.Order(StringComparer.Ordinal));
        status.Entries.ShouldAllBe(e => e.Worktree == GitChange.Untracked);
    }

    [Fact]
    public async Task Commit_UnusualFileNames_AppearInTheLogExactly()
    {
        using var repo = await GitTestRepository.CreateAsync();
        repo.Write("new\nline.txt", "a\n");
        repo.Write("ünïcødé dir/f.txt", "b\n");

        var commit = await repo.Service.CommitAsync(repo.Root, "Odd names", null, null, GitTestRepository.Timeout);

        commit.Files.Select(f => f.Path).Order(StringComparer.Ordinal).ShouldBe(["new\nline.txt", "ünïcødé dir/f.txt"]);
        var log = await repo.Service.GetLogAsync(repo.Root, new PageRequest(10, null), null, GitTestRepository.Timeout);
        log.Commits[0].Files.ShouldBe(commit.Files);
    }

    [Fact]
    public async Task Commit_PathWithGlobCharacters_CommitsOnlyThatLiteralFile()
    {
        using var repo = await GitTestRepository.CreateAsync();
        repo.Write("*.txt", "star\n");
        repo.Write("a.txt", "a\n");
        repo.Write(":(top)b.txt", "magic\n");

        var commit = await repo.Service.CommitAsync(repo.Root, "Literal", ["*.txt", ":(top)b.txt"], null, GitTestRepository.Timeout);

        commit.Files.Select(f => f.Path).Order(StringComparer.Ordinal).ShouldBe(["*.txt", ":(top)b.txt"]);
        var status = await repo.Service.GetStatusAsync(repo.Root, GitTestRepository.Timeout);
        status.Entries.Select(e => e.Path).ShouldBe(["a.txt"]);
    }

    [Fact]
    public async Task Commit_DeletedFile_IsCommittedAsADeletion()
    {
        using var repo = await GitTestRepository.CreateAsync();
        File.Delete(repo.PathOf("readme.md"));

        var commit = await repo.Service.CommitAsync(repo.Root, "Remove readme", ["readme.md"], null, GitTestRepository.Timeout);

        commit.Files.ShouldBe([new GitCommitFile("readme.md", null, GitChange.Deleted, 0, 1)]);
    }

    [Fact]
    public async Task Commit_UnknownPath_ThrowsFileNotFound()
    {
        using var repo = await GitTestRepository.CreateAsync();

        var error = await Should.ThrowAsync<WrightException>(() => repo.Service.CommitAsync(repo.Root, "x", ["nope.txt"], null, GitTestRepository.Timeout));

        error.Code.ShouldBe(ErrorCodes.FileNotFound);
    }

    [Fact]
    public async Task Commit_MessageStartingWithDash_IsKeptAsTheMessage()
    {
        using var repo = await GitTestRepository.CreateAsync();
        repo.Write("a.txt", "a\n");

        var commit = await repo.Service.CommitAsync(repo.Root, "--amend is not an option here", null, [new("Co-authored-by", "Bot <bot@example.com>")], GitTestRepository.Timeout);

        commit.Subject.ShouldBe("--amend is not an option here");
        commit.Parents.Count.ShouldBe(1);
        commit.Trailers.ShouldBe([new GitTrailer("Co-authored-by", "Bot <bot@example.com>")]);
    }

    [Fact]
    public async Task GetLog_BinaryAndTypeChange_ReportsChangeKindsAndNoLineCounts()
    {
        using var repo = await GitTestRepository.CreateAsync();
        await File.WriteAllBytesAsync(repo.PathOf("image.bin"), [0, 1, 2, 0, 255, 0]);
        repo.Write("target.txt", "t\n");
        await repo.Service.CommitAsync(repo.Root, "Binary", null, null, GitTestRepository.Timeout);
        File.Delete(repo.PathOf("target.txt"));
        File.CreateSymbolicLink(repo.PathOf("target.txt"), "readme.md");

        var commit = await repo.Service.CommitAsync(repo.Root, "Type change", null, null, GitTestRepository.Timeout);
        var diff = await repo.Service.GetCommitDiffAsync(repo.Root, commit.Sha, GitService.DefaultMaxPatchChars, GitTestRepository.Timeout);
        var log = await repo.Service.GetLogAsync(repo.Root, new PageRequest(10, null), null, GitTestRepository.Timeout);

        commit.Files.ShouldHaveSingleItem().Change.ShouldBe(GitChange.TypeChanged);
        var typeChange = diff.Files.ShouldHaveSingleItem();
        typeChange.Patch!.ShouldContain("deleted file mode 100644");
        typeChange.Patch!.ShouldContain("new file mode 120000");
        var binary = log.Commits[1].Files.Single(f => f.Path == "image.bin");
        binary.Additions.ShouldBeNull();
        binary.Deletions.ShouldBeNull();
        var binaryDiff = await repo.Service.GetCommitDiffAsync(repo.Root, log.Commits[1].Sha, GitService.DefaultMaxPatchChars, GitTestRepository.Timeout);
        binaryDiff.Files.Single(f => f.File.Path == "image.bin").Binary.ShouldBeTrue();
        binaryDiff.Files.Single(f => f.File.Path == "target.txt").Binary.ShouldBeFalse();
    }

    [Fact]
    public async Task GetLog_MergeCommit_ListsFilesAgainstTheFirstParent()
    {
        using var repo = await GitTestRepository.CreateAsync();
        await repo.GitAsync("switch", "--quiet", "-c", "side");
        repo.Write("side.txt", "side\n");
        await repo.GitAsync("add", "--all");
        await repo.GitAsync("commit", "--quiet", "-m", "Side");
        await repo.GitAsync("switch", "--quiet", "main");
        repo.Write("main.txt", "main\n");
        await repo.GitAsync("add", "--all");
        await repo.GitAsync("commit", "--quiet", "-m", "Main");
        await repo.GitAsync("merge", "--quiet", "--no-ff", "-m", "Merge side", "side");

        var merge = await repo.Service.GetCommitAsync(repo.Root, "HEAD", GitTestRepository.Timeout);

        merge.Parents.Count.ShouldBe(2);
        merge.Files.Select(f => f.Path).ShouldBe(["side.txt"]);
    }

    [Fact]
    public async Task GetLog_EmptyRepository_ReturnsAnEmptyPage()
    {
        using var repo = await GitTestRepository.CreateAsync();
        await repo.GitAsync("switch", "--quiet", "--orphan", "empty");

        var log = await repo.Service.GetLogAsync(repo.Root, new PageRequest(10, null), null, GitTestRepository.Timeout);

        log.Commits.ShouldBeEmpty();
        log.NextCursor.ShouldBeNull();
    }

    [Fact]
    public async Task GetStatus_BranchWithUpstream_ReportsAheadAndBehind()
    {
        using var origin = await GitTestRepository.CreateAsync();
        using var clone = await GitTestRepository.CreateAsync();
        await clone.GitAsync("remote", "add", "origin", origin.Root);
        await clone.GitAsync("fetch", "--quiet", "origin");
        await clone.GitAsync("reset", "--quiet", "--hard", "origin/main");
        await clone.GitAsync("branch", "--quiet", "--set-upstream-to=origin/main");
        origin.Write("o.txt", "o\n");
        await origin.Service.CommitAsync(origin.Root, "Origin ahead", null, null, GitTestRepository.Timeout);
        await clone.GitAsync("fetch", "--quiet", "origin");
        clone.Write("c.txt", "c\n");
        await clone.Service.CommitAsync(clone.Root, "Clone ahead", null, null, GitTestRepository.Timeout);

        var status = await clone.Service.GetStatusAsync(clone.Root, GitTestRepository.Timeout);
        var branches = await clone.Service.ListBranchesAsync(clone.Root, GitTestRepository.Timeout);

        status.Upstream.ShouldBe("origin/main");
        (status.Ahead, status.Behind).ShouldBe((1, 1));
        branches.ShouldHaveSingleItem().ShouldBe(new GitBranch("main", await clone.HeadAsync(), true, "origin/main", 1, 1));
    }

    [Fact]
    public async Task ResetToSafetyPoint_AfterEditsAndACommit_RestoresEveryFileAndTheBranch()
    {
        using var repo = await GitTestRepository.CreateAsync();
        repo.Write(".gitignore", "*.log\n");
        repo.Write("tracked.txt", "committed\n");
        repo.Write("doomed.txt", "committed\n");
        await repo.Service.CommitAsync(repo.Root, "Base", null, null, GitTestRepository.Timeout);
        var head = await repo.HeadAsync();
        repo.Write("tracked.txt", "uncommitted edit\n");
        File.Delete(repo.PathOf("doomed.txt"));
        repo.Write("untracked.txt", "untracked\n");
        repo.Write("staged.txt", "staged\n");
        await repo.GitAsync("add", "staged.txt");

        var point = await repo.Service.CreateSafetyPointAsync(repo.Root, GitTestRepository.Timeout);

        point.Head.ShouldBe(head);
        point.Branch.ShouldBe("main");
        point.Ref.ShouldBe(GitService.SafetyPointRefPrefix + point.Id);
        (await repo.GitAsync("status", "--porcelain")).ShouldBe(" D doomed.txt\nA  staged.txt\n M tracked.txt\n?? untracked.txt\n");

        repo.Write("tracked.txt", "ai broke it\n");
        repo.Write("doomed.txt", "resurrected\n");
        repo.Write("untracked.txt", "changed\n");
        repo.Write("new/created.txt", "created by the run\n");
        repo.Write("run.log", "ignored output\n");
        await repo.Service.CommitAsync(repo.Root, "AI commit", null, null, GitTestRepository.Timeout);

        var status = await repo.Service.ResetToSafetyPointAsync(repo.Root, point.Id, GitTestRepository.Timeout);

        (await repo.HeadAsync()).ShouldBe(head);
        repo.Read("tracked.txt").ShouldBe("uncommitted edit\n");
        File.Exists(repo.PathOf("doomed.txt")).ShouldBeFalse();
        repo.Read("untracked.txt").ShouldBe("untracked\n");
        repo.Read("staged.txt").ShouldBe("staged\n");
        Directory.Exists(repo.PathOf("new")).ShouldBeFalse();
        repo.Read("run.log").ShouldBe("ignored output\n");
        (await repo.GitAsync("status", "--porcelain")).ShouldBe(" D doomed.txt\nA  staged.txt\n M tracked.txt\n?? untracked.txt\n");
        status.Branch.ShouldBe("main");
        status.Entries.Count.ShouldBe(4);
    }

    [Fact]
    public async Task ResetToSafetyPoint_AfterSwitchingBranch_ReturnsToTheRecordedBranch()
    {
        using var repo = await GitTestRepository.CreateAsync();
        var point = await repo.Service.CreateSafetyPointAsync(repo.Root, GitTestRepository.Timeout);
        await repo.Service.CreateBranchAsync(repo.Root, "elsewhere", null, switchTo: true, GitTestRepository.Timeout);
        repo.Write("e.txt", "e\n");
        await repo.Service.CommitAsync(repo.Root, "Elsewhere", null, null, GitTestRepository.Timeout);
        var elsewhere = await repo.HeadAsync();

        await repo.Service.ResetToSafetyPointAsync(repo.Root, point.Id, GitTestRepository.Timeout);

        (await repo.GitAsync("symbolic-ref", "--short", "HEAD")).Trim().ShouldBe("main");
        (await repo.HeadAsync()).ShouldBe(point.Head);
        (await repo.GitAsync("rev-parse", "elsewhere")).Trim().ShouldBe(elsewhere);
    }

    [Fact]
    public async Task CreateSafetyPoint_LeavesIndexWorkingTreeAndBranchesAsTheyWere()
    {
        using var repo = await GitTestRepository.CreateAsync();
        repo.Write("staged.txt", "s\n");
        await repo.GitAsync("add", "staged.txt");
        repo.Write("loose.txt", "l\n");
        var before = await repo.GitAsync("status", "--porcelain");

        var point = await repo.Service.CreateSafetyPointAsync(repo.Root, GitTestRepository.Timeout);

        (await repo.GitAsync("status", "--porcelain")).ShouldBe(before);
        (await repo.GitAsync("for-each-ref", "--format=%(refname)", "refs/heads/")).Trim().ShouldBe("refs/heads/main");
        (await repo.GitAsync("ls-tree", "-r", "--name-only", point.Snapshot)).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .ShouldBe(["loose.txt", "readme.md", "staged.txt"]);
        Directory.EnumerateFiles(Path.Combine(repo.Root, ".git"), "wright-safety-*").ShouldBeEmpty();
    }

    [Theory]
    [InlineData("0123")]
    [InlineData("../../heads/main")]
    [InlineData("0123456789abcdef0123456789abcdef")]
    public async Task ResetToSafetyPoint_UnknownOrMalformedId_ThrowsSafetyPointNotFound(string id)
    {
        using var repo = await GitTestRepository.CreateAsync();

        var error = await Should.ThrowAsync<WrightException>(() => repo.Service.ResetToSafetyPointAsync(repo.Root, id, GitTestRepository.Timeout));

        error.Code.ShouldBe(ErrorCodes.SafetyPointNotFound);
    }

    [Theory]
    [InlineData("/srv/repos/app")]
    [InlineData("file:///srv/repos/app")]
    [InlineData("https://github.com/org/app.git")]
    [InlineData("ssh://git@example.com/org/app.git")]
    [InlineData("git@github.com:org/app.git")]
    public void ValidateCloneUrl_SupportedForms_AreAccepted(string url) =>
        Should.NotThrow(() => GitService.ValidateCloneUrl(url));

    [Theory]
    [InlineData("--upload-pack=touch x")]
    [InlineData("-u")]
    [InlineData("ext::sh -c id")]
    [InlineData("transport::x")]
    [InlineData("ftp://example.com/x")]
    [InlineData("relative/path")]
    [InlineData("")]
    [InlineData("https://example.com/x\n--config")]
    public void ValidateCloneUrl_UnsafeForms_ThrowCloneUrlInvalid(string url) =>
        Should.Throw<WrightException>(() => GitService.ValidateCloneUrl(url)).Code.ShouldBe(ErrorCodes.CloneUrlInvalid);
}
