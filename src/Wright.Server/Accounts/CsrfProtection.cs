using Microsoft.AspNetCore.Mvc;
using Wright.Core.Errors;

namespace Wright.Server.Accounts;

/// <summary>
/// Cross-site request forgery protection for cookie-authenticated requests. The browser's
/// cookies are SameSite=Strict, so no other site's page makes the browser send them; as a second,
/// independent line every unsafe request (POST, PUT, PATCH, DELETE) that carries a Wright cookie
/// and no bearer header must also carry a non-empty <c>X-Requested-With</c> header. A page on
/// another origin (including a sibling subdomain, which SameSite counts as the same site) cannot
/// add a custom header without a CORS preflight, and Wright answers no preflight. If an
/// <c>Origin</c> header is present it must be this server's. This needs no token state, works
/// across server instances, and the web app only has to set one constant header. Only a request
/// that authenticated with a valid Wright bearer token is exempt (a browser never adds one by
/// itself); any other Authorization header (Basic, a bad or expired token) exempts nothing.
/// </summary>
internal sealed partial class CsrfProtection
{
    public const string HeaderName = "X-Requested-With";

    private readonly RequestDelegate _next;
    private readonly ILogger<CsrfProtection> _logger;

    public CsrfProtection(RequestDelegate next, ILogger<CsrfProtection> logger)
    {
        _next = next;
        _logger = logger;
    }

    public async Task InvokeAsync(HttpContext http, IProblemDetailsService problems)
    {
        var request = http.Request;
        if (IsSafe(request.Method) || AuthenticatedByBearer(http) || !AuthCookies.Present(request))
        {
            await _next(http).ConfigureAwait(false);
            return;
        }

        var reason = string.IsNullOrWhiteSpace(request.Headers[HeaderName]) ? $"no {HeaderName} header"
            : request.Headers.Origin.Count > 0 && !SameOrigin(request) ? "Origin is another site"
            : null;
        if (reason is null)
        {
            await _next(http).ConfigureAwait(false);
            return;
        }

        CsrfLog.Rejected(_logger, request.Method, request.Path, reason);
        http.Response.StatusCode = StatusCodes.Status403Forbidden;
        var problem = new ProblemDetails
        {
            Status = StatusCodes.Status403Forbidden,
            Detail = $"A request authenticated by cookie must send the {HeaderName} header from this server's own pages ({reason}).",
        };
        problem.Extensions["code"] = ErrorCodes.CsrfFailed;
        await problems.WriteAsync(new ProblemDetailsContext { HttpContext = http, ProblemDetails = problem }).ConfigureAwait(false);
    }

    /// <summary>
    /// The authentication handler uses the Authorization header whenever there is one and never
    /// falls back to the cookie, so an authenticated request with a Bearer header was
    /// authenticated by that token.
    /// </summary>
    private static bool AuthenticatedByBearer(HttpContext http) =>
        http.User.Identity?.IsAuthenticated == true
        && http.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase);

    private static bool IsSafe(string method) => HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method) || HttpMethods.IsTrace(method);

    private static bool SameOrigin(HttpRequest request) =>
        Uri.TryCreate(request.Headers.Origin.ToString(), UriKind.Absolute, out var origin) &&
        string.Equals(origin.Scheme, request.Scheme, StringComparison.OrdinalIgnoreCase) &&
        string.Equals(origin.Authority, request.Host.Value, StringComparison.OrdinalIgnoreCase);
}

internal static partial class CsrfLog
{
    [LoggerMessage(EventId = 3102, Level = LogLevel.Warning, Message = "Rejected a cookie-authenticated {Method} {Path}: {Reason}")]
    public static partial void Rejected(ILogger logger, string method, string path, string reason);
}
