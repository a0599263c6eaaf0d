using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Wright.Core.Accounts;
using Wright.Core.Errors;
using Wright.Server.Cluster;

namespace Wright.Server.Accounts;

/// <summary>
/// One scheme for every kind of credential: <c>Authorization: Bearer</c> with an access token
/// (checked without the database) or a personal access token (<c>wright_pat_…</c>, looked up by
/// hash), else the HttpOnly access cookie of the browser. A bearer header wins over cookies, and
/// a request that presents a bad credential fails rather than falling back to another.
/// </summary>
internal sealed partial class WrightAuthenticationHandler : AuthenticationHandler<AuthenticationSchemeOptions>
{
    /// <summary>Where the handler leaves the reason a credential was refused, for the 401 problem's code.</summary>
    public const string FailureCodeItem = "wright.auth.failure";

    private readonly AccessTokenFormat _accessTokens;
    private readonly PersonalAccessTokenService _personalTokens;
    private readonly AccessRevocations _revocations;

    public WrightAuthenticationHandler(
        IOptionsMonitor<AuthenticationSchemeOptions> options,
        ILoggerFactory logger,
        UrlEncoder encoder,
        AccessTokenFormat accessTokens,
        PersonalAccessTokenService personalTokens,
        AccessRevocations revocations)
        : base(options, logger, encoder)
    {
        _revocations = revocations;
        _accessTokens = accessTokens;
        _personalTokens = personalTokens;
    }

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? token = null;
        var authorization = Request.Headers.Authorization.ToString();
        if (authorization.Length > 0)
        {
            if (!authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            {
                return Refuse(ErrorCodes.Unauthenticated, "unsupported authorization scheme");
            }

            token = authorization["Bearer ".Length..].Trim();
        }
        else if (Request.Cookies.TryGetValue(AuthCookies.Access, out var cookie))
        {
            token = cookie;
        }

        if (string.IsNullOrEmpty(token))
        {
            return AuthenticateResult.NoResult();
        }

        if (token.StartsWith(TokenSecrets.PersonalAccessTokenPrefix, StringComparison.Ordinal))
        {
            var found = await _personalTokens.AuthenticateAsync(token, Context.RequestAborted).ConfigureAwait(false);
            if (found is not { } pat)
            {
                return Refuse(ErrorCodes.Unauthenticated, "unknown, revoked or expired personal access token, or disabled user");
            }

            var principal = WrightClaims.Principal(pat.User.Id, pat.User.UserName, pat.User.Role, pat.Token.Scopes, null, pat.Token.Id);
            return AuthenticateResult.Success(new AuthenticationTicket(principal, Scheme.Name));
        }

        var claims = _accessTokens.Read(token, out var expired);
        if (claims is null)
        {
            return expired
                ? Refuse(ErrorCodes.TokenExpired, "access token expired")
                : Refuse(ErrorCodes.Unauthenticated, "not a token this server issued");
        }

        if (_revocations.IsRevoked(claims.UserId, claims.FamilyId, _revocations.IssuedAt(claims.ExpiresAt)))
        {
            // Logged out, reused refresh token, or the user changed since the token was issued.
            return Refuse(ErrorCodes.TokenExpired, "access token revoked");
        }

        // A password login carries full API access; scopes only narrow personal access tokens.
        var user = WrightClaims.Principal(claims.UserId, claims.UserName, claims.Role, [TokenScopes.Api], claims.FamilyId, null);
        return AuthenticateResult.Success(new AuthenticationTicket(user, Scheme.Name));
    }

    private AuthenticateResult Refuse(string code, string reason)
    {
        Context.Items[FailureCodeItem] = code;
        AuthenticationLog.Refused(Logger, reason);
        return AuthenticateResult.Fail(reason);
    }
}

internal static partial class AuthenticationLog
{
    [LoggerMessage(EventId = 3101, Level = LogLevel.Debug, Message = "Credential refused: {Reason}")]
    public static partial void Refused(ILogger logger, string reason);
}
