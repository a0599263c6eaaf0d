using System.Buffers.Text;
using System.Text;
using Wright.Core.Errors;
using Wright.Core.Paging;
using Wright.Core.Projects;
using Wright.Storage.Projects;
using Wright.Storage.Tests.Infrastructure;

namespace Wright.Storage.Tests.Projects;

public sealed class SqliteProjectRepositoryTests : ProjectRepositoryTests<SqliteProvider>;

public sealed class PostgresProjectRepositoryTests : ProjectRepositoryTests<PostgresProvider>;

/// <summary>The project repository's contract, the same on every engine.</summary>
public abstract class ProjectRepositoryTests<TProvider> : StorageTestBase<TProvider>
    where TProvider : IStorageProvider
{
    private static readonly DateTimeOffset Start = DateTimeOffset.FromUnixTimeMilliseconds(1_750_000_000_000);

    private ProjectRepository Repository => new(Database);

    [StorageFact]
    public async Task Insert_ThenGet_ReturnsTheSameProject()
    {
        await MigrateAsync();
        var project = NewProject("alpha", Start);

        await Repository.InsertAsync(project, CancellationToken.None).Bounded();

        (await Repository.GetAsync(project.Id, CancellationToken.None).Bounded()).ShouldBe(project);
    }

    [StorageFact]
    public async Task Get_UnknownId_ReturnsNull()
    {
        await MigrateAsync();

        (await Repository.GetAsync(Guid.NewGuid(), CancellationToken.None).Bounded()).ShouldBeNull();
    }

    [StorageFact]
    public async Task FindByPath_KnownAndUnknownPath_ReturnsProjectOrNull()
    {
        await MigrateAsync();
        var project = NewProject("alpha", Start);
        await Repository.InsertAsync(project, CancellationToken.None).Bounded();

        (await Repository.FindByPathAsync(project.RootPath, CancellationToken.None).Bounded()).ShouldBe(project);
        (await Repository.FindByPathAsync(project.RootPath + "-other", CancellationToken.None).Bounded()).ShouldBeNull();
    }

    [StorageFact]
    public async Task Update_NameArchiveAndTime_AreSavedButRootPathIsNot()
    {
        await MigrateAsync();
        var project = NewProject("alpha", Start);
        await Repository.InsertAsync(project, CancellationToken.None).Bounded();
        var later = Start.AddMinutes(5);
        var changed = project with { Name = "beta", UpdatedAt = later, ArchivedAt = later, RootPath = "/elsewhere" };

        (await Repository.UpdateAsync(changed, CancellationToken.None).Bounded()).ShouldBeTrue();

        (await Repository.GetAsync(project.Id, CancellationToken.None).Bounded()).ShouldBe(changed with { RootPath = project.RootPath });
        var unarchived = changed with { RootPath = project.RootPath, ArchivedAt = null };
        (await Repository.UpdateAsync(unarchived, CancellationToken.None).Bounded()).ShouldBeTrue();
        (await Repository.GetAsync(project.Id, CancellationToken.None).Bounded()).ShouldBe(unarchived);
    }

    [StorageFact]
    public async Task Update_UnknownProject_ReturnsFalse()
    {
        await MigrateAsync();

        (await Repository.UpdateAsync(NewProject("ghost", Start), CancellationToken.None).Bounded()).ShouldBeFalse();
    }

    [StorageFact]
    public async Task Delete_ExistingProject_RemovesItAndFreesItsPath()
    {
        await MigrateAsync();
        var project = NewProject("alpha", Start);
        await Repository.InsertAsync(project, CancellationToken.None).Bounded();

        (await Repository.DeleteAsync(project.Id, CancellationToken.None).Bounded()).ShouldBeTrue();

        (await Repository.GetAsync(project.Id, CancellationToken.None).Bounded()).ShouldBeNull();
        (await Repository.DeleteAsync(project.Id, CancellationToken.None).Bounded()).ShouldBeFalse();
        var again = NewProject("alpha again", Start) with { RootPath = project.RootPath };
        await Repository.InsertAsync(again, CancellationToken.None).Bounded();
        (await Repository.FindByPathAsync(project.RootPath, CancellationToken.None).Bounded()).ShouldBe(again);
    }

    [StorageFact]
    public async Task Insert_DuplicateRootPath_IsRefusedWithProjectPathTaken()
    {
        await MigrateAsync();
        var first = NewProject("alpha", Start);
        await Repository.InsertAsync(first, CancellationToken.None).Bounded();

        var error = await Should.ThrowAsync<WrightException>(() => Repository.InsertAsync(NewProject("beta", Start) with { RootPath = first.RootPath }, CancellationToken.None).Bounded());

        error.Code.ShouldBe(ErrorCodes.ProjectPathTaken);
        error.Message.ShouldContain(first.RootPath);
        (await Repository.ListAsync(new PageRequest(10, null), includeArchived: true, visibleTo: null, CancellationToken.None).Bounded()).Items.ShouldBe([first]);
    }

    [StorageFact]
    public async Task Insert_DuplicateId_IsNotMistakenForATakenPath()
    {
        await MigrateAsync();
        var first = NewProject("alpha", Start);
        await Repository.InsertAsync(first, CancellationToken.None).Bounded();

        var error = await Should.ThrowAsync<Exception>(() => Repository.InsertAsync(NewProject("beta", Start) with { Id = first.Id }, CancellationToken.None).Bounded());

        error.ShouldNotBeOfType<WrightException>();
    }

    [StorageFact]
    public async Task List_PagingThroughManyProjects_ReturnsEachOnceInOrder()
    {
        await MigrateAsync();

        // Three projects per millisecond, so the id breaks ties inside a page and across pages;
        // inserted in shuffled order, so the order comes from the query and not from insertion.
        var projects = Enumerable.Range(0, 237).Select(i => NewProject($"p{i}", Start.AddMilliseconds(i / 3))).ToList();
        foreach (var project in projects.OrderBy(p => p.Name.GetHashCode(StringComparison.Ordinal)))
        {
            await Repository.InsertAsync(project, CancellationToken.None).Bounded();
        }

        var (seen, pages) = await ReadAllPagesAsync(limit: 20, includeArchived: false);

        seen.ShouldBe(projects.OrderBy(p => p.CreatedAt).ThenBy(p => p.Id.ToString(), StringComparer.Ordinal).ToList());
        pages.ShouldBe(12);
    }

    [StorageFact]
    public async Task List_LastFullPage_HasNullNextCursor()
    {
        await MigrateAsync();
        for (var i = 0; i < 4; i++)
        {
            await Repository.InsertAsync(NewProject($"p{i}", Start.AddSeconds(i)), CancellationToken.None).Bounded();
        }

        var first = await Repository.ListAsync(new PageRequest(2, null), includeArchived: false, visibleTo: null, CancellationToken.None).Bounded();
        var second = await Repository.ListAsync(new PageRequest(2, first.NextCursor), includeArchived: false, visibleTo: null, CancellationToken.None).Bounded();

        first.Items.Count.ShouldBe(2);
        first.NextCursor.ShouldNotBeNull();
        second.Items.Select(p => p.Name).ShouldBe(["p2", "p3"]);
        second.NextCursor.ShouldBeNull();
    }

    [StorageFact]
    public async Task List_EmptyDatabase_ReturnsNoItemsAndNoCursor()
    {
        await MigrateAsync();

        var page = await Repository.ListAsync(new PageRequest(PageRequest.DefaultLimit, null), includeArchived: false, visibleTo: null, CancellationToken.None).Bounded();

        page.Items.ShouldBeEmpty();
        page.NextCursor.ShouldBeNull();
    }

    [StorageFact]
    public async Task List_ArchivedProjects_AreExcludedUnlessAsked()
    {
        await MigrateAsync();
        var projects = Enumerable.Range(0, 6)
            .Select(i => NewProject($"p{i}", Start.AddSeconds(i)) is var p && i % 2 == 1 ? p with { ArchivedAt = Start.AddDays(1) } : p)
            .ToList();
        foreach (var project in projects)
        {
            await Repository.InsertAsync(project, CancellationToken.None).Bounded();
        }

        var (active, _) = await ReadAllPagesAsync(limit: 1, includeArchived: false);
        var (all, _) = await ReadAllPagesAsync(limit: 4, includeArchived: true);

        active.Select(p => p.Name).ShouldBe(["p0", "p2", "p4"]);
        all.ShouldBe(projects);
    }

    public static TheoryData<string> GarbageCursors => new()
    {
        "garbage!",
        "====",
        Base64Url.EncodeToString(Encoding.UTF8.GetBytes("no-separator")),
        Base64Url.EncodeToString(Encoding.UTF8.GetBytes("not-a-number|id")),
    };

    [StorageTheory]
    [MemberData(nameof(GarbageCursors))]
    public async Task List_GarbageCursor_IsRefusedWithInvalidCursor(string cursor)
    {
        await MigrateAsync();

        var error = await Should.ThrowAsync<WrightException>(() => Repository.ListAsync(new PageRequest(10, cursor), includeArchived: false, visibleTo: null, CancellationToken.None).Bounded());

        error.Code.ShouldBe(ErrorCodes.InvalidCursor);
        error.Kind.ShouldBe(ErrorKind.Invalid);
    }

    private async Task<(List<Project> Items, int Pages)> ReadAllPagesAsync(int limit, bool includeArchived)
    {
        var items = new List<Project>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await Repository.ListAsync(new PageRequest(limit, cursor), includeArchived, visibleTo: null, CancellationToken.None).Bounded();
            pages++;
            page.Items.Count.ShouldBeLessThanOrEqualTo(limit);
            page.Items.ShouldNotBeEmpty();
            items.AddRange(page.Items);
            cursor = page.NextCursor;
            pages.ShouldBeLessThan(1000, "the cursor must make progress");
        }
        while (cursor is not null);

        return (items, pages);
    }

    private static Project NewProject(string name, DateTimeOffset created) =>
        new(Guid.NewGuid(), name, $"/work/{name}-{Guid.NewGuid():N}", created, created, null);
}
