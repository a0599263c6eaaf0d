using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Wright.Core.Sandbox;

public static class SandboxServiceCollectionExtensions
{
    /// <summary>Registers the command sandbox; a host registers its <see cref="SandboxOptions"/> first to change the defaults.</summary>
    public static IServiceCollection AddSandbox(this IServiceCollection services)
    {
        services.TryAddSingleton<SandboxOptions>();
        services.TryAddSingleton<CommandSandbox>();
        return services;
    }
}
