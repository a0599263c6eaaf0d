using Wright.Core.Accounts;

namespace Wright.Server.Accounts;

/// <summary>A user as the API shows it: never the password hash.</summary>
public sealed record UserDto(Guid Id, string UserName, UserRole Role, DateTimeOffset CreatedAt, bool Disabled, DateTimeOffset? DisabledAt)
{
    public static UserDto From(User u) => new(u.Id, u.UserName, u.Role, u.CreatedAt, u.IsDisabled, u.DisabledAt);
}

/// <summary>Body of <c>POST /api/auth/login</c>.</summary>
public sealed record LoginRequest(string? UserName, string? Password);

/// <summary>Body of <c>POST /api/auth/refresh</c> and <c>/logout</c>; browsers send the refresh cookie instead.</summary>
public sealed record RefreshRequest(string? RefreshToken);

/// <summary>A login or refresh: the user and a new token pair (the refresh token is single use).</summary>
public sealed record LoginResponse(UserDto User, string AccessToken, DateTimeOffset AccessTokenExpiresAt, string RefreshToken, DateTimeOffset RefreshTokenExpiresAt);

/// <summary>Whether the server still waits for its first admin.</summary>
public sealed record SetupStatusDto(bool Required);

/// <summary>Body of <c>POST /api/setup</c>: the one-time token the server printed, and the first admin.</summary>
public sealed record SetupRequest(string? Token, string? UserName, string? Password);

/// <summary>A personal access token as listed: a hint, never the token.</summary>
public sealed record TokenDto(Guid Id, string Name, string Hint, IReadOnlyList<string> Scopes, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt, DateTimeOffset? LastUsedAt, bool Revoked)
{
    public static TokenDto From(PersonalAccessToken t) => new(t.Id, t.Name, t.Hint, t.Scopes, t.CreatedAt, t.ExpiresAt, t.LastUsedAt, t.RevokedAt is not null);
}

/// <summary>A token just created: <c>token</c> is shown this once and never again.</summary>
public sealed record CreatedTokenDto(Guid Id, string Name, string Token, IReadOnlyList<string> Scopes, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt);

/// <summary>Body of <c>POST /api/tokens</c>: scopes default to <c>api</c>; no expiry means the token lasts until revoked.</summary>
public sealed record CreateTokenRequest(string? Name, int? ExpiresInDays, IReadOnlyList<string>? Scopes);

/// <summary>Body of <c>POST /api/users</c>.</summary>
public sealed record CreateUserRequest(string? UserName, string? Password, UserRole? Role);

/// <summary>Body of <c>PATCH /api/users/{id}</c>: absent fields stay as they are.</summary>
public sealed record UpdateUserRequest(UserRole? Role, bool? Disabled, string? Password);

/// <summary>One audit log entry.</summary>
public sealed record AuditEntryDto(Guid Id, DateTimeOffset At, string Action, Guid? ActorId, string? ActorName, string? Target, string? Address, string? Detail)
{
    public static AuditEntryDto From(AuditEntry e) => new(e.Id, e.At, e.Action, e.ActorId, e.ActorName, e.Target, e.Address, e.Detail);
}
