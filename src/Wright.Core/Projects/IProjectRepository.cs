using Wright.Core.Paging;

namespace Wright.Core.Projects;

/// <summary>Stores projects. A root path belongs to one project only.</summary>
public interface IProjectRepository
{
    /// <summary>Adds a project; throws <c>project_path_taken</c> when another project has the same root path.</summary>
    Task InsertAsync(Project project, CancellationToken cancellationToken);

    Task<Project?> GetAsync(Guid id, CancellationToken cancellationToken);

    Task<Project?> FindByPathAsync(string rootPath, CancellationToken cancellationToken);

    /// <summary>Projects ordered by creation (oldest first), paged by an opaque cursor.</summary>
    Task<Page<Project>> ListAsync(PageRequest page, bool includeArchived, CancellationToken cancellationToken);

    /// <summary>Saves name, archive state and update time; returns false when the project no longer exists.</summary>
    Task<bool> UpdateAsync(Project project, CancellationToken cancellationToken);

    Task<bool> DeleteAsync(Guid id, CancellationToken cancellationToken);
}
