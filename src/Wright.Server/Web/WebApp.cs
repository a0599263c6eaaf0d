using Microsoft.Extensions.FileProviders;
using Microsoft.Net.Http.Headers;

namespace Wright.Server.Web;

/// <summary>
/// The web workbench (web/, built into <c>wwwroot</c> beside the server) served from the same
/// origin: its files as they are, and its page routes (<c>/</c>, <c>/p/…</c>, <c>/login</c>, …) as
/// <c>index.html</c> so the client router takes over. Every other path (<c>/api</c>,
/// <c>/openapi</c>, <c>/health</c>, anything unknown) answers as before: problem+json. The shell
/// holds no data, so it is served before authentication.
/// </summary>
internal static partial class WebApp
{
    private const string IndexFile = "/index.html";

    /// <summary>The first path segments the client router owns (WORKBENCH.md's routes); every other path stays the server's.</summary>
    private static readonly string[] AppSections = ["login", "setup", "settings", "p", "agents"];

    /// <summary>Serves the app from <paramref name="root"/> when it was built; without it the server answers as before and says so once.</summary>
    public static void UseWebApp(this WebApplication app, string root)
    {
        if (!File.Exists(Path.Combine(root, "index.html")))
        {
            WebAppLog.NotBuilt(app.Logger, root);
            return;
        }

        app.Use((http, next) =>
        {
            if (IsAppRoute(http.Request))
            {
                http.Request.Path = IndexFile;
            }

            return next(http);
        });
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = new PhysicalFileProvider(root),
            OnPrepareResponse = static context =>
            {
                // Vite names every asset by its content hash: they never change. The shell must be
                // revalidated so a new build reaches the browser.
                var immutable = context.Context.Request.Path.StartsWithSegments("/assets", StringComparison.Ordinal);
                context.Context.Response.Headers[HeaderNames.CacheControl] = immutable ? "public, max-age=31536000, immutable" : "no-cache";
            },
        });
    }

    /// <summary>
    /// A GET of a page the client router owns: <c>/</c> or a path under one of its sections. Any
    /// other path (an API route, a mistyped or hostile one) answers as the server always did.
    /// </summary>
    internal static bool IsAppRoute(HttpRequest request)
    {
        if (!HttpMethods.IsGet(request.Method) && !HttpMethods.IsHead(request.Method))
        {
            return false;
        }

        var value = request.Path.Value ?? "/";
        if (value == "/")
        {
            return true;
        }

        var first = value.AsSpan(1);
        var slash = first.IndexOf('/');
        var section = slash < 0 ? first : first[..slash];
        foreach (var candidate in AppSections)
        {
            if (section.Equals(candidate, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    private static partial class WebAppLog
    {
        [LoggerMessage(EventId = 9001, Level = LogLevel.Warning, Message = "The web app is not built ({Root} has no index.html): the browser gets the API only. Build with node and npm installed, or run `npm ci && npm run build` in web/.")]
        public static partial void NotBuilt(ILogger logger, string root);
    }
}
