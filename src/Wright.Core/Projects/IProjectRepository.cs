using Wright.Core.Paging;

namespace Wright.Core.Projects;

/// <summary>Stores projects. A root path belongs to one project only.</summary>
public interface IProjectRepository
{
    /// <summary>Adds a project; throws <c>project_path_taken</c> when another project has the same root path.</summary>
    Task InsertAsync(Project project, CancellationToken cancellationToken);

    Task<Project?> GetAsync(Guid id, CancellationToken cancellationToken);

    /// <summary>The project when <paramref name="userId"/> owns it or is one of its members; null otherwise.</summary>
    Task<Project?> GetForUserAsync(Guid id, Guid userId, CancellationToken cancellationToken);

    Task<Project?> FindByPathAsync(string rootPath, CancellationToken cancellationToken);

    /// <summary>Projects ordered by creation (oldest first), paged by an opaque cursor; every project when <paramref name="visibleTo"/> is null, else those that user owns or is a member of.</summary>
    Task<Page<Project>> ListAsync(PageRequest page, bool includeArchived, Guid? visibleTo, CancellationToken cancellationToken);

    /// <summary>Saves name, archive state and update time; returns false when the project no longer exists.</summary>
    Task<bool> UpdateAsync(Project project, CancellationToken cancellationToken);

    Task<bool> DeleteAsync(Guid id, CancellationToken cancellationToken);

    /// <summary>Gives every project without an owner to <paramref name="ownerId"/>; returns how many.</summary>
    Task<int> AssignOwnerlessAsync(Guid ownerId, CancellationToken cancellationToken);

    /// <summary>Adds a member; false when they were one already.</summary>
    Task<bool> AddMemberAsync(Guid projectId, Guid userId, DateTimeOffset at, CancellationToken cancellationToken);

    Task<bool> RemoveMemberAsync(Guid projectId, Guid userId, CancellationToken cancellationToken);

    /// <summary>The members of a project, in the order they were added.</summary>
    Task<IReadOnlyList<ProjectMember>> ListMembersAsync(Guid projectId, CancellationToken cancellationToken);
}
