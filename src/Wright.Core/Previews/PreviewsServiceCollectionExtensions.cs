using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Wright.Core.Commands;
using Wright.Core.Terminals;

namespace Wright.Core.Previews;

public static class PreviewsServiceCollectionExtensions
{
    public static IServiceCollection AddPreviews(this IServiceCollection services)
    {
        services.AddTerminals();
        services.AddBackgroundCommands();
        services.TryAddSingleton<PreviewService>();
        return services;
    }
}
