using Microsoft.Extensions.Logging.Abstractions;
using Wright.Core.Git;
using Wright.Core.Projects;
using Wright.Core.Workspace;

namespace Wright.Core.Tests.Workspace;

public sealed class FileTreeTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), $"wright-tree-{Guid.NewGuid():N}");

    public FileTreeTests()
    {
        Directory.CreateDirectory(_root);
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private Project Project => new(Guid.NewGuid(), "tree", _root, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, null);

    [Fact]
    public async Task ListAsync_MoreEntriesThanTheCap_ReturnsShallowLevelsFirstAndSaysTruncated()
    {
        Directory.CreateDirectory(Path.Combine(_root, "many"));
        for (var i = 0; i < FileTree.MaxEntries; i++)
        {
            File.WriteAllBytes(Path.Combine(_root, "many", $"f{i:D5}"), []);
        }

        File.WriteAllBytes(Path.Combine(_root, "top.txt"), []);
        var tree = new FileTree(new GitRunner(), NullLogger<FileTree>.Instance);

        var listing = await tree.ListAsync(Project, "", 2, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));

        listing.Truncated.ShouldBeTrue();
        listing.Entries.Count.ShouldBe(FileTree.MaxEntries);
        listing.Entries.ShouldContain(e => e.Path == "top.txt");
        listing.Entries.ShouldContain(e => e.Path == "many");
    }

    [Fact]
    public async Task ListAsync_OutsideGitRepository_ListsEverythingButTempFiles()
    {
        File.WriteAllText(Path.Combine(_root, "a.txt"), "x");
        File.WriteAllText(Path.Combine(_root, PathJail.TempFilePrefix + "leftover"), "partial");
        var tree = new FileTree(new GitRunner(), NullLogger<FileTree>.Instance);

        var listing = await tree.ListAsync(Project, null, null, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));

        listing.Entries.Select(e => e.Path).ShouldBe(["a.txt"]);
        listing.Truncated.ShouldBeFalse();
    }

    [Fact]
    public async Task ListAsync_ManyDirectoriesDeep_ListsEveryEntryOnceInDirectoryOrder()
    {
        // Enough directories per level to be read in several parallel chunks.
        for (var d = 0; d < 150; d++)
        {
            var dir = Path.Combine(_root, $"d{d:D3}");
            Directory.CreateDirectory(dir);
            File.WriteAllText(Path.Combine(dir, "b.txt"), "b");
            File.WriteAllText(Path.Combine(dir, "a.txt"), "a");
        }

        var tree = new FileTree(new GitRunner(), NullLogger<FileTree>.Instance);

        var listing = await tree.ListAsync(Project, null, 5, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));

        listing.Entries.Count.ShouldBe(450);
        listing.Entries.Select(e => e.Path).Distinct().Count().ShouldBe(450);
        listing.Entries.Take(4).Select(e => e.Path).ShouldBe(["d000", "d000/a.txt", "d000/b.txt", "d001"]);
        listing.Entries.Single(e => e.Path == "d149/b.txt").Size.ShouldBe(1);
    }

    [Fact]
    public async Task ListAsync_WithLimit_StopsAtTheLimitAndRejectsOutOfRange()
    {
        for (var i = 0; i < 20; i++)
        {
            File.WriteAllText(Path.Combine(_root, $"f{i:D2}.txt"), "x");
        }

        var tree = new FileTree(new GitRunner(), NullLogger<FileTree>.Instance);

        var listing = await tree.ListAsync(Project, null, 1, CancellationToken.None, limit: 7).WaitAsync(TimeSpan.FromSeconds(30));
        var error = await Should.ThrowAsync<Wright.Core.Errors.WrightException>(() => tree.ListAsync(Project, null, 1, CancellationToken.None, limit: FileTree.MaxLimit + 1));

        listing.Entries.Count.ShouldBe(7);
        listing.Truncated.ShouldBeTrue();
        error.Code.ShouldBe("validation_failed");
    }
}
