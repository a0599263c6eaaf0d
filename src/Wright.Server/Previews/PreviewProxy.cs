using System.Globalization;
using Microsoft.AspNetCore.DataProtection;
using System.Net;
using System.Text.RegularExpressions;
using Wright.Core.Accounts;
using Wright.Core.Previews;
using Yarp.ReverseProxy.Forwarder;

namespace Wright.Server.Previews;

/// <summary>
/// Serves previews from their own origin, <c>http://{port}-{project}.localhost:{wright-port}/</c>:
/// a request whose Host names a preview never reaches Wright's API or its cookies (they belong
/// to another host), so a previewed page cannot act as the user. Access comes from a preview
/// cookie of that host alone, minted by a one-minute ticket that the authenticated
/// <c>/api/projects/{id}/previews/{port}/open</c> redirects with; every request re-checks that
/// the user may still use the project (404 otherwise). The target is always 127.0.0.1; YARP
/// forwards HTTP and WebSocket upgrades alike.
/// </summary>
internal sealed partial class PreviewProxy
{
    public const string CookieName = "wright_preview";
    public const string FrameCookieName = "wright_preview_frame";
    public const string LoginPath = "/__wright_preview/login";
    private readonly RequestDelegate _next;
    private readonly IHttpForwarder _forwarder;
    private readonly PreviewTickets _tickets;
    private readonly HttpMessageInvoker _client;

    public PreviewProxy(RequestDelegate next, IHttpForwarder forwarder, PreviewTickets tickets)
    {
        _next = next;
        _forwarder = forwarder;
        _tickets = tickets;
        _client = new HttpMessageInvoker(new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
            ConnectTimeout = TimeSpan.FromSeconds(5),
        });
    }

    /// <summary>The preview origin of a port of a project, on the host and port this request came to Wright on.</summary>
    public static string OriginOf(HttpRequest request, Guid projectId, int port)
    {
        var wrightPort = request.Host.Port is { } p ? ":" + p.ToString(CultureInfo.InvariantCulture) : "";
        return $"{request.Scheme}://{port.ToString(CultureInfo.InvariantCulture)}-{projectId:N}.localhost{wrightPort}";
    }

    public async Task InvokeAsync(HttpContext http, PreviewService previews)
    {
        if (!TryParseHost(http.Request.Host.Host, out var projectId, out var port))
        {
            await _next(http).ConfigureAwait(false);
            return;
        }

        if (http.Request.Path.Equals(LoginPath, StringComparison.Ordinal))
        {
            var ticket = _tickets.ReadTicket(http.Request.Query["ticket"].ToString());
            if (ticket is null || ticket.Value.ProjectId != projectId || ticket.Value.Port != port)
            {
                NotFound(http);
                return;
            }

            var cookie = _tickets.IssueCookie(ticket.Value.UserId, projectId, port);
            http.Response.Cookies.Append(CookieName, cookie, new CookieOptions
            {
                HttpOnly = true,
                SameSite = SameSiteMode.Lax,
                Secure = http.Request.IsHttps,
                Path = "/",
            });

            // The workbench frames the preview, and a frame of another site gets no Lax cookie. A
            // partitioned one (CHIPS) does, and only under the top-level site it was set under
            // (Wright's), never when another site frames the preview. Browsers take Secure on
            // *.localhost over plain HTTP (a potentially trustworthy origin).
            var frameCookie = new CookieOptions
            {
                HttpOnly = true,
                SameSite = SameSiteMode.None,
                Secure = true,
                Path = "/",
            };
            frameCookie.Extensions.Add("Partitioned");
            http.Response.Cookies.Append(FrameCookieName, cookie, frameCookie);
            http.Response.Redirect("/");
            return;
        }

        var access = _tickets.ReadCookie(http.Request.Cookies[CookieName]) ?? _tickets.ReadCookie(http.Request.Cookies[FrameCookieName]);
        if (access is null || access.Value.ProjectId != projectId || access.Value.Port != port ||
            !await previews.CanPreviewAsync(new Actor(access.Value.UserId, "", UserRole.Member), projectId, http.RequestAborted).ConfigureAwait(false))
        {
            NotFound(http);
            return;
        }

        var error = await _forwarder.SendAsync(http, $"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}/", _client, ForwarderRequestConfig.Empty, PreviewTransformer.Instance).ConfigureAwait(false);
        if (error != ForwarderError.None && !http.Response.HasStarted)
        {
            http.Response.StatusCode = StatusCodes.Status502BadGateway;
            http.Response.ContentType = "text/html; charset=utf-8";
            await http.Response.WriteAsync(
                $"<!doctype html><title>Preview unavailable</title><p>Nothing answers on port {port.ToString(CultureInfo.InvariantCulture)}: the dev server is not running (yet). Start it in a terminal, then reload.</p>",
                http.RequestAborted).ConfigureAwait(false);
        }
    }

    internal static bool TryParseHost(string host, out Guid projectId, out int port)
    {
        projectId = Guid.Empty;
        port = 0;
        var match = PreviewHost().Match(host);
        return match.Success &&
            int.TryParse(match.Groups["port"].Value, CultureInfo.InvariantCulture, out port) && port is > 0 and < 65536 &&
            Guid.TryParseExact(match.Groups["project"].Value, "N", out projectId);
    }

    private static void NotFound(HttpContext http)
    {
        http.Response.StatusCode = StatusCodes.Status404NotFound;
    }

    [GeneratedRegex(@"^(?<port>\d{1,5})-(?<project>[0-9a-f]{32})\.localhost$", RegexOptions.IgnoreCase)]
    private static partial Regex PreviewHost();

    /// <summary>Forwards the request as the dev server would see it from a local browser, without Wright's preview cookie.</summary>
    private sealed class PreviewTransformer : HttpTransformer
    {
        public static readonly PreviewTransformer Instance = new();

        public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
        {
            await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken).ConfigureAwait(false);
            proxyRequest.Headers.Remove("Cookie");
            var kept = httpContext.Request.Cookies.Where(c => c.Key is not (CookieName or FrameCookieName)).Select(c => $"{c.Key}={c.Value}").ToList();
            if (kept.Count > 0)
            {
                proxyRequest.Headers.TryAddWithoutValidation("Cookie", string.Join("; ", kept));
            }
        }
    }
}

