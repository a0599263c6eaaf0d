using Microsoft.Extensions.DependencyInjection;

namespace Wright.Core.Workspace;

public static class WorkspaceServiceCollectionExtensions
{
    /// <summary>Registers the files of projects: path jail, reads, atomic writes, tree listing.</summary>
    public static IServiceCollection AddWorkspace(this IServiceCollection services)
    {
        return services;
    }
}
