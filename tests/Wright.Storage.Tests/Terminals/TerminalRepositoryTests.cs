using Wright.Core.Projects;
using Wright.Core.Terminals;
using Wright.Storage.Previews;
using Wright.Storage.Projects;
using Wright.Storage.Terminals;
using Wright.Storage.Tests.Infrastructure;

namespace Wright.Storage.Tests.Terminals;

public sealed class SqliteTerminalRepositoryTests : TerminalRepositoryTests<SqliteProvider>;

public sealed class PostgresTerminalRepositoryTests : TerminalRepositoryTests<PostgresProvider>;

/// <summary>Terminal metadata and preview ports, the same on every engine.</summary>
public abstract class TerminalRepositoryTests<TProvider> : StorageTestBase<TProvider>
    where TProvider : IStorageProvider
{
    private static readonly DateTimeOffset Start = DateTimeOffset.FromUnixTimeMilliseconds(1_750_000_000_000);

    private TerminalRepository Repository => new(Database);

    [StorageFact]
    public async Task Insert_ThenGetAndList_ReturnTheTerminalsOfOneUserInOrder()
    {
        await MigrateAsync();
        var project = await InsertProjectAsync();
        var user = Guid.NewGuid();
        var first = NewTerminal(project.Id, user, Start, TerminalHost.Tmux);
        var second = NewTerminal(project.Id, user, Start.AddSeconds(1), TerminalHost.Pty);
        var someoneElses = NewTerminal(project.Id, Guid.NewGuid(), Start, TerminalHost.Tmux);

        foreach (var terminal in new[] { second, someoneElses, first })
        {
            await Repository.InsertAsync(terminal, CancellationToken.None).Bounded();
        }

        (await Repository.GetAsync(first.Id, CancellationToken.None).Bounded()).ShouldBe(first);
        (await Repository.ListAsync(project.Id, user, CancellationToken.None).Bounded()).ShouldBe([first, second]);
        (await Repository.ListRunningAsync(CancellationToken.None).Bounded()).Count.ShouldBe(3);
    }

    [StorageFact]
    public async Task RenameResizeAndExit_AreSaved_AndTheFirstExitWins()
    {
        await MigrateAsync();
        var project = await InsertProjectAsync();
        var terminal = NewTerminal(project.Id, Guid.NewGuid(), Start, TerminalHost.Tmux);
        await Repository.InsertAsync(terminal, CancellationToken.None).Bounded();

        (await Repository.RenameAsync(terminal.Id, "server", CancellationToken.None).Bounded()).ShouldBeTrue();
        await Repository.ResizeAsync(terminal.Id, 132, 43, CancellationToken.None).Bounded();
        await Repository.MarkExitedAsync(terminal.Id, Start.AddMinutes(1), 3, CancellationToken.None).Bounded();
        await Repository.MarkExitedAsync(terminal.Id, Start.AddMinutes(2), 9, CancellationToken.None).Bounded();

        var stored = await Repository.GetAsync(terminal.Id, CancellationToken.None).Bounded();
        stored.ShouldBe(terminal with { Name = "server", Cols = 132, Rows = 43, ExitedAt = Start.AddMinutes(1), ExitCode = 3 });
        (await Repository.ListRunningAsync(CancellationToken.None).Bounded()).ShouldBeEmpty();
        (await Repository.DeleteAsync(terminal.Id, CancellationToken.None).Bounded()).ShouldBeTrue();
        (await Repository.GetAsync(terminal.Id, CancellationToken.None).Bounded()).ShouldBeNull();
    }

    [StorageFact]
    public async Task PreviewPorts_AddTwiceListRemove()
    {
        await MigrateAsync();
        var project = await InsertProjectAsync();
        var user = Guid.NewGuid();
        var ports = new PreviewRepository(Database);

        await ports.AddAsync(project.Id, user, 5173, Start, CancellationToken.None).Bounded();
        await ports.AddAsync(project.Id, user, 3000, Start, CancellationToken.None).Bounded();
        await ports.AddAsync(project.Id, user, 5173, Start, CancellationToken.None).Bounded();

        (await ports.ListAsync(project.Id, user, CancellationToken.None).Bounded()).ShouldBe([3000, 5173]);
        (await ports.ListAsync(project.Id, Guid.NewGuid(), CancellationToken.None).Bounded()).ShouldBeEmpty();
        (await ports.RemoveAsync(project.Id, user, 3000, CancellationToken.None).Bounded()).ShouldBeTrue();
        (await ports.RemoveAsync(project.Id, user, 3000, CancellationToken.None).Bounded()).ShouldBeFalse();
    }

    private async Task<Project> InsertProjectAsync()
    {
        var project = new Project(Guid.NewGuid(), "shells", $"/work/shells-{Guid.NewGuid():N}", Start, Start, null);
        await new ProjectRepository(Database).InsertAsync(project, CancellationToken.None).Bounded();
        return project;
    }

    private static Terminal NewTerminal(Guid projectId, Guid userId, DateTimeOffset startedAt, TerminalHost host) =>
        new(Guid.NewGuid(), projectId, userId, "Terminal", "/bin/bash", "src", 80, 24, host, startedAt);
}
