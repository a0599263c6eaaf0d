using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;
using Wright.Core.Errors;

namespace Wright.Server.Problems;

/// <summary>
/// Refuses request targets Wright will not serve, as problems: longer than
/// <see cref="MaxTargetBytes"/> (414 <c>uri_too_long</c>) or with a NUL or another control
/// character in the decoded path (400 <c>path_invalid</c>). Kestrel's own limit is raised well
/// above ours (<see cref="KestrelLineBytes"/>) so these requests reach this middleware; only a
/// request line past Kestrel's limit still gets Kestrel's bare 414, which no application code can
/// shape.
/// </summary>
internal sealed class RequestTargetLimit
{
    /// <summary>The longest path and query Wright serves, like Kestrel's and nginx's default.</summary>
    public const int MaxTargetBytes = 8 * 1024;

    /// <summary>The request line Kestrel reads before it gives up by itself.</summary>
    public const int KestrelLineBytes = 128 * 1024;

    private readonly RequestDelegate _next;

    public RequestTargetLimit(RequestDelegate next) => _next = next;

    public Task InvokeAsync(HttpContext http, IProblemDetailsService problems)
    {
        var target = http.Features.Get<IHttpRequestFeature>()?.RawTarget ?? "";
        if (target.Length > MaxTargetBytes)
        {
            return RefuseAsync(http, problems, StatusCodes.Status414UriTooLong, ErrorCodes.UriTooLong, $"The request target is longer than {MaxTargetBytes} bytes; send large values in a request body.");
        }

        if (http.Request.Path.Value is { } path && path.Any(char.IsControl))
        {
            return RefuseAsync(http, problems, StatusCodes.Status400BadRequest, ErrorCodes.PathInvalid, "The request path contains a NUL or another control character.");
        }

        return _next(http);
    }

    private static async Task RefuseAsync(HttpContext http, IProblemDetailsService problems, int status, string code, string detail)
    {
        http.Response.StatusCode = status;
        var problem = new ProblemDetails { Status = status, Detail = detail };
        problem.Extensions["code"] = code;
        await problems.WriteAsync(new ProblemDetailsContext { HttpContext = http, ProblemDetails = problem }).ConfigureAwait(false);
    }
}

internal static class RequestTargetLimitExtensions
{
    public static IApplicationBuilder UseRequestTargetLimit(this IApplicationBuilder app) => app.UseMiddleware<RequestTargetLimit>();
}
