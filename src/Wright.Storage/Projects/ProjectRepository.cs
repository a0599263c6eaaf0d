using Dapper;
using Wright.Core.Errors;
using Wright.Core.Paging;
using Wright.Core.Projects;
using Wright.Storage.Database;

namespace Wright.Storage.Projects;

/// <summary>Dapper repository of projects; the same SQL runs on SQLite and PostgreSQL.</summary>
internal sealed class ProjectRepository : IProjectRepository
{
    private const string Columns = "id AS Id, name AS Name, root_path AS RootPath, created_at_ms AS CreatedAtMs, updated_at_ms AS UpdatedAtMs, archived_at_ms AS ArchivedAtMs, owner_id AS OwnerId";

    /// <summary>The projects a user may see: theirs, and those they are a member of.</summary>
    private const string VisibleTo = "(owner_id = @UserId OR EXISTS (SELECT 1 FROM project_members m WHERE m.project_id = projects.id AND m.user_id = @UserId))";

    private readonly WrightDatabase _database;

    public ProjectRepository(WrightDatabase database)
    {
        _database = database;
    }

    public async Task InsertAsync(Project project, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await connection.ExecuteAsync(new CommandDefinition(
                "INSERT INTO projects (id, name, root_path, created_at_ms, updated_at_ms, archived_at_ms, owner_id) VALUES (@Id, @Name, @RootPath, @CreatedAtMs, @UpdatedAtMs, @ArchivedAtMs, @OwnerId)",
                ProjectRow.From(project),
                cancellationToken: cancellationToken)).ConfigureAwait(false);
        }
        catch (Exception ex) when (WrightDatabase.IsUniqueViolation(ex, "projects", "root_path"))
        {
            throw WrightException.Conflict(ErrorCodes.ProjectPathTaken, $"'{project.RootPath}' already belongs to a project.");
        }
    }

    public async Task<Project?> GetAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var row = await connection.QuerySingleOrDefaultAsync<ProjectRow>(new CommandDefinition(
            $"SELECT {Columns} FROM projects WHERE id = @Id", new { Id = id.ToString() }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return row?.ToProject();
    }

    public async Task<Project?> GetForUserAsync(Guid id, Guid userId, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var row = await connection.QuerySingleOrDefaultAsync<ProjectRow>(new CommandDefinition(
            $"SELECT {Columns} FROM projects WHERE id = @Id AND {VisibleTo}", new { Id = id.ToString(), UserId = userId.ToString() }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return row?.ToProject();
    }

    public async Task<Project?> FindByPathAsync(string rootPath, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var row = await connection.QuerySingleOrDefaultAsync<ProjectRow>(new CommandDefinition(
            $"SELECT {Columns} FROM projects WHERE root_path = @RootPath", new { RootPath = rootPath }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return row?.ToProject();
    }

    public async Task<Page<Project>> ListAsync(PageRequest page, bool includeArchived, Guid? visibleTo, CancellationToken cancellationToken)
    {
        var after = KeysetCursor.Decode(page.Cursor);
        var sql = $"""
            SELECT {Columns} FROM projects
            WHERE (@IncludeArchived OR archived_at_ms IS NULL)
              AND {(visibleTo is null ? "1 = 1" : VisibleTo)}
              AND (@AfterMs IS NULL OR created_at_ms > @AfterMs OR (created_at_ms = @AfterMs AND id > @AfterId))
            ORDER BY created_at_ms, id
            LIMIT @Take
            """;
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = (await connection.QueryAsync<ProjectRow>(new CommandDefinition(
            sql,
            new { IncludeArchived = includeArchived, UserId = visibleTo?.ToString(), AfterMs = after?.Milliseconds, AfterId = after?.Id ?? "", Take = page.Limit + 1 },
            cancellationToken: cancellationToken)).ConfigureAwait(false)).ToList();

        return Paging.ToPage(rows, page.Limit, r => new KeysetCursor(r.CreatedAtMs, r.Id), r => r.ToProject());
    }

    public async Task<bool> UpdateAsync(Project project, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var changed = await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE projects SET name = @Name, updated_at_ms = @UpdatedAtMs, archived_at_ms = @ArchivedAtMs WHERE id = @Id",
            ProjectRow.From(project),
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        return changed == 1;
    }

    public async Task<bool> DeleteAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var changed = await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM projects WHERE id = @Id", new { Id = id.ToString() }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return changed == 1;
    }

    public async Task<int> AssignOwnerlessAsync(Guid ownerId, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE projects SET owner_id = @OwnerId WHERE owner_id IS NULL", new { OwnerId = ownerId.ToString() }, cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    public async Task<bool> AddMemberAsync(Guid projectId, Guid userId, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var added = await connection.ExecuteAsync(new CommandDefinition(
            "INSERT INTO project_members (project_id, user_id, added_at_ms) VALUES (@ProjectId, @UserId, @At) ON CONFLICT (project_id, user_id) DO NOTHING",
            new { ProjectId = projectId.ToString(), UserId = userId.ToString(), At = at.ToUnixTimeMilliseconds() },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        return added == 1;
    }

    public async Task<bool> RemoveMemberAsync(Guid projectId, Guid userId, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var removed = await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM project_members WHERE project_id = @ProjectId AND user_id = @UserId",
            new { ProjectId = projectId.ToString(), UserId = userId.ToString() },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        return removed == 1;
    }

    public async Task<IReadOnlyList<ProjectMember>> ListMembersAsync(Guid projectId, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<MemberRow>(new CommandDefinition(
            """
            SELECT m.project_id AS ProjectId, m.user_id AS UserId, u.user_name AS UserName, m.added_at_ms AS AddedAtMs
            FROM project_members m JOIN users u ON u.id = m.user_id
            WHERE m.project_id = @ProjectId
            ORDER BY m.added_at_ms, m.user_id
            """,
            new { ProjectId = projectId.ToString() },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        return rows.Select(r => new ProjectMember(Guid.Parse(r.ProjectId), Guid.Parse(r.UserId), r.UserName, DateTimeOffset.FromUnixTimeMilliseconds(r.AddedAtMs))).ToList();
    }

    private sealed class MemberRow
    {
        public string ProjectId { get; init; } = "";

        public string UserId { get; init; } = "";

        public string UserName { get; init; } = "";

        public long AddedAtMs { get; init; }
    }

    private sealed class ProjectRow
    {
        public string Id { get; init; } = "";

        public string Name { get; init; } = "";

        public string RootPath { get; init; } = "";

        public long CreatedAtMs { get; init; }

        public long UpdatedAtMs { get; init; }

        public long? ArchivedAtMs { get; init; }

        public string? OwnerId { get; init; }

        public static ProjectRow From(Project p) => new()
        {
            Id = p.Id.ToString(),
            Name = p.Name,
            RootPath = p.RootPath,
            CreatedAtMs = p.CreatedAt.ToUnixTimeMilliseconds(),
            UpdatedAtMs = p.UpdatedAt.ToUnixTimeMilliseconds(),
            ArchivedAtMs = p.ArchivedAt?.ToUnixTimeMilliseconds(),
            OwnerId = p.OwnerId?.ToString(),
        };

        public Project ToProject() => new(
            Guid.Parse(Id),
            Name,
            RootPath,
            DateTimeOffset.FromUnixTimeMilliseconds(CreatedAtMs),
            DateTimeOffset.FromUnixTimeMilliseconds(UpdatedAtMs),
            ArchivedAtMs is { } a ? DateTimeOffset.FromUnixTimeMilliseconds(a) : null,
            OwnerId is null ? null : Guid.Parse(OwnerId));
    }
}
