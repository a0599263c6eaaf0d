using Wright.Core.Context;
using Wright.Core.Tests.Git;

namespace Wright.Core.Tests.Context;

/// <summary>
/// A restarted server's first scan reads its stored symbols while git answers, and asks git's log
/// beside its status: what it sees must still be the workspace as it is now.
/// </summary>
public sealed class ColdScanTests : IDisposable
{
    private readonly string _store = Path.Combine(Path.GetTempPath(), $"wright-symbols-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_store))
        {
            Directory.Delete(_store, recursive: true);
        }
    }

    [Fact]
    public async Task Scan_AfterARestart_LeavesOutAFileDeletedAndAFileIgnoredMeanwhile()
    {
        using var kit = await ContextTestKit.CreateAsync(_store);
        kit.Repository.Write("src/Invoice.cs", "public sealed class InvoiceCalculator\n{\n}\n");
        kit.Repository.Write("src/Receipt.cs", "public sealed class ReceiptPrinter\n{\n}\n");
        kit.Repository.Write("src/Label.cs", "public sealed class LabelPrinter\n{\n}\n");
        await kit.CommitAllAsync();
        var before = await kit.Scanner.ScanAsync(kit.Request("anything"), GitTestRepository.Timeout);

        File.Delete(kit.Repository.PathOf("src/Receipt.cs"));
        await kit.Repository.GitAsync("rm", "--cached", "--quiet", "src/Label.cs");
        kit.Repository.Write(".gitignore", "src/Label.cs\n");
        var after = await kit.Restarted(_store).Scanner.ScanAsync(kit.Request("anything"), GitTestRepository.Timeout);

        before.Files.Keys.ShouldBe(["readme.md", "src/Invoice.cs", "src/Label.cs", "src/Receipt.cs"], ignoreOrder: true);
        after.Files.Keys.ShouldBe([".gitignore", "readme.md", "src/Invoice.cs"], ignoreOrder: true);
        after.Symbols.Select(s => s.Path).ShouldBe([".gitignore", "readme.md", "src/Invoice.cs"]);
        after.Symbols.Single(s => s.Path == "src/Invoice.cs").Definitions.Select(d => d.Name).ShouldBe(["InvoiceCalculator"]);
    }

    [Fact]
    public async Task RecentChanges_WithAMergeAtHead_WeighTheMergedBranchesCommits_AndFollowTheNextCommit()
    {
        using var kit = await ContextTestKit.CreateAsync();
        var repo = kit.Repository;
        repo.Write("base.txt", "base\n");
        await kit.CommitAllAsync("base");
        await repo.GitAsync("checkout", "--quiet", "-b", "side");
        repo.Write("side.txt", "side\n");
        await kit.CommitAllAsync("side");
        await repo.GitAsync("checkout", "--quiet", "-");
        repo.Write("main.txt", "main\n");
        await kit.CommitAllAsync("main");
        await repo.GitAsync("merge", "--quiet", "--no-edit", "side");

        // HEAD is the merge, which the log skips: the weights are still HEAD's history, newest first.
        var merged = await kit.Scanner.ScanAsync(kit.Request("anything"), GitTestRepository.Timeout);
        repo.Write("next.txt", "next\n");
        await kit.CommitAllAsync("next");
        var next = await kit.Scanner.ScanAsync(kit.Request("anything"), GitTestRepository.Timeout);

        merged.RecentChanges.Keys.ShouldBe(["main.txt", "side.txt", "base.txt", "readme.md"], ignoreOrder: true);
        merged.RecentChanges.Values.Max().ShouldBe(1.0);
        merged.RecentChanges["base.txt"].ShouldBeLessThan(merged.RecentChanges["side.txt"]);
        next.RecentChanges["next.txt"].ShouldBe(1.0);
        next.RecentChanges.Keys.ShouldContain("side.txt");
    }

    [Fact]
    public async Task RecentChanges_OnABranchWithoutCommits_AreEmpty()
    {
        using var kit = await ContextTestKit.CreateAsync();
        await kit.Repository.GitAsync("checkout", "--quiet", "--orphan", "unborn");
        kit.Repository.Write("draft.txt", "draft\n");

        var snapshot = await kit.Scanner.ScanAsync(kit.Request("anything"), GitTestRepository.Timeout);

        snapshot.RecentChanges.ShouldBeEmpty();
        snapshot.Files.Keys.ShouldContain("draft.txt");
    }
}
