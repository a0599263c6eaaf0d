using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Wright.Core.Projects;
using Wright.Core.Sandbox;

namespace Wright.Core.Commands;

public static class CommandsServiceCollectionExtensions
{
    /// <summary>Registers the background commands (ended with their project); a host registers its <see cref="BackgroundCommandOptions"/> to change the defaults.</summary>
    public static IServiceCollection AddBackgroundCommands(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<BackgroundCommandOptions>();
        services.AddSandbox();
        services.TryAddSingleton<BackgroundCommandService>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IProjectDeletionListener, BackgroundCommandService>(provider => provider.GetRequiredService<BackgroundCommandService>()));
        return services;
    }
}
