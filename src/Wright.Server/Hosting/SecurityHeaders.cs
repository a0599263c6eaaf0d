using Microsoft.Extensions.Primitives;

namespace Wright.Server.Hosting;

/// <summary>
/// Security headers on every response. The content security policy is the web app's: scripts
/// only from this origin, inline styles allowed (Monaco writes them), workers from blob: (Monaco
/// and xterm.js start theirs that way), no framing of Wright, and frames only from this origin and
/// from preview origins on the same Wright port (<c>http://&lt;port&gt;-&lt;project&gt;.localhost:&lt;wright-port&gt;</c>,
/// the embedded preview). A response that set its own policy (raw project files are served in a
/// sandbox) keeps it.
/// </summary>
internal static class SecurityHeaders
{
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; " +
        "font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; object-src 'none'; base-uri 'none'; " +
        "form-action 'self'; frame-ancestors 'none'";

    /// <summary>
    /// The policy with <c>frame-src</c> narrowed to what the preview panel needs: Wright's own
    /// <c>…/previews/{port}/open</c> (it redirects) and the preview hosts of this scheme and port.
    /// </summary>
    public static string ContentSecurityPolicyFor(HttpRequest request)
    {
        var port = request.Host.Port is { } p ? ":" + p.ToString(System.Globalization.CultureInfo.InvariantCulture) : "";
        return $"{ContentSecurityPolicy}; frame-src 'self' {request.Scheme}://*.localhost{port}";
    }

    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) => app.Use(static (context, next) =>
    {
        context.Response.OnStarting(static state =>
        {
            var http = (HttpContext)state;
            var headers = http.Response.Headers;
            SetIfMissing(headers, "Content-Security-Policy", ContentSecurityPolicyFor(http.Request));
            SetIfMissing(headers, "X-Content-Type-Options", "nosniff");
            SetIfMissing(headers, "Referrer-Policy", "no-referrer");
            SetIfMissing(headers, "X-Frame-Options", "DENY");
            SetIfMissing(headers, "Cross-Origin-Opener-Policy", "same-origin");
            SetIfMissing(headers, "Cross-Origin-Resource-Policy", "same-origin");
            SetIfMissing(headers, "Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()");
            if (http.Request.IsHttps)
            {
                SetIfMissing(headers, "Strict-Transport-Security", "max-age=31536000");
            }

            return Task.CompletedTask;
        }, context);
        return next(context);
    });

    private static void SetIfMissing(IHeaderDictionary headers, string name, string value)
    {
        if (!headers.ContainsKey(name))
        {
            headers[name] = new StringValues(value);
        }
    }
}
