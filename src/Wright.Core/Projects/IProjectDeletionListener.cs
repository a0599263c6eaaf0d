namespace Wright.Core.Projects;

/// <summary>Something that must end with a project (its background commands): told before the project is unregistered and its files go.</summary>
public interface IProjectDeletionListener
{
    Task ProjectDeletingAsync(Guid projectId, CancellationToken cancellationToken);
}
