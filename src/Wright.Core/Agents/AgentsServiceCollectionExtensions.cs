using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Wright.Core.Agents;

public static class AgentsServiceCollectionExtensions
{
    /// <summary>
    /// Registers the agent monitor: the board's feed, the monitor that ingests hooks and the
    /// transcript reader. The host binds <see cref="AgentsOptions"/> (section <c>Agents</c>), runs
    /// <see cref="TranscriptReader.RunAsync"/> and registers an <see cref="IAgentRepository"/>.
    /// </summary>
    public static IServiceCollection AddAgents(this IServiceCollection services)
    {
        services.AddOptions<AgentsOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AgentsOptions>, AgentsOptionsValidation>());
        services.TryAddSingleton<AgentBoard>();
        services.TryAddSingleton<TranscriptReader>();
        services.TryAddSingleton<AgentMonitor>();
        return services;
    }
}
