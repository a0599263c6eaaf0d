using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Wright.Core.Git;

namespace Wright.Core.Workspace;

public static class WorkspaceServiceCollectionExtensions
{
    /// <summary>Registers the files of projects: path jail, reads, atomic writes, tree listing. The event bus comes from AddEvents().</summary>
    public static IServiceCollection AddWorkspace(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<GitRunner>(_ => new GitRunner());
        services.TryAddSingleton<ProjectFiles>();
        services.TryAddSingleton<FileTree>();
        services.AddOptions<SearchOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<Microsoft.Extensions.Options.IValidateOptions<SearchOptions>, SearchOptionsValidation>());
        services.TryAddSingleton<ProjectSearch>();
        services.TryAddSingleton<FileMerge>();
        return services;
    }
}
