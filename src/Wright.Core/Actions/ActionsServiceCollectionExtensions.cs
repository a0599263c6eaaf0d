using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Wright.Core.Git;

namespace Wright.Core.Actions;

public static class ActionsServiceCollectionExtensions
{
    /// <summary>Registers ActionRuns with the built-in handlers (FILE_CHANGE, COMMAND, CONFIG, SCAFFOLD) and AI-commit undo.</summary>
    public static IServiceCollection AddActions(this IServiceCollection services)
    {
        services.AddGit();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IActionHandler, FileChangeHandler>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IActionHandler, CommandHandler>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IActionHandler, ConfigHandler>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IActionHandler, ScaffoldHandler>());
        services.TryAddSingleton<ActionRunner>();
        services.TryAddSingleton<AiCommitUndo>();
        return services;
    }
}
