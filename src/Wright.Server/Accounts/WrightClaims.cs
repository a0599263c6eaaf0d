using System.Security.Claims;
using Wright.Core.Accounts;

namespace Wright.Server.Accounts;

/// <summary>The claims of a Wright principal and how an endpoint turns one into a Core <see cref="Actor"/>.</summary>
internal static class WrightClaims
{
    public const string Scheme = "Wright";
    public const string UserId = "sub";
    public const string Name = "name";
    public const string Role = "role";
    public const string Scope = "scope";
    public const string Family = "fam";
    public const string TokenId = "tid";
    public const string AdminRole = "admin";

    public static ClaimsPrincipal Principal(Guid userId, string userName, UserRole role, IEnumerable<string> scopes, Guid? familyId, Guid? tokenId)
    {
        var claims = new List<Claim>
        {
            new(UserId, userId.ToString()),
            new(Name, userName),
            new(Role, role == UserRole.Admin ? AdminRole : "member"),
        };
        claims.AddRange(scopes.Select(s => new Claim(Scope, s)));
        if (familyId is { } family)
        {
            claims.Add(new Claim(Family, family.ToString()));
        }

        if (tokenId is { } token)
        {
            claims.Add(new Claim(TokenId, token.ToString()));
        }

        return new ClaimsPrincipal(new ClaimsIdentity(claims, Scheme, Name, Role));
    }

    /// <summary>The verified user of the request, for Core services; the client's address goes into the audit log.</summary>
    public static Actor ToActor(this ClaimsPrincipal user, HttpContext http)
    {
        var id = user.FindFirst(UserId)?.Value;
        // Guid.Empty is the trusted local command line, which sees every project: no request
        // may ever act as it, whatever a token claims.
        if (id is null || !Guid.TryParse(id, out var userId) || userId == Wright.Core.Accounts.Actor.CommandLineId)
        {
            // The fallback policy lets no anonymous request reach an endpoint that asks for an actor.
            throw new InvalidOperationException("The request has no authenticated Wright user.");
        }

        var role = user.IsInRole(AdminRole) ? UserRole.Admin : UserRole.Member;
        return new Actor(userId, user.FindFirst(Name)?.Value ?? "", role, http.Connection.RemoteIpAddress?.ToString());
    }

    public static Guid? FamilyOf(ClaimsPrincipal user) =>
        Guid.TryParse(user.FindFirst(Family)?.Value, out var family) ? family : null;
}

/// <summary>The request's verified user as a Core <see cref="Actor"/>.</summary>
internal static class HttpContextActorExtensions
{
    public static Actor Actor(this HttpContext http) => http.User.ToActor(http);
}
