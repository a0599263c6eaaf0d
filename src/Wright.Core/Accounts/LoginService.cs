using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Wright.Core.Errors;

namespace Wright.Core.Accounts;

/// <summary>A login that succeeded or was refreshed: the user and the refresh token of its family (shown to the client once).</summary>
public sealed record IssuedLogin(User User, Guid FamilyId, string RefreshToken, DateTimeOffset RefreshTokenExpiresAt);

/// <summary>
/// Password logins and their refresh-token families. Access tokens are the server's business
/// (they are checked without the database); this service owns everything the database must
/// know: who may log in, which refresh tokens are live, and reuse detection.
/// </summary>
public sealed class LoginService
{
    private const int MaxAuditedNameLength = 64;

    private readonly IUserRepository _users;
    private readonly IRefreshTokenRepository _refreshTokens;
    private readonly IPasswordHashing _hashing;
    private readonly AuditLog _audit;
    private readonly TimeProvider _time;
    private readonly IOptions<AccountsOptions> _options;
    private readonly ILogger<LoginService> _logger;

    /// <summary>
    /// Checked when the user name is unknown, so that an unknown name costs the same PBKDF2 work
    /// as a wrong password and the answer time does not tell which names exist.
    /// </summary>
    private readonly Lazy<string> _dummyHash;

