using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Wright.Core.Git;

public static class GitServiceCollectionExtensions
{
    /// <summary>Registers the git CLI runner and the repository operations built on it.</summary>
    public static IServiceCollection AddGit(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<GitRunner>(_ => new GitRunner());
        services.TryAddSingleton<GitService>();
        services.TryAddSingleton<RemoteUrlPolicy>();
        return services;
    }
}
