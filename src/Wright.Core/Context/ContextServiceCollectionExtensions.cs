using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Wright.Core.Git;

namespace Wright.Core.Context;

public static class ContextServiceCollectionExtensions
{
    /// <summary>Registers context building: the workspace scanner (with its per-project cache), the token estimator and the builder.</summary>
    public static IServiceCollection AddContext(this IServiceCollection services)
    {
        services.AddGit();
        services.TryAddSingleton(sp => new SymbolCache(sp.GetRequiredService<Hosting.WrightOptions>()));
        services.TryAddSingleton<WorkspaceScanner>();
        services.TryAddSingleton(_ => new TokenEstimator());
        services.TryAddSingleton<TokenCalibration>();
        services.TryAddSingleton<ContextBuilder>();
        return services;
    }
}
