using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Wright.Core.Accounts;
using Wright.Core.Paging;
using Wright.Server.Projects;

namespace Wright.Server.Accounts;

internal static class AccountsEndpoints
{
    /// <summary>Personal access tokens of the current user under <c>/api/tokens</c>.</summary>
    public static IEndpointRouteBuilder MapTokens(this IEndpointRouteBuilder api)
    {
        var group = api.MapGroup("/tokens").WithTags("Tokens");
        group.MapPost("", CreateTokenAsync).WithSummary("Creates a personal access token {name, expiresInDays?, scopes?}; the token is in this answer only.");
        group.MapGet("", ListTokensAsync).WithSummary("Your personal access tokens (hints, never the tokens).");
        group.MapDelete("/{tokenId:guid}", RevokeTokenAsync).WithSummary("Revokes one of your tokens.");
        return api;
    }

    /// <summary>Users under <c>/api/users</c> and the audit log under <c>/api/audit</c>: admins only.</summary>
    public static IEndpointRouteBuilder MapUsers(this IEndpointRouteBuilder api)
    {
        var users = api.MapGroup("/users").WithTags("Users").RequireAuthorization(WrightPolicies.Admin);
        users.MapGet("", ListUsersAsync).WithSummary("Every user, oldest first.");
        users.MapPost("", CreateUserAsync).WithSummary("Adds a user {userName, password, role?}.");
        users.MapGet("/{userId:guid}", GetUserAsync);
        users.MapPatch("/{userId:guid}", UpdateUserAsync).WithSummary("Changes {role?, disabled?, password?}; disabling or a new password ends the user's logins at their next refresh.");

        api.MapGroup("/audit").WithTags("Audit").RequireAuthorization(WrightPolicies.Admin)
            .MapGet("", ListAuditAsync).WithSummary("The audit log, newest first.");
        return api;
    }

    private static async Task<Created<CreatedTokenDto>> CreateTokenAsync(CreateTokenRequest request, ClaimsPrincipal user, HttpContext http, PersonalAccessTokenService tokens, CancellationToken cancellationToken)
    {
        var actor = user.ToActor(http);
        var created = await tokens.CreateAsync(actor, actor.UserId, request.Name, request.ExpiresInDays, request.Scopes, cancellationToken);
        http.Response.Headers.CacheControl = "no-store";
        var t = created.Token;
        return TypedResults.Created($"/api/tokens/{t.Id}", new CreatedTokenDto(t.Id, t.Name, created.Secret, t.Scopes, t.CreatedAt, t.ExpiresAt));
    }

    private static async Task<Ok<PageDto<TokenDto>>> ListTokensAsync(int? limit, string? cursor, ClaimsPrincipal user, HttpContext http, PersonalAccessTokenService tokens, CancellationToken cancellationToken)
    {
        var page = await tokens.ListAsync(user.ToActor(http), PageRequest.From(limit, cursor), cancellationToken);
        return TypedResults.Ok(new PageDto<TokenDto>(page.Items.Select(TokenDto.From).ToList(), page.NextCursor));
    }

    private static async Task<NoContent> RevokeTokenAsync(Guid tokenId, ClaimsPrincipal user, HttpContext http, PersonalAccessTokenService tokens, CancellationToken cancellationToken)
    {
        await tokens.RevokeAsync(user.ToActor(http), tokenId, cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<Ok<PageDto<UserDto>>> ListUsersAsync(int? limit, string? cursor, ClaimsPrincipal user, HttpContext http, UserService users, CancellationToken cancellationToken)
    {
        var page = await users.ListAsync(user.ToActor(http), PageRequest.From(limit, cursor), cancellationToken);
        return TypedResults.Ok(new PageDto<UserDto>(page.Items.Select(UserDto.From).ToList(), page.NextCursor));
    }

    private static async Task<Created<UserDto>> CreateUserAsync(CreateUserRequest request, ClaimsPrincipal user, HttpContext http, UserService users, CancellationToken cancellationToken)
    {
        var created = await users.CreateAsync(user.ToActor(http), request.UserName ?? "", request.Password ?? "", request.Role ?? UserRole.Member, cancellationToken);
        return TypedResults.Created($"/api/users/{created.Id}", UserDto.From(created));
    }

    private static async Task<Ok<UserDto>> GetUserAsync(Guid userId, ClaimsPrincipal user, HttpContext http, UserService users, CancellationToken cancellationToken) =>
        TypedResults.Ok(UserDto.From(await users.GetAsync(user.ToActor(http), userId, cancellationToken)));

    private static async Task<Ok<UserDto>> UpdateUserAsync(Guid userId, UpdateUserRequest request, ClaimsPrincipal user, HttpContext http, UserService users, CancellationToken cancellationToken) =>
        TypedResults.Ok(UserDto.From(await users.UpdateAsync(user.ToActor(http), userId, request.Role, request.Disabled, request.Password, cancellationToken)));

    private static async Task<Ok<PageDto<AuditEntryDto>>> ListAuditAsync(int? limit, string? cursor, ClaimsPrincipal user, HttpContext http, AuditLog audit, CancellationToken cancellationToken)
    {
        var page = await audit.ListAsync(user.ToActor(http), PageRequest.From(limit, cursor), cancellationToken);
        return TypedResults.Ok(new PageDto<AuditEntryDto>(page.Items.Select(AuditEntryDto.From).ToList(), page.NextCursor));
    }
}
