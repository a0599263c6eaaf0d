namespace Wright.Core.Accounts;

/// <summary>
/// One refresh token of a login. Every refresh retires the presented token and issues the next
/// one in the same family; presenting a retired token again means it was copied, so the whole
/// family (the login) is revoked. Only the SHA-256 hash of the token is stored.
/// </summary>
public sealed record RefreshToken(
    Guid Id,
    Guid FamilyId,
    Guid UserId,
    string TokenHash,
    DateTimeOffset CreatedAt,
    DateTimeOffset ExpiresAt,
    DateTimeOffset? UsedAt,
    DateTimeOffset? RevokedAt);

/// <summary>A personal access token (CLI, scripts, agent hooks); only its hash and a short hint are stored.</summary>
public sealed record PersonalAccessToken(
    Guid Id,
    Guid UserId,
    string Name,
    string TokenHash,
    string Hint,
    IReadOnlyList<string> Scopes,
    DateTimeOffset CreatedAt,
    DateTimeOffset? ExpiresAt,
    DateTimeOffset? LastUsedAt,
    DateTimeOffset? RevokedAt)
{
    public bool IsActiveAt(DateTimeOffset now) => RevokedAt is null && (ExpiresAt is null || ExpiresAt > now);
}

/// <summary>One entry of the audit log: who did what to what, from where, and when.</summary>
public sealed record AuditEntry(
    Guid Id,
    DateTimeOffset At,
    string Action,
    Guid? ActorId,
    string? ActorName,
    string? Target,
    string? Address,
    string? Detail);

/// <summary>The audit actions; stable names clients may filter on.</summary>
public static class AuditActions
{
    public const string LoginSucceeded = "login.succeeded";
    public const string LoginFailed = "login.failed";
    public const string Logout = "logout";
    public const string RefreshReused = "refresh.reused";
    public const string TokenCreated = "token.created";
    public const string TokenRevoked = "token.revoked";
    public const string UserCreated = "user.created";
    public const string UserRoleChanged = "user.role_changed";
    public const string UserDisabled = "user.disabled";
    public const string UserEnabled = "user.enabled";
    public const string UserPasswordChanged = "user.password_changed";
    public const string SetupCompleted = "setup.completed";
    public const string ProjectDeleted = "project.deleted";
    public const string ProjectMemberAdded = "project.member_added";
    public const string ProjectMemberRemoved = "project.member_removed";
}
