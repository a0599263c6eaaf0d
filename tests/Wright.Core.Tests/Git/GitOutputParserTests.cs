using Wright.Core.Git;

namespace Wright.Core.Tests.Git;

public sealed class GitOutputParserTests
{
    private const string Sha1 = "1111111111111111111111111111111111111111";
    private const string Sha2 = "2222222222222222222222222222222222222222";

    [Fact]
    public void ParseStatus_BranchHeadersAndEveryRecordKind_ParsesEachField()
    {
        var output = string.Join('\0',
            "# branch.oid " + Sha1,
            "# branch.head feature/x",
            "# branch.upstream origin/feature/x",
            "# branch.ab +2 -3",
            $"1 .M N... 100644 100644 100644 {Sha1} {Sha1} path with spaces.txt",
            $"2 R. N... 100644 100644 100644 {Sha1} {Sha1} R100 new name.txt",
            "old name.txt",
            $"u UU N... 100644 100644 100644 100644 {Sha1} {Sha1} {Sha1} conflict.txt",
            "? line\nbreak.txt",
            "") ;

        var status = GitOutputParser.ParseStatus(output, outputTruncated: false, maxEntries: 100);

        status.Branch.ShouldBe("feature/x");
        status.Head.ShouldBe(Sha1);
        status.Upstream.ShouldBe("origin/feature/x");
        status.Ahead.ShouldBe(2);
        status.Behind.ShouldBe(3);
        status.Truncated.ShouldBeFalse();
        status.Entries.ShouldBe(
        [
            new GitStatusEntry("path with spaces.txt", null, GitChange.Unmodified, GitChange.Modified),
            new GitStatusEntry("new name.txt", "old name.txt", GitChange.Renamed, GitChange.Unmodified),
            new GitStatusEntry("conflict.txt", null, GitChange.Unmerged, GitChange.Unmerged),
            new GitStatusEntry("line\nbreak.txt", null, GitChange.Unmodified, GitChange.Untracked),
        ]);
    }

    [Fact]
    public void ParseStatus_DetachedBeforeFirstCommit_HasNoBranchAndNoHead()
    {
        var status = GitOutputParser.ParseStatus("# branch.oid (initial)\0# branch.head (detached)\0", outputTruncated: false, maxEntries: 100);

        status.Branch.ShouldBeNull();
        status.Head.ShouldBeNull();
        status.IsClean.ShouldBeTrue();
    }

    [Fact]
    public void ParseStatus_OutputCutInsideARecord_DropsThePartialRecordAndSaysTruncated()
    {
        var output = "# branch.head main\0? complete.txt\0? incompl";

        var status = GitOutputParser.ParseStatus(output, outputTruncated: true, maxEntries: 100);

        status.Entries.Select(e => e.Path).ShouldBe(["complete.txt"]);
        status.Truncated.ShouldBeTrue();
        status.IsClean.ShouldBeFalse();
    }

    [Fact]
    public void ParseStatus_MoreEntriesThanTheCap_KeepsTheCapAndSaysTruncated()
    {
        var output = string.Concat(Enumerable.Range(0, 10).Select(i => $"? f{i}.txt\0"));

        var status = GitOutputParser.ParseStatus(output, outputTruncated: false, maxEntries: 4);

        status.Entries.Count.ShouldBe(4);
        status.Truncated.ShouldBeTrue();
    }

    [Fact]
    public void ParseLog_TwoCommitsWithRawAndNumstat_JoinsFilesAndCounts()
    {
        var output =
            Header(Sha2, Sha1, "Second", "Body line\n\nKey: value\n", "Key\u001cvalue")
            + "\n:100644 100644 aaaaaaa bbbbbbb M\0a.txt\0:100644 100644 aaaaaaa aaaaaaa R090\0old.txt\0new.txt\0:000000 100644 0000000 ccccccc A\0img.png\0"
            + "3\t1\ta.txt\0" + "1\t1\t\0old.txt\0new.txt\0" + "-\t-\timg.png\0"
            + Header(Sha1, "", "First", "", "");

        var (commits, truncated) = GitOutputParser.ParseLog(output, outputTruncated: false, maxFilesPerCommit: 100);

        truncated.ShouldBeFalse();
        commits.Count.ShouldBe(2);
        var second = commits[0];
        second.Sha.ShouldBe(Sha2);
        second.Parents.ShouldBe([Sha1]);
        second.Subject.ShouldBe("Second");
        second.Body.ShouldBe("Body line\n\nKey: value");
        second.Trailers.ShouldBe([new GitTrailer("Key", "value")]);
        second.Author.ShouldBe(new GitPerson("Ann Author", "ann@example.com", DateTimeOffset.Parse("2024-05-06T07:08:09+02:00", System.Globalization.CultureInfo.InvariantCulture)));
        second.Files.ShouldBe(
        [
            new GitCommitFile("a.txt", null, GitChange.Modified, 3, 1),
            new GitCommitFile("new.txt", "old.txt", GitChange.Renamed, 1, 1),
            new GitCommitFile("img.png", null, GitChange.Added, null, null),
        ]);
        commits[1].Parents.ShouldBeEmpty();
        commits[1].Files.ShouldBeEmpty();
    }

    [Fact]
    public void ParseLog_OutputCutInsideTheFiles_KeepsTheCommitWithFilesTruncated()
    {
        var output = Header(Sha2, Sha1, "Big", "", "") + "\n:100644 100644 aaaaaaa bbbbbbb M\0a.txt\0:100644 100644 aaaaaaa bbbbbbb M\0b.t";

        var (commits, truncated) = GitOutputParser.ParseLog(output, outputTruncated: true, maxFilesPerCommit: 100);

        truncated.ShouldBeTrue();
        var commit = commits.ShouldHaveSingleItem();
        commit.Files.Select(f => f.Path).ShouldBe(["a.txt"]);
        commit.FilesTruncated.ShouldBeTrue();
    }

    [Fact]
    public void ParseLog_OutputCutInsideAHeader_DropsThatCommit()
    {
        var output = Header(Sha2, Sha1, "Whole", "", "") + "\u001e" + Sha1 + "\u001f";

        var (commits, truncated) = GitOutputParser.ParseLog(output, outputTruncated: true, maxFilesPerCommit: 100);

        commits.Select(c => c.Subject).ShouldBe(["Whole"]);
        truncated.ShouldBeTrue();
    }

    [Fact]
    public void SplitPatch_TwoFiles_ReturnsOneSectionEach()
    {
        var patch = "diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1 +1 @@\n-diff --git lookalike\n+y\ndiff --git a/z b/z\nnew file mode 100644\n";

        var sections = GitOutputParser.SplitPatch(patch);

        sections.Count.ShouldBe(2);
        sections[0].ShouldEndWith("+y\n");
        sections[1].ShouldStartWith("diff --git a/z b/z\n");
        string.Concat(sections).ShouldBe(patch);
    }

    private static string Header(string sha, string parents, string subject, string body, string trailers) =>
        $"\u001e{sha}\u001f{parents}\u001fAnn Author\u001fann@example.com\u001f2024-05-06T07:08:09+02:00\u001fCid Committer\u001fcid@example.com\u001f2024-05-06T08:00:00+00:00\u001f{trailers}\u001f{subject}\u001f{body}\0";
}
