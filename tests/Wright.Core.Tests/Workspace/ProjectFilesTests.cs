using System.Runtime.Versioning;
using Microsoft.Extensions.Logging.Abstractions;
using Wright.Core.Errors;
using Wright.Core.Hosting;
using Wright.Core.Projects;
using Wright.Core.Workspace;

namespace Wright.Core.Tests.Workspace;

public sealed class ProjectFilesTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), $"wright-files-{Guid.NewGuid():N}");
    private readonly ProjectFiles _files = new(
        new WrightOptions(),
        TimeProvider.System,
        NullLogger<ProjectFiles>.Instance,
        new Wright.Core.Events.EventBus(Microsoft.Extensions.Options.Options.Create(new Wright.Core.Events.EventsOptions()), TimeProvider.System, NullLogger<Wright.Core.Events.EventBus>.Instance));

    public ProjectFilesTests()
    {
        Directory.CreateDirectory(_root);
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private Project Project => new(Guid.NewGuid(), "files", _root, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, null);

    private Task<FileWritten> WriteAsync(string path, string text) =>
        _files.WriteAsync(Project, path, FileWrite.FromText(text), FilePreconditions.None, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));

    [Fact]
    public async Task WriteAsync_FirstWriteIntoADirectory_SweepsStaleTempFilesButNotFreshOnes()
    {
        var stale = Path.Combine(_root, PathJail.TempFilePrefix + "stale");
        var fresh = Path.Combine(_root, PathJail.TempFilePrefix + "fresh");
        File.WriteAllText(stale, "half");
        File.WriteAllText(fresh, "in flight");
        File.SetLastWriteTimeUtc(stale, DateTime.UtcNow.AddMinutes(-5));

        await WriteAsync("a.txt", "x");

        File.Exists(stale).ShouldBeFalse();
        File.Exists(fresh).ShouldBeTrue();
        Directory.EnumerateFiles(_root).Select(Path.GetFileName).Order(StringComparer.Ordinal).ShouldBe([PathJail.TempFilePrefix + "fresh", "a.txt"]);
    }

    [Fact]
    [UnsupportedOSPlatform("windows")]
    public async Task WriteAsync_ExecutableFile_KeepsItsMode()
    {
        var script = Path.Combine(_root, "run.sh");
        File.WriteAllText(script, "#!/bin/sh\n");
        var mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute;
        File.SetUnixFileMode(script, mode);

        await WriteAsync("run.sh", "#!/bin/sh\necho hi\n");

        File.GetUnixFileMode(script).ShouldBe(mode);
    }

    [Fact]
    public async Task WriteAsync_ThroughSymlinkToInsideFile_UpdatesTheTargetAndKeepsTheLink()
    {
        File.WriteAllText(Path.Combine(_root, "real.txt"), "old");
        var link = Path.Combine(_root, "alias.txt");
        File.CreateSymbolicLink(link, "real.txt");

        await WriteAsync("alias.txt", "new");

        new FileInfo(link).LinkTarget.ShouldBe("real.txt");
        File.ReadAllText(Path.Combine(_root, "real.txt")).ShouldBe("new");
    }

    [Fact]
    public async Task WriteAsync_ParentIsAFile_ReturnsDestinationExists()
    {
        await WriteAsync("plain.txt", "x");

        var ex = await Should.ThrowAsync<WrightException>(() => WriteAsync("plain.txt/child.txt", "y"));

        ex.Code.ShouldBe(ErrorCodes.DestinationExists);
    }

    [Fact]
    public async Task WriteAsync_ArchivedProject_IsRefused()
    {
        var archived = Project with { ArchivedAt = DateTimeOffset.UnixEpoch };

        var ex = await Should.ThrowAsync<WrightException>(() => _files.WriteAsync(archived, "a.txt", FileWrite.FromText("x"), FilePreconditions.None, CancellationToken.None));

        ex.Code.ShouldBe(ErrorCodes.ProjectArchived);
        File.Exists(Path.Combine(_root, "a.txt")).ShouldBeFalse();
    }

    [Fact]
    public async Task WriteAsync_ConcurrentWritersWithTheSameIfMatch_OnlyOneWins()
    {
        var first = await WriteAsync("race.txt", "base");
        var preconditions = new FilePreconditions([first.ETag]);

        var attempts = await Task.WhenAll(Enumerable.Range(0, 8).Select(async i =>
        {
            try
            {
                await _files.WriteAsync(Project, "race.txt", FileWrite.FromText($"writer {i}"), preconditions, CancellationToken.None);
                return true;
            }
            catch (WrightException ex) when (ex.Code == ErrorCodes.VersionConflict)
            {
                return false;
            }
        })).WaitAsync(TimeSpan.FromSeconds(30));

        attempts.Count(won => won).ShouldBe(1);
    }
}
