using Microsoft.Extensions.Logging;

namespace Wright.Core.Accounts;

/// <summary>
/// Account events for the server log. By design none of them takes a password, token, hash or
/// key: ids identify users, logins (families) and tokens well enough to follow an incident.
/// </summary>
internal static partial class AccountsLog
{
    [LoggerMessage(EventId = 3001, Level = LogLevel.Information, Message = "Login of user {UserId} started family {FamilyId}")]
    public static partial void LoginSucceeded(ILogger logger, Guid userId, Guid familyId);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Information, Message = "Login refused for user {UserId}: {Reason}")]
    public static partial void LoginFailed(ILogger logger, Guid? userId, string reason);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Debug, Message = "Refreshed family {FamilyId} of user {UserId}")]
    public static partial void Refreshed(ILogger logger, Guid userId, Guid familyId);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Warning, Message = "Security: a used refresh token of user {UserId} was presented again; family {FamilyId} revoked ({Revoked} live tokens)")]
    public static partial void RefreshReused(ILogger logger, Guid userId, Guid familyId, int revoked);

    [LoggerMessage(EventId = 3007, Level = LogLevel.Debug, Message = "Refresh of family {FamilyId} of user {UserId} repeated within the grace window: same successor")]
    public static partial void RefreshedWithinGrace(ILogger logger, Guid userId, Guid familyId);

    [LoggerMessage(EventId = 3008, Level = LogLevel.Information, Message = "Purged {Purged} expired or revoked refresh tokens")]
    public static partial void RefreshTokensPurged(ILogger logger, int purged);

    [LoggerMessage(EventId = 3005, Level = LogLevel.Information, Message = "Refresh of family {FamilyId} refused: user {UserId} is disabled or gone")]
    public static partial void DisabledUserRefused(ILogger logger, Guid userId, Guid familyId);

    [LoggerMessage(EventId = 3006, Level = LogLevel.Information, Message = "Logout of user {UserId} revoked family {FamilyId} ({Revoked} live tokens)")]
    public static partial void LoggedOut(ILogger logger, Guid? userId, Guid familyId, int revoked);

    [LoggerMessage(EventId = 3010, Level = LogLevel.Information, Message = "Created the first admin {UserId} ({UserName}); {Adopted} projects without owner are now theirs")]
    public static partial void FirstAdminCreated(ILogger logger, Guid userId, string userName, int adopted);

    [LoggerMessage(EventId = 3011, Level = LogLevel.Information, Message = "Created user {UserId} ({UserName}) as {Role} by {Actor}")]
    public static partial void UserCreated(ILogger logger, Guid userId, string userName, UserRole role, string actor);

    [LoggerMessage(EventId = 3012, Level = LogLevel.Information, Message = "Updated user {UserId} ({UserName}) by {Actor}")]
    public static partial void UserUpdated(ILogger logger, Guid userId, string userName, string actor);

    [LoggerMessage(EventId = 3013, Level = LogLevel.Information, Message = "Revoked {Revoked} refresh tokens of user {UserId}")]
    public static partial void UserSessionsRevoked(ILogger logger, Guid userId, int revoked);

    [LoggerMessage(EventId = 3020, Level = LogLevel.Information, Message = "Created personal access token {TokenId} for user {UserId} with scopes {Scopes}")]
    public static partial void TokenCreated(ILogger logger, Guid tokenId, Guid userId, string scopes);

    [LoggerMessage(EventId = 3021, Level = LogLevel.Information, Message = "Revoked personal access token {TokenId} of user {UserId}")]
    public static partial void TokenRevoked(ILogger logger, Guid tokenId, Guid userId);
}
