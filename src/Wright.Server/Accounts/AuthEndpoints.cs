using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Wright.Core.Accounts;

namespace Wright.Server.Accounts;

internal static class AuthEndpoints
{
    /// <summary>
    /// Login, refresh and logout under <c>/api/auth</c>, and first-start setup under
    /// <c>/api/setup</c>: the only API endpoints that answer without a verified user.
    /// </summary>
    public static IEndpointRouteBuilder MapAuth(this IEndpointRouteBuilder api)
    {
        var auth = api.MapGroup("/auth").WithTags("Auth");
        auth.MapPost("/login", LoginAsync).AllowAnonymous()
            .WithSummary("Logs in with {userName, password}: the user, a 15-minute access token and a single-use refresh token; browsers also get HttpOnly cookies. Rate limited per address and per user name.");
        auth.MapPost("/refresh", RefreshAsync).AllowAnonymous()
            .WithSummary("Trades a refresh token (body or cookie) for a new pair; a refresh token used twice ends its whole login.");
        auth.MapPost("/logout", LogoutAsync).AllowAnonymous()
            .WithSummary("Ends the login of the refresh token (body or cookie) or of the access token, and clears the cookies.");
        auth.MapGet("/me", GetMe).WithSummary("The user the request is authenticated as.");

        var setup = api.MapGroup("/setup").WithTags("Auth");
        setup.MapGet("", GetSetupAsync).AllowAnonymous()
            .WithSummary("Whether the server still waits for its first admin.");
        setup.MapPost("", CompleteSetupAsync).AllowAnonymous()
            .WithSummary("Creates the first admin with the one-time token `wright serve` printed.");
        return api;
    }

    private static async Task<Ok<LoginResponse>> LoginAsync(
        LoginRequest request, HttpContext http, LoginThrottle throttle, LoginService logins, AccessTokenFormat accessTokens, CancellationToken cancellationToken)
    {
        var address = http.Connection.RemoteIpAddress?.ToString();
        await throttle.AttemptAsync(address, request.UserName, cancellationToken);
        var login = await logins.LoginAsync(request.UserName, request.Password, address, cancellationToken);
        return TypedResults.Ok(Respond(http, accessTokens, login));
    }

    private static async Task<Ok<LoginResponse>> RefreshAsync(
        [FromBody(EmptyBodyBehavior = Microsoft.AspNetCore.Mvc.ModelBinding.EmptyBodyBehavior.Allow)] RefreshRequest? request,
        HttpContext http,
        LoginService logins,
        AccessTokenFormat accessTokens,
        CancellationToken cancellationToken)
    {
        var token = request?.RefreshToken ?? http.Request.Cookies[AuthCookies.Refresh];
        var login = await logins.RefreshAsync(token, http.Connection.RemoteIpAddress?.ToString(), cancellationToken);
        return TypedResults.Ok(Respond(http, accessTokens, login));
    }

    private static async Task<NoContent> LogoutAsync(
        [FromBody(EmptyBodyBehavior = Microsoft.AspNetCore.Mvc.ModelBinding.EmptyBodyBehavior.Allow)] RefreshRequest? request,
        HttpContext http,
        LoginService logins,
        CancellationToken cancellationToken)
    {
        // Anonymous, so that a client whose access token expired can still end its login; the
        // endpoint still authenticates what it can to name the actor and the login's family.
        var result = await http.AuthenticateAsync(WrightClaims.Scheme);
        var user = result.Succeeded ? result.Principal : null;
        var token = request?.RefreshToken ?? http.Request.Cookies[AuthCookies.Refresh];
        await logins.LogoutAsync(token, user is null ? null : WrightClaims.FamilyOf(user), user?.ToActor(http), cancellationToken);
        AuthCookies.Clear(http);
        return TypedResults.NoContent();
    }

    private static async Task<Ok<UserDto>> GetMe(ClaimsPrincipal user, HttpContext http, UserService users, CancellationToken cancellationToken)
    {
        var actor = user.ToActor(http);
        return TypedResults.Ok(UserDto.From(await users.GetAsync(actor, actor.UserId, cancellationToken)));
    }

    private static async Task<Ok<SetupStatusDto>> GetSetupAsync(FirstAdminSetup setup, CancellationToken cancellationToken) =>
        TypedResults.Ok(new SetupStatusDto(await setup.IsRequiredAsync(cancellationToken)));

    private static async Task<Created<UserDto>> CompleteSetupAsync(SetupRequest request, HttpContext http, LoginThrottle throttle, FirstAdminSetup setup, CancellationToken cancellationToken)
    {
        var address = http.Connection.RemoteIpAddress?.ToString();
        await throttle.AttemptAsync(address, "(setup)", cancellationToken);
        var user = await setup.CompleteAsync(request.Token, request.UserName, request.Password, address, cancellationToken);
        return TypedResults.Created($"/api/users/{user.Id}", UserDto.From(user));
    }

    private static LoginResponse Respond(HttpContext http, AccessTokenFormat accessTokens, IssuedLogin login)
    {
        var access = accessTokens.Issue(login.User, login.FamilyId);
        AuthCookies.Set(http, access, login);
        http.Response.Headers.CacheControl = "no-store";
        return new LoginResponse(UserDto.From(login.User), access.Token, access.ExpiresAt, login.RefreshToken, login.RefreshTokenExpiresAt);
    }
}
