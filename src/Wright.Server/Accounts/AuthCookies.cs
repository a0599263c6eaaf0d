using Wright.Core.Accounts;

namespace Wright.Server.Accounts;

/// <summary>
/// The browser's credentials: HttpOnly cookies (script on the page cannot read them), SameSite
/// Strict (never sent on a request another site starts), Secure when the request came over
/// HTTPS. The refresh cookie is only sent to <c>/api/auth</c>.
/// </summary>
internal static class AuthCookies
{
    public const string Access = "wright_access";
    public const string Refresh = "wright_refresh";
    public const string RefreshPath = "/api/auth";

    public static void Set(HttpContext http, IssuedAccessToken access, IssuedLogin login)
    {
        http.Response.Cookies.Append(Access, access.Token, Options(http, "/", access.ExpiresAt));
        http.Response.Cookies.Append(Refresh, login.RefreshToken, Options(http, RefreshPath, login.RefreshTokenExpiresAt));
    }

    public static void Clear(HttpContext http)
    {
        http.Response.Cookies.Delete(Access, Options(http, "/", null));
        http.Response.Cookies.Delete(Refresh, Options(http, RefreshPath, null));
    }

    /// <summary>True when the request carries any of Wright's cookies: then CSRF rules apply to it.</summary>
    public static bool Present(HttpRequest request) => request.Cookies.ContainsKey(Access) || request.Cookies.ContainsKey(Refresh);

    private static CookieOptions Options(HttpContext http, string path, DateTimeOffset? expires) => new()
    {
        HttpOnly = true,
        Secure = http.Request.IsHttps,
        SameSite = SameSiteMode.Strict,
        Path = path,
        Expires = expires,
        IsEssential = true,
    };
}
