using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Wright.Core.Accounts;
using Wright.Core.Git;

namespace Wright.Core.Projects;

public static class ProjectsServiceCollectionExtensions
{
    /// <summary>Registers the project lifecycle and the git operations it needs.</summary>
    public static IServiceCollection AddProjects(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddGit();
        services.TryAddSingleton<AuditLog>();
        services.AddOptions<WorkspaceOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<Microsoft.Extensions.Options.IValidateOptions<WorkspaceOptions>, WorkspaceOptionsValidation>());
        services.TryAddSingleton<ProjectPlaces>();
        services.TryAddSingleton<ProjectService>();
        return services;
    }
}
