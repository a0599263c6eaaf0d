using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Wright.Core.Cluster;

public static class ClusterServiceCollectionExtensions
{
    /// <summary>Registers this instance's identity and the leases on streaming answers; storage supplies <see cref="IClusterStore"/>.</summary>
    public static IServiceCollection AddAnswerLeases(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddOptions<ClusterOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ClusterOptions>, ClusterOptionsValidation>());
        services.TryAddSingleton<ClusterInstance>();
        services.TryAddSingleton<AnswerLeases>();
        return services;
    }
}
