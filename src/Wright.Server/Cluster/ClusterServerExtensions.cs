using Microsoft.AspNetCore.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Wright.Core.Accounts;
using Wright.Core.Cluster;

namespace Wright.Server.Cluster;

/// <summary>Several instances on one PostgreSQL: revocations, events, answer leases, counters and the database's availability.</summary>
internal static class ClusterServerExtensions
{
    /// <summary>Registers the cluster's parts; on SQLite they run in-process only. Settings come from <c>Wright:Cluster</c>.</summary>
    public static IServiceCollection AddCluster(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<ClusterOptions>(configuration.GetSection(ClusterOptions.Section));
        services.AddAnswerLeases();
        services.TryAddSingleton<AccessRevocations>();
        services.TryAddSingleton<DatabaseAvailability>();
        services.TryAddSingleton<ClusterThrottle>();
        services.AddHostedService<ClusterLifecycle>();

        // First among the exception handlers, so a database that is away is a 503, not a 500.
        services.Insert(0, ServiceDescriptor.Singleton<IExceptionHandler, DatabaseUnavailableHandler>());

        // Every path that revokes goes through these two stores; wrapping them tells the cache.
        Decorate<IRefreshTokenRepository>(services, (sp, inner) => new RevocationAwareRefreshTokens(inner, sp.GetRequiredService<AccessRevocations>()));
        Decorate<IUserRepository>(services, (sp, inner) => new RevocationAwareUsers(inner, sp.GetRequiredService<AccessRevocations>()));
        return services;
    }

    private static void Decorate<T>(IServiceCollection services, Func<IServiceProvider, T, T> wrap)
        where T : class
    {
        var index = services.Count - 1;
        while (index >= 0 && services[index].ServiceType != typeof(T))
        {
            index--;
        }

        if (index < 0)
        {
            throw new InvalidOperationException($"{typeof(T).Name} must be registered before the cluster wraps it.");
        }

        var inner = services[index];
        services[index] = ServiceDescriptor.Singleton<T>(sp => wrap(sp, (T)Create(sp, inner)));
    }

    private static object Create(IServiceProvider services, ServiceDescriptor descriptor) =>
        descriptor.ImplementationInstance
        ?? descriptor.ImplementationFactory?.Invoke(services)
        ?? ActivatorUtilities.CreateInstance(services, descriptor.ImplementationType!);
}
