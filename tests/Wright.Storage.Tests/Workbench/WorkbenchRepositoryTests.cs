using Wright.Core.Accounts;
using Wright.Core.Projects;
using Wright.Core.Workbench;
using Wright.Storage.Accounts;
using Wright.Storage.Projects;
using Wright.Storage.Tests.Infrastructure;
using Wright.Storage.Workbench;

namespace Wright.Storage.Tests.Workbench;

public sealed class SqliteWorkbenchRepositoryTests : WorkbenchRepositoryTests<SqliteProvider>;

public sealed class PostgresWorkbenchRepositoryTests : WorkbenchRepositoryTests<PostgresProvider>;

/// <summary>The workbench repository's contract: one state per user and project, replaced on save, gone with its project.</summary>
public abstract class WorkbenchRepositoryTests<TProvider> : StorageTestBase<TProvider>
    where TProvider : IStorageProvider
{
    private static readonly DateTimeOffset Start = DateTimeOffset.FromUnixTimeMilliseconds(1_750_000_000_000);

    private WorkbenchRepository Repository => new(Database);

    [StorageFact]
    public async Task Save_ThenGet_ReturnsTheStateOfThatUserAndProjectOnly()
    {
        await MigrateAsync();
        var alice = await NewUserAsync("alice");
        var bob = await NewUserAsync("bob");
        var project = await NewProjectAsync();
        var other = await NewProjectAsync();

        (await Repository.GetAsync(alice, project, CancellationToken.None).Bounded()).ShouldBeNull();
        await Repository.SaveAsync(new WorkbenchState(alice, project, """{"tabs":["a.cs"],"é":"ü"}""", Start), CancellationToken.None).Bounded();

        var stored = await Repository.GetAsync(alice, project, CancellationToken.None).Bounded();
        stored.ShouldBe(new WorkbenchState(alice, project, """{"tabs":["a.cs"],"é":"ü"}""", Start));
        (await Repository.GetAsync(bob, project, CancellationToken.None).Bounded()).ShouldBeNull();
        (await Repository.GetAsync(alice, other, CancellationToken.None).Bounded()).ShouldBeNull();
    }

    [StorageFact]
    public async Task SaveAgain_ReplacesTheStateAndItsTime()
    {
        await MigrateAsync();
        var alice = await NewUserAsync("alice");
        var project = await NewProjectAsync();
        await Repository.SaveAsync(new WorkbenchState(alice, project, """{"v":1}""", Start), CancellationToken.None).Bounded();

        await Repository.SaveAsync(new WorkbenchState(alice, project, """{"v":2}""", Start.AddMinutes(1)), CancellationToken.None).Bounded();

        var stored = await Repository.GetAsync(alice, project, CancellationToken.None).Bounded();
        stored!.StateJson.ShouldBe("""{"v":2}""");
        stored.UpdatedAt.ShouldBe(Start.AddMinutes(1));
    }

    [StorageFact]
    public async Task DeletingTheProject_RemovesItsStates()
    {
        await MigrateAsync();
        var alice = await NewUserAsync("alice");
        var project = await NewProjectAsync();
        await Repository.SaveAsync(new WorkbenchState(alice, project, "{}", Start), CancellationToken.None).Bounded();

        (await new ProjectRepository(Database).DeleteAsync(project, CancellationToken.None).Bounded()).ShouldBeTrue();

        (await Repository.GetAsync(alice, project, CancellationToken.None).Bounded()).ShouldBeNull();
    }

    private async Task<Guid> NewUserAsync(string name)
    {
        var user = new User(Guid.NewGuid(), name, UserRole.Member, "hash", Start, Start, null);
        await new UserRepository(Database).InsertAsync(user, CancellationToken.None).Bounded();
        return user.Id;
    }

    private async Task<Guid> NewProjectAsync()
    {
        var id = Guid.NewGuid();
        await new ProjectRepository(Database).InsertAsync(new Project(id, "p", $"/tmp/p-{id:N}", Start, Start, null), CancellationToken.None).Bounded();
        return id;
    }
}
