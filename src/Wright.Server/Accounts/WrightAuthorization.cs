using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Infrastructure;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Mvc;
using Wright.Core.Accounts;
using Wright.Core.Errors;

namespace Wright.Server.Accounts;

/// <summary>
/// The token scope an endpoint needs. Every endpoint needs <c>api</c> unless it is marked with
/// <see cref="AcceptsScopeMetadata"/> (through <see cref="ScopeConventions.AcceptsScope{TBuilder}"/>),
/// which lets narrower tokens in too: the agent hooks endpoint will accept <c>hooks</c>.
/// </summary>
internal sealed class ScopeRequirement : IAuthorizationRequirement
{
    public static readonly ScopeRequirement Instance = new();
}

/// <summary>Endpoint metadata: tokens with this scope may call the endpoint (as well as <c>api</c> tokens).</summary>
internal sealed record AcceptsScopeMetadata(string Scope);

public static class ScopeConventions
{
    /// <summary>Lets tokens with <paramref name="scope"/> call these endpoints, not only full-access ones.</summary>
    public static TBuilder AcceptsScope<TBuilder>(this TBuilder builder, string scope)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new AcceptsScopeMetadata(scope));
}

internal sealed class ScopeRequirementHandler : AuthorizationHandler<ScopeRequirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, ScopeRequirement requirement)
    {
        var scopes = context.User.FindAll(WrightClaims.Scope).Select(c => c.Value).ToList();
        if (scopes.Contains(TokenScopes.Api))
        {
            context.Succeed(requirement);
            return Task.CompletedTask;
        }

        var endpoint = (context.Resource as HttpContext)?.GetEndpoint();
        var accepted = endpoint?.Metadata.GetOrderedMetadata<AcceptsScopeMetadata>() ?? [];
        if (accepted.Any(a => scopes.Contains(a.Scope)))
        {
            context.Succeed(requirement);
        }

        return Task.CompletedTask;
    }
}

/// <summary>The policies: every endpoint needs a user whose token scope allows it; admin endpoints need the admin role as well.</summary>
internal static class WrightPolicies
{
    public const string Admin = "admin";

    public static AuthorizationPolicy User { get; } = new AuthorizationPolicyBuilder(WrightClaims.Scheme)
        .RequireAuthenticatedUser()
        .AddRequirements(ScopeRequirement.Instance)
        .Build();

    public static AuthorizationPolicy AdminOnly { get; } = new AuthorizationPolicyBuilder(WrightClaims.Scheme)
        .Combine(User)
        .RequireRole(WrightClaims.AdminRole)
        .Build();
}

/// <summary>
/// Writes refused requests as problem documents with a stable code: 401 <c>unauthenticated</c>
/// or <c>token_expired</c> (with <c>WWW-Authenticate: Bearer</c>), 403 <c>insufficient_scope</c>
/// for a token whose scopes do not cover the endpoint, 403 <c>admin_required</c>.
/// </summary>
internal sealed class ProblemAuthorizationResultHandler : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (authorizeResult.Succeeded)
        {
            await _default.HandleAsync(next, context, policy, authorizeResult).ConfigureAwait(false);
            return;
        }

        var problems = context.RequestServices.GetRequiredService<IProblemDetailsService>();
        ProblemDetails problem;
        if (authorizeResult.Challenged)
        {
            var code = context.Items[WrightAuthenticationHandler.FailureCodeItem] as string ?? ErrorCodes.Unauthenticated;
            problem = new ProblemDetails
            {
                Status = StatusCodes.Status401Unauthorized,
                Detail = code == ErrorCodes.TokenExpired
                    ? "The access token has expired; get a new one from POST /api/auth/refresh."
                    : "Log in (POST /api/auth/login) or send Authorization: Bearer with an access or personal access token.",
            };
            problem.Extensions["code"] = code;
            context.Response.Headers.WWWAuthenticate = code == ErrorCodes.TokenExpired ? "Bearer error=\"invalid_token\"" : "Bearer";
        }
        else
        {
            var failed = authorizeResult.AuthorizationFailure?.FailedRequirements.ToList() ?? [];
            var scope = failed.OfType<ScopeRequirement>().Any();
            problem = new ProblemDetails
            {
                Status = StatusCodes.Status403Forbidden,
                Detail = scope
                    ? "This token's scopes do not allow this endpoint; create a token with the api scope."
                    : failed.OfType<RolesAuthorizationRequirement>().Any() ? "Only an admin may do this." : "You may not do this.",
            };
            problem.Extensions["code"] = scope ? ErrorCodes.InsufficientScope : ErrorCodes.AdminRequired;
        }

        context.Response.StatusCode = problem.Status!.Value;
        await problems.WriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem }).ConfigureAwait(false);
    }
}
