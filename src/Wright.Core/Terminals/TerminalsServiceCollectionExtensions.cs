using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Wright.Core.Sandbox;

namespace Wright.Core.Terminals;

public static class TerminalsServiceCollectionExtensions
{
    /// <summary>Registers the terminal service; a host registers its <see cref="TerminalOptions"/> first to change the defaults.</summary>
    public static IServiceCollection AddTerminals(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<TerminalOptions>();
        services.AddSandbox();
        services.TryAddSingleton<TerminalService>();
        return services;
    }
}