    public LoginService(
        IUserRepository users,
        IRefreshTokenRepository refreshTokens,
        IPasswordHashing hashing,
        AuditLog audit,
        TimeProvider time,
        IOptions<AccountsOptions> options,
        ILogger<LoginService> logger)
    {
        _users = users;
        _refreshTokens = refreshTokens;
        _hashing = hashing;
        _audit = audit;
        _time = time;
        _options = options;
        _logger = logger;
        _dummyHash = new Lazy<string>(() => hashing.Hash(Convert.ToBase64String(RandomNumberGenerator.GetBytes(24))), LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>
    /// Checks a user name and password and starts a refresh-token family. Unknown user, wrong
    /// password and disabled user all get the same <c>invalid_credentials</c> after the same work;
    /// only the audit log tells them apart.
    /// </summary>
    public async Task<IssuedLogin> LoginAsync(string? userName, string? password, string? address, CancellationToken cancellationToken)
    {
        var name = (userName ?? "").Trim();
        var user = name.Length is > 0 and <= AccountRules.MaxUserNameLength
            ? await _users.FindByNameAsync(name, cancellationToken).ConfigureAwait(false)
            : null;
        var (valid, rehash) = _hashing.Verify(user?.PasswordHash ?? _dummyHash.Value, password ?? "");
        if (user is null || !valid || user.IsDisabled)
        {
            var reason = user is null ? "unknown user" : !valid ? "wrong password" : "user disabled";
            AccountsLog.LoginFailed(_logger, user?.Id, reason);
            var target = "user:" + (name.Length > MaxAuditedNameLength ? name[..MaxAuditedNameLength] : name);
            await _audit.RecordAsync(AuditActions.LoginFailed, user is null ? null : Actor.Of(user), target, reason, cancellationToken, address).ConfigureAwait(false);
            throw WrightException.Unauthorized(ErrorCodes.InvalidCredentials, "The user name or password is wrong.");
        }

        if (rehash)
        {
            // The stored hash uses older parameters: upgrade it while the password is at hand.
            user = user with { PasswordHash = _hashing.Hash(password!) };
            await _users.UpdateAsync(user, cancellationToken).ConfigureAwait(false);
        }

        var issued = await IssueAsync(user, Guid.CreateVersion7(_time.GetUtcNow()), cancellationToken).ConfigureAwait(false);
        AccountsLog.LoginSucceeded(_logger, user.Id, issued.FamilyId);
        await _audit.RecordAsync(AuditActions.LoginSucceeded, Actor.Of(user, address), UserService.Target(user), null, cancellationToken).ConfigureAwait(false);
        return issued;
    }

    /// <summary>
    /// Trades a live refresh token for the next one of its family. A token that was already used
    /// is evidence that it was copied: the whole family is revoked (the thief and the user both
    /// have to log in again) and the reuse is audited. A disabled user's family ends here too.
    /// </summary>
    public async Task<IssuedLogin> RefreshAsync(string? refreshToken, string? address, CancellationToken cancellationToken)
    {
        var invalid = WrightException.Unauthorized(ErrorCodes.RefreshTokenInvalid, "The refresh token is unknown, expired or revoked; log in again.");
        if (string.IsNullOrEmpty(refreshToken) || !refreshToken.StartsWith(TokenSecrets.RefreshTokenPrefix, StringComparison.Ordinal))
        {
            throw invalid;
        }

        var stored = await _refreshTokens.FindByHashAsync(TokenSecrets.Hash(refreshToken), cancellationToken).ConfigureAwait(false);
        var now = AccountClock.Now(_time);
        if (stored is null || stored.RevokedAt is not null || stored.ExpiresAt <= now)
        {
            throw invalid;
        }

        if (stored.UsedAt is not null || !await _refreshTokens.TryUseAsync(stored.Id, now, cancellationToken).ConfigureAwait(false))
        {
            await RevokeReusedFamilyAsync(stored, address, now, cancellationToken).ConfigureAwait(false);
            throw WrightException.Unauthorized(ErrorCodes.RefreshTokenReused, "This refresh token was used before, so the login was ended for safety; log in again.");
        }

        var user = await _users.GetAsync(stored.UserId, cancellationToken).ConfigureAwait(false);
        if (user is null || user.IsDisabled)
        {
            await _refreshTokens.RevokeFamilyAsync(stored.FamilyId, now, cancellationToken).ConfigureAwait(false);
            AccountsLog.DisabledUserRefused(_logger, stored.UserId, stored.FamilyId);
            throw WrightException.Unauthorized(ErrorCodes.UserDisabled, "This account is disabled; ask an admin.");
        }

        var issued = await IssueAsync(user, stored.FamilyId, cancellationToken).ConfigureAwait(false);
        AccountsLog.Refreshed(_logger, user.Id, stored.FamilyId);
        return issued;
    }

    /// <summary>
    /// Ends a login: the family of <paramref name="refreshToken"/> if it is known, else
    /// <paramref name="familyId"/> (from the access token). Unknown tokens are ignored: logging out
    /// twice is not an error.
    /// </summary>
    public async Task LogoutAsync(string? refreshToken, Guid? familyId, Actor? actor, CancellationToken cancellationToken)
    {
        var family = familyId;
        if (!string.IsNullOrEmpty(refreshToken))
        {
            var stored = await _refreshTokens.FindByHashAsync(TokenSecrets.Hash(refreshToken), cancellationToken).ConfigureAwait(false);
            family = stored?.FamilyId ?? family;
        }

        if (family is not { } id)
        {
            return;
        }

        var revoked = await _refreshTokens.RevokeFamilyAsync(id, AccountClock.Now(_time), cancellationToken).ConfigureAwait(false);
        AccountsLog.LoggedOut(_logger, actor?.UserId, id, revoked);
        if (revoked > 0)
        {
            await _audit.RecordAsync(AuditActions.Logout, actor, actor is null ? null : $"user:{actor.UserName}", null, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task RevokeReusedFamilyAsync(RefreshToken stored, string? address, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var revoked = await _refreshTokens.RevokeFamilyAsync(stored.FamilyId, now, cancellationToken).ConfigureAwait(false);
        AccountsLog.RefreshReused(_logger, stored.UserId, stored.FamilyId, revoked);
        var user = await _users.GetAsync(stored.UserId, cancellationToken).ConfigureAwait(false);
        await _audit.RecordAsync(
            AuditActions.RefreshReused,
            user is null ? null : Actor.Of(user),
            user is null ? null : UserService.Target(user),
            $"family {stored.FamilyId} revoked ({revoked} live tokens)",
            cancellationToken,
            address).ConfigureAwait(false);
    }

    private async Task<IssuedLogin> IssueAsync(User user, Guid familyId, CancellationToken cancellationToken)
    {
        var now = AccountClock.Now(_time);
        var secret = TokenSecrets.New(TokenSecrets.RefreshTokenPrefix);
        var expires = now + _options.Value.RefreshTokenLifetime;
        await _refreshTokens.InsertAsync(
            new RefreshToken(Guid.CreateVersion7(now), familyId, user.Id, TokenSecrets.Hash(secret), now, expires, null, null),
            cancellationToken).ConfigureAwait(false);
        return new IssuedLogin(user, familyId, secret, expires);
    }
}
