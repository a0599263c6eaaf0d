namespace Wright.Core.Projects;

/// <summary>A directory on disk that is a git repository, registered with Wright under a unique path.</summary>
public sealed record Project(
    Guid Id,
    string Name,
    string RootPath,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? ArchivedAt)
{
    public bool IsArchived => ArchivedAt is not null;
}
