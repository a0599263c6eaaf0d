namespace Wright.Core.Projects;

/// <summary>
/// A directory on disk that is a git repository, registered with Wright under a unique path.
/// <see cref="OwnerId"/> is null only for projects registered before accounts existed, until the
/// first admin adopts them.
/// </summary>
public sealed record Project(
    Guid Id,
    string Name,
    string RootPath,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? ArchivedAt,
    Guid? OwnerId = null)
{
    public bool IsArchived => ArchivedAt is not null;
}

/// <summary>A user who may use a project they do not own.</summary>
public sealed record ProjectMember(Guid ProjectId, Guid UserId, string UserName, DateTimeOffset AddedAt);
