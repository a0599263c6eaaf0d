using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Wright.Core.Actions;
using Wright.Core.Errors;
using Wright.Core.Events;
using Wright.Core.Git;
using Wright.Core.Hosting;
using Wright.Core.Projects;
using Wright.Core.Tests.Git;
using Wright.Core.Workspace;

namespace Wright.Core.Tests.Workspace;

/// <summary>
/// API saves and ActionRuns write project files one way: one atomic write whose temp files live in
/// the git directory, one content hash, one gate per project, and a <c>file.changed</c> that says
/// who wrote.
/// </summary>
public sealed class OneWritePathTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task ApiSaveRacingAnActionRun_ManyRounds_OneWinsWholeAndTheOtherIsRefusedOrAppliedAfter()
    {
        using var repository = await GitTestRepository.CreateAsync();
        var bus = NewBus();
        var (files, runner, project) = Arrange(repository, bus);
        var conflicts = 0;
        var appliedAfter = 0;

        for (var round = 0; round < 30; round++)
        {
            var baseText = $"base {round}\n";
            var apiText = $"api {round}\n";
            var aiText = $"ai {round}\n";
            repository.Write("shared.txt", baseText);
            await repository.GitAsync("add", "--all");
            await repository.GitAsync("commit", "--quiet", "--allow-empty", "-m", $"base {round}");
            var baseTag = FileETag.Compute(File.ReadAllBytes(repository.PathOf("shared.txt")));

            // Both start together; which one the gate lets in first is up to the scheduler.
            var save = Task.Run(() => files.WriteAsync(project, "shared.txt", FileWrite.FromText(apiText), new FilePreconditions([baseTag], false), CancellationToken.None));
            var run = Task.Run(() => runner.RunAsync(
                new ActionRunRequest(project.Id, repository.Root, $"round {round}", [new FileChangeAction([new WriteFile("shared.txt", aiText)])], "test-model"),
                CancellationToken.None));
            var result = await run.WaitAsync(Bound);
            result.Succeeded.ShouldBeTrue(result.Failure?.Detail);
            var saved = true;
            try
            {
                await save.WaitAsync(Bound);
            }
            catch (WrightException ex) when (ex.Code == ErrorCodes.VersionConflict)
            {
                saved = false;
            }

            // The run wrote its file whole; nothing in between ever reached the disk.
            repository.Read("shared.txt").ShouldBe(aiText);
            (await repository.GitAsync("show", "HEAD:shared.txt")).ShouldBe(aiText);
            if (saved)
            {
                // The save landed before the run read the file: the run committed it as the user's edit first, so it is never lost.
                appliedAfter++;
                result.UserCommit.ShouldNotBeNull($"round {round}: the API's save was neither refused nor kept");
                (await repository.GitAsync("show", $"{result.UserCommit.Sha}:shared.txt")).ShouldBe(apiText);
            }
            else
            {
                conflicts++;
                result.UserCommit.ShouldBeNull();
            }

            (await repository.GitAsync("status", "--porcelain")).ShouldBeEmpty();
        }

        (conflicts + appliedAfter).ShouldBe(30);
    }

    [Fact]
    public async Task FileChanged_FromAnApiSaveAndAnActionRun_CarriesTheSourceAndTheRunId()
    {
        using var repository = await GitTestRepository.CreateAsync();
        var bus = NewBus();
        var (files, runner, project) = Arrange(repository, bus);
        using var subscription = bus.Subscribe(project.Id, null);

        var saved = await files.WriteAsync(project, "notes.txt", FileWrite.FromText("by hand\n"), FilePreconditions.None, CancellationToken.None).WaitAsync(Bound);
        var result = await runner.RunAsync(
            new ActionRunRequest(project.Id, repository.Root, "edit", [new FileChangeAction([new WriteFile("notes.txt", "by the model\n"), new DeleteFile("readme.md")])], "test-model"),
            CancellationToken.None).WaitAsync(Bound);

        result.Succeeded.ShouldBeTrue(result.Failure?.Detail);
        var events = new List<WrightEvent>();
        while (events.Count < 3 && subscription.TryRead(out var evt))
        {
            events.Add(evt);
        }

        events.Select(e => (e.Type, ((FileEventData)e.Data).Path, ((FileEventData)e.Data).Source, ((FileEventData)e.Data).ActionRunId)).ShouldBe(
        [
            (EventTypes.FileChanged, "notes.txt", FileEventSources.Api, null),
            (EventTypes.FileChanged, "notes.txt", FileEventSources.Ai, result.ActionId),
            (EventTypes.FileDeleted, "readme.md", FileEventSources.Ai, result.ActionId),
        ]);
        ((FileEventData)events[0].Data).ETag.ShouldBe(saved.ETag);
        ((FileEventData)events[1].Data).ETag.ShouldBe(FileETag.Compute(File.ReadAllBytes(repository.PathOf("notes.txt"))));
    }

    [Fact]
    public async Task ContextHash_OfAFile_IsItsETag()
    {
        using var repository = await GitTestRepository.CreateAsync();
        var (files, _, project) = Arrange(repository, NewBus());

        var saved = await files.WriteAsync(project, "src/a.cs", FileWrite.FromText("class A {}\n"), FilePreconditions.None, CancellationToken.None).WaitAsync(Bound);

        Wright.Core.Context.ContextFileFilter.ContentHash(File.ReadAllBytes(repository.PathOf("src/a.cs"))).ShouldBe(saved.ETag);
        saved.ETag.Length.ShouldBe(64);
    }

    [Fact]
    public async Task TempDirectory_OfARepositoryAndOfALinkedWorktree_IsInsideItsOwnGitDirectory()
    {
        using var repository = await GitTestRepository.CreateAsync();
        var worktree = Path.Combine(Path.GetTempPath(), $"wright-core-worktree-{Guid.NewGuid():N}");
        try
        {
            await repository.GitAsync("worktree", "add", "--quiet", "-b", "side", worktree);
            File.Exists(Path.Combine(worktree, ".git")).ShouldBeTrue("a linked worktree's .git is a file");

            AtomicFile.TempDirectoryOf(repository.Root).ShouldBe(Path.Combine(PathJail.ResolveReal(repository.Root), ".git", "wright", "tmp"));
            var worktreeTemp = AtomicFile.TempDirectoryOf(worktree);
            worktreeTemp.ShouldBe(Path.Combine(PathJail.ResolveReal(repository.Root), ".git", "worktrees", Path.GetFileName(worktree), "wright", "tmp"));

            // A prepared write (what a SIGKILL between the two steps leaves) is invisible to git.
            var temp = AtomicFile.Prepare(worktree, Path.Combine(worktree, "a.txt"), "half"u8);
            Path.GetDirectoryName(temp).ShouldBe(worktreeTemp);
            (await GitAsync(worktree, "status", "--porcelain", "--untracked-files=all")).ShouldBeEmpty();
            Directory.EnumerateFiles(worktree, "*", SearchOption.AllDirectories).Where(f => !f.EndsWith("/.git", StringComparison.Ordinal)).Select(Path.GetFileName).ShouldBe(["readme.md"]);
        }
        finally
        {
            if (Directory.Exists(worktree))
            {
                Directory.Delete(worktree, recursive: true);
            }
        }
    }

    [Fact]
    public async Task Sweep_RemovesDeadWritersAndOldLeftoversButNotLiveWrites()
    {
        using var repository = await GitTestRepository.CreateAsync();
        var directory = AtomicFile.TempDirectoryOf(repository.Root)!;
        Directory.CreateDirectory(directory);
        var dead = await DeadProcessIdAsync();
        string Leftover(string name, DateTime? modified = null)
        {
            var path = Path.Combine(directory, name);
            File.WriteAllText(path, "x");
            if (modified is { } at)
            {
                File.SetLastWriteTimeUtc(path, at);
            }

            return path;
        }

        var ofDeadProcess = Leftover($"{dead}-{Guid.NewGuid():N}");
        var ofLiveProcess = Leftover($"{Environment.ProcessId}-{Guid.NewGuid():N}");
        var old = Leftover("unnamed-leftover", DateTime.UtcNow.AddMinutes(-5));
        var fresh = Leftover("unnamed-fresh");

        var removed = AtomicFile.Sweep(repository.Root, DateTimeOffset.UtcNow);

        removed.Order(StringComparer.Ordinal).ShouldBe(new[] { ofDeadProcess, old }.Order(StringComparer.Ordinal));
        File.Exists(ofLiveProcess).ShouldBeTrue("a write of this process may be in flight when it does not hold the gate");
        File.Exists(fresh).ShouldBeTrue();

        // Holding the project's gate, none of this process's writes is in flight: its leftovers go too.
        var underGate = await ProjectGate.RunAsync(repository.Root, () => Task.FromResult(AtomicFile.Sweep(repository.Root, DateTimeOffset.UtcNow)), CancellationToken.None);
        underGate.ShouldBe([ofLiveProcess]);
    }

    [Fact]
    public async Task Recovery_AtStartUp_SweepsTempFilesAKilledWriterLeft()
    {
        using var repository = await GitTestRepository.CreateAsync();
        var (_, runner, _) = Arrange(repository, NewBus());
        var directory = AtomicFile.TempDirectoryOf(repository.Root)!;
        Directory.CreateDirectory(directory);
        var leftover = Path.Combine(directory, $"{await DeadProcessIdAsync()}-{Guid.NewGuid():N}");
        File.WriteAllText(leftover, "half a file");

        var outcome = await runner.RecoverAsync(repository.Root, CancellationToken.None).WaitAsync(Bound);

        outcome.ShouldBe(RecoveryOutcome.NothingToRecover);
        File.Exists(leftover).ShouldBeFalse();
    }

    [Fact]
    public async Task ApiSave_WhileTheGateIsHeldTooLongOrCancelled_AnswersProjectBusyAndLeavesTheFile()
    {
        using var repository = await GitTestRepository.CreateAsync();
        var (slowFiles, _, project) = Arrange(repository, NewBus());
        var files = new ProjectFiles(new WrightOptions(), TimeProvider.System, NullLogger<ProjectFiles>.Instance, NewBus()) { GateWait = TimeSpan.FromMilliseconds(100) };
        var release = new TaskCompletionSource();
        var entered = new TaskCompletionSource();
        var holder = ProjectGate.RunAsync(repository.Root, async () =>
        {
            entered.SetResult();
            await release.Task;
            return true;
        }, CancellationToken.None);
        await entered.Task.WaitAsync(Bound);

        var busy = await Should.ThrowAsync<WrightException>(() => files.WriteAsync(project, "readme.md", FileWrite.FromText("late\n"), FilePreconditions.None, CancellationToken.None).WaitAsync(Bound));
        using var stop = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        var waiting = slowFiles.WriteAsync(project, "readme.md", FileWrite.FromText("later\n"), FilePreconditions.None, stop.Token);
        await Should.ThrowAsync<OperationCanceledException>(() => waiting.WaitAsync(Bound));
        release.SetResult();
        await holder.WaitAsync(Bound);

        busy.Code.ShouldBe(ErrorCodes.ProjectBusy);
        busy.Kind.ShouldBe(ErrorKind.Conflict);
        repository.Read("readme.md").ShouldBe("# test\n");
    }

    private static EventBus NewBus() => new(Microsoft.Extensions.Options.Options.Create(new EventsOptions()), TimeProvider.System, NullLogger<EventBus>.Instance);

    private static (ProjectFiles Files, ActionRunner Runner, Project Project) Arrange(GitTestRepository repository, IEventBus bus)
    {
        var git = new GitRunner();
        var service = new GitService(git, TimeProvider.System, NullLogger<GitService>.Instance);
        var runner = new ActionRunner(service, git, [new FileChangeHandler()], TimeProvider.System, NullLogger<ActionRunner>.Instance, bus);
        var files = new ProjectFiles(new WrightOptions(), TimeProvider.System, NullLogger<ProjectFiles>.Instance, bus);
        var project = new Project(Guid.NewGuid(), "race", repository.Root, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, null);
        return (files, runner, project);
    }

    /// <summary>The id of a process that has exited (started and waited for here).</summary>
    private static async Task<int> DeadProcessIdAsync()
    {
        using var process = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("true") { UseShellExecute = false })!;
        var id = process.Id;
        await process.WaitForExitAsync().WaitAsync(Bound);
        return id;
    }

    private static async Task<string> GitAsync(string directory, params string[] arguments)
    {
        var result = await new GitRunner().RunAsync(directory, arguments, CancellationToken.None).WaitAsync(Bound);
        result.Succeeded.ShouldBeTrue(result.StandardError);
        return result.StandardOutput.ToString(CultureInfo.InvariantCulture);
    }
}
