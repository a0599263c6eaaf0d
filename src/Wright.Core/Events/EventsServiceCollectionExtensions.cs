using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Wright.Core.Events;

public static class EventsServiceCollectionExtensions
{
    /// <summary>Registers the event bus and the watcher of external file changes.</summary>
    public static IServiceCollection AddEvents(this IServiceCollection services)
    {
        services.AddOptions<EventsOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<EventsOptions>, EventsOptionsValidation>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IEventBus, EventBus>();
        services.TryAddSingleton<ProjectWatcher>();
        return services;
    }
}
