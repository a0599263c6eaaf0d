using Wright.Core.Projects;

namespace Wright.Server.Projects;

/// <summary>A project as the API shows it.</summary>
public sealed record ProjectDto(Guid Id, string Name, string Path, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, bool Archived, DateTimeOffset? ArchivedAt, Guid? OwnerId)
{
    public static ProjectDto From(Project p) => new(p.Id, p.Name, p.RootPath, p.CreatedAt, p.UpdatedAt, p.IsArchived, p.ArchivedAt, p.OwnerId);
}

/// <summary>A member of a project: a user who may use it without owning it.</summary>
public sealed record ProjectMemberDto(Guid UserId, string UserName, DateTimeOffset AddedAt)
{
    public static ProjectMemberDto From(ProjectMember m) => new(m.UserId, m.UserName, m.AddedAt);
}

/// <summary>Body of <c>POST /api/projects/{id}/members</c>.</summary>
public sealed record AddMemberRequest(string UserName);

/// <summary>Body of <c>POST /api/projects</c>: a new directory at <c>path</c> (or under the data dir's projects folder).</summary>
public sealed record CreateProjectRequest(string Name, string? Path);

/// <summary>
/// Body of <c>POST /api/projects:open</c>: an existing directory. Without <c>initGit</c> it must be
/// the top of a git working tree; with it, a repository is created there if needed.
/// </summary>
public sealed record OpenProjectRequest(string Path, string? Name, bool? InitGit);

/// <summary>Body of <c>POST /api/projects:clone</c>: a git URL or absolute path, and where to put the clone.</summary>
public sealed record CloneProjectRequest(string Url, string? Path, string? Name);

/// <summary>Body of <c>PATCH /api/projects/{id}</c>: the fields to change; absent fields stay as they are.</summary>
public sealed record UpdateProjectRequest(string? Name, bool? Archived);

/// <summary>A page of items and the cursor of the next page.</summary>
public sealed record PageDto<T>(IReadOnlyList<T> Items, string? NextCursor);