/// <summary>
/// The preview's credentials: a one-minute ticket (in the redirect from Wright's origin) and the
/// cookie it is exchanged for on the preview's origin, both sealed with Wright's data protection keys.
/// </summary>
internal sealed class PreviewTickets
{
    private static readonly TimeSpan TicketLifetime = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan CookieLifetime = TimeSpan.FromHours(12);

    private readonly ITimeLimitedDataProtector _tickets;
    private readonly ITimeLimitedDataProtector _cookies;

    public PreviewTickets(IDataProtectionProvider protection)
    {
        _tickets = protection.CreateProtector("Wright.Preview", "Ticket").ToTimeLimitedDataProtector();
        _cookies = protection.CreateProtector("Wright.Preview", "Cookie").ToTimeLimitedDataProtector();
    }

    public string IssueTicket(Guid userId, Guid projectId, int port) => _tickets.Protect(Payload(userId, projectId, port), TicketLifetime);

    public string IssueCookie(Guid userId, Guid projectId, int port) => _cookies.Protect(Payload(userId, projectId, port), CookieLifetime);

    public (Guid UserId, Guid ProjectId, int Port)? ReadTicket(string? value) => Read(_tickets, value);

    public (Guid UserId, Guid ProjectId, int Port)? ReadCookie(string? value) => Read(_cookies, value);

    private static string Payload(Guid userId, Guid projectId, int port) => $"{userId:N}|{projectId:N}|{port.ToString(CultureInfo.InvariantCulture)}";

    private static (Guid UserId, Guid ProjectId, int Port)? Read(ITimeLimitedDataProtector protector, string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }

        try
        {
            var parts = protector.Unprotect(value).Split('|');
            return parts.Length == 3 && Guid.TryParseExact(parts[0], "N", out var user) && Guid.TryParseExact(parts[1], "N", out var project) &&
                int.TryParse(parts[2], CultureInfo.InvariantCulture, out var port)
                ? (user, project, port)
                : null;
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            // Expired, tampered with, or from other keys: the same as no credential.
            return null;
        }
    }
}
