using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Wright.Core.Cluster;
using Wright.Core.Events;
using Wright.Storage.Database;

namespace Wright.Storage.Cluster;

internal static class ClusterStorageExtensions
{
    /// <summary>
    /// The store of leases and counters, the revocation queries, and, on PostgreSQL, the
    /// LISTEN/NOTIFY signals and the event relay; on SQLite the signals are local and there is no relay.
    /// </summary>
    public static IServiceCollection AddClusterStorage(this IServiceCollection services)
    {
        services.TryAddSingleton<IClusterStore, ClusterStore>();
        services.TryAddSingleton<RevocationQueries>();
        services.TryAddSingleton<PendingSaves>();
        services.TryAddSingleton<PostgresClusterSignals>();
        services.TryAddSingleton<IClusterSignals>(sp => sp.GetRequiredService<WrightDatabase>().Dialect == DatabaseDialect.Postgres
            ? sp.GetRequiredService<PostgresClusterSignals>()
            : new LocalClusterSignals());
        services.TryAddSingleton<PostgresEventRelay>();
        services.TryAddSingleton<IEventRelay>(sp => sp.GetRequiredService<WrightDatabase>().Dialect == DatabaseDialect.Postgres
            ? sp.GetRequiredService<PostgresEventRelay>()
            : NoEventRelay.Instance);
        return services;
    }
}
