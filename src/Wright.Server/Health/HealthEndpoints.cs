using System.Reflection;
using Microsoft.AspNetCore.Http.HttpResults;
using Wright.Server.Cluster;

namespace Wright.Server.Health;

internal static class HealthEndpoints
{
    /// <summary>
    /// <c>GET /health</c>: readiness for load balancers and scripts, without authentication: 200
    /// while the database answers, 503 with <c>database: "unavailable"</c> while it does not.
    /// <c>GET /health/live</c>: liveness, 200 as long as the process serves HTTP, never touching the database.
    /// </summary>
    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder app)
    {
        app.MapGet("/health", GetHealthAsync).WithTags("Health").AllowAnonymous();
        app.MapGet("/health/live", GetLive).WithTags("Health").AllowAnonymous();
        return app;
    }

    private static async Task<Results<Ok<HealthDto>, JsonHttpResult<HealthDto>>> GetHealthAsync(DatabaseAvailability database, CancellationToken cancellationToken) =>
        await database.IsAvailableAsync(cancellationToken).ConfigureAwait(false)
            ? TypedResults.Ok(new HealthDto("ok", Version, DatabaseStates.Available))
            : TypedResults.Json(new HealthDto("unavailable", Version, DatabaseStates.Unavailable), statusCode: StatusCodes.Status503ServiceUnavailable);

    private static Ok<LivenessDto> GetLive() => TypedResults.Ok(new LivenessDto("ok", Version));

    private static string Version { get; } =
        typeof(HealthEndpoints).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";
}

/// <summary>The database's state as <c>/health</c> reports it; never rename one.</summary>
internal static class DatabaseStates
{
    public const string Available = "ok";
    public const string Unavailable = "unavailable";
}

internal sealed record HealthDto(string Status, string Version, string Database);

internal sealed record LivenessDto(string Status, string Version);
