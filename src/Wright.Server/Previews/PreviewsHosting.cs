using Wright.Core.Previews;

namespace Wright.Server.Previews;

internal static class PreviewsHosting
{
    public static IServiceCollection AddWrightPreviews(this IServiceCollection services)
    {
        services.AddPreviews();
        services.AddHttpForwarder();
        services.AddSingleton<PreviewTickets>();
        return services;
    }

    /// <summary>Answers requests addressed to a preview origin before anything of Wright's API sees them.</summary>
    public static IApplicationBuilder UsePreviews(this IApplicationBuilder app) => app.UseMiddleware<PreviewProxy>();
}
