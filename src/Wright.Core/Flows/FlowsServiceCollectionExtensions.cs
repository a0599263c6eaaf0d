using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Wright.Core.Engine;

namespace Wright.Core.Flows;

public static class FlowsServiceCollectionExtensions
{
    /// <summary>Registers flow templates and the FlowRun engine (and the answer engine they run on).</summary>
    public static IServiceCollection AddFlows(this IServiceCollection services)
    {
        services.AddEngine();
        services.AddOptions<FlowOptions>();
        services.TryAddSingleton<FlowTemplates>();
        services.TryAddSingleton<FlowRunner>();
        return services;
    }
}
