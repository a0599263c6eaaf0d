using Wright.Core.Projects;

namespace Wright.Server.Projects;

/// <summary>A project as the API shows it.</summary>
public sealed record ProjectDto(Guid Id, string Name, string Path, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, bool Archived, DateTimeOffset? ArchivedAt)
{
    public static ProjectDto From(Project p) => new(p.Id, p.Name, p.RootPath, p.CreatedAt, p.UpdatedAt, p.IsArchived, p.ArchivedAt);
}

/// <summary>Body of <c>POST /api/projects</c>: a new directory at <c>path</c> (or under the data dir's projects folder).</summary>
public sealed record CreateProjectRequest(string Name, string? Path);

/// <summary>A page of items and the cursor of the next page.</summary>
public sealed record PageDto<T>(IReadOnlyList<T> Items, string? NextCursor);
