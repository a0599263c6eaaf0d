using Microsoft.Extensions.Configuration;
using Wright.Core.Engine;
using Wright.Core.Hosting;

namespace Wright.Server.Engine;

internal static class EngineHosting
{
    /// <summary>The answer engine: <see cref="EngineOptions"/> bound from the <c>Engine</c> section (Core's AddEngine validates them at start) and its start-up recovery.</summary>
    public static IServiceCollection AddWrightEngine(this IServiceCollection services)
    {
        services.AddEngine();
        services.AddOptions<EngineOptions>().BindConfiguration(WrightConfigNames.EngineSection);
        services.AddHostedService<EngineLifecycle>();
        return services;
    }
}
