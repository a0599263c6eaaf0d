using System.Reflection;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Wright.Server.Health;

internal static class HealthEndpoints
{
    /// <summary><c>GET /health</c>: answers without authentication, for load balancers and scripts.</summary>
    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder app)
    {
        app.MapGet("/health", GetHealth).WithTags("Health").AllowAnonymous();
        return app;
    }

    private static Ok<HealthDto> GetHealth() => TypedResults.Ok(new HealthDto("ok", Version));

    private static string Version { get; } =
        typeof(HealthEndpoints).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";
}

internal sealed record HealthDto(string Status, string Version);
