using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Wright.Core.Projects;

public static class ProjectsServiceCollectionExtensions
{
    /// <summary>Registers the project lifecycle and the git runner it needs.</summary>
    public static IServiceCollection AddProjects(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ProjectService>();
        return services;
    }
}
