using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Wright.Core.Errors;
using Wright.Core.Secrets;

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
    /// <summary>The Data Protection purpose of a spent token's remembered successor.</summary>
    private const string SuccessorPurpose = "refresh-token-successor";

    private readonly IUserRepository _users;
    private readonly IRefreshTokenRepository _refreshTokens;
    private readonly IPasswordHashing _hashing;
    private readonly ISecretProtector _secrets;
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
        ISecretProtector secrets,
        AuditLog audit,
        TimeProvider time,
        IOptions<AccountsOptions> options,
        ILogger<LoginService> logger)
    {
        _users = users;
        _refreshTokens = refreshTokens;
        _hashing = hashing;
        _secrets = secrets;
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

            // Only a name that belongs to a user is recorded: what was typed into the name field
            // of a failed login is sometimes the password.
            var target = user is null ? null : UserService.Target(user);
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
    /// <remarks>
    /// Two tabs, or a client retrying after a lost response, may present the same token at once.
    /// Within <see cref="AccountsOptions.RefreshReuseGrace"/> of its use, a spent token therefore
    /// answers with the very successor it was traded for (kept encrypted on the spent row for that
    /// window), as long as that successor is itself still unused: the login stays one chain, no
    /// second live token is ever made, and a token presented after the window, or after its
    /// successor moved on, still revokes the family.
    /// </remarks>
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

        var user = await _users.GetAsync(stored.UserId, cancellationToken).ConfigureAwait(false);
        if (user is null || user.IsDisabled)
        {
            await _refreshTokens.RevokeFamilyAsync(stored.FamilyId, now, cancellationToken).ConfigureAwait(false);
            AccountsLog.DisabledUserRefused(_logger, stored.UserId, stored.FamilyId);
            throw WrightException.Unauthorized(ErrorCodes.UserDisabled, "This account is disabled; ask an admin.");
        }

        if (stored.UsedAt is null)
        {
            // The successor exists before the token is spent, so that whoever loses a race for
            // this token finds the winner's successor already remembered.
            var (successor, secret) = await InsertNextAsync(user, stored.FamilyId, cancellationToken).ConfigureAwait(false);
            var remembered = _secrets.Protect(SuccessorPurpose, secret).Ciphertext;
            if (await _refreshTokens.TryUseAsync(stored.Id, now, remembered, cancellationToken).ConfigureAwait(false))
            {
                AccountsLog.Refreshed(_logger, user.Id, stored.FamilyId);
                return new IssuedLogin(user, stored.FamilyId, secret, successor.ExpiresAt);
            }

            // Lost the race: this successor was never handed out; retire it so it can never be used.
            await _refreshTokens.TryUseAsync(successor.Id, now, cancellationToken).ConfigureAwait(false);
            stored = await _refreshTokens.FindByHashAsync(stored.TokenHash, cancellationToken).ConfigureAwait(false) ?? throw invalid;
        }

        if (await SameSuccessorAsync(user, stored, now, cancellationToken).ConfigureAwait(false) is { } again)
        {
            AccountsLog.RefreshedWithinGrace(_logger, user.Id, stored.FamilyId);
            return again;
        }

        await RevokeReusedFamilyAsync(stored, address, now, cancellationToken).ConfigureAwait(false);
        throw WrightException.Unauthorized(ErrorCodes.RefreshTokenReused, "This refresh token was used before, so the login was ended for safety; log in again.");
    }

    /// <summary>Deletes refresh tokens nobody can use any more and forgets successors older than the grace window; returns how many tokens went.</summary>
    public async Task<int> PurgeRefreshTokensAsync(CancellationToken cancellationToken)
    {
        var now = AccountClock.Now(_time);
        var options = _options.Value;
        var purged = await _refreshTokens.PurgeAsync(now - options.RefreshTokenRetention, now - options.RefreshReuseGrace, cancellationToken).ConfigureAwait(false);
        AccountsLog.RefreshTokensPurged(_logger, purged);
        return purged;
    }

    /// <summary>The successor a spent token was traded for, when it was spent within the grace window and that successor is still live.</summary>
    private async Task<IssuedLogin?> SameSuccessorAsync(User user, RefreshToken spent, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var grace = _options.Value.RefreshReuseGrace;
        if (spent.UsedAt is not { } usedAt || spent.RevokedAt is not null || now - usedAt > grace || grace <= TimeSpan.Zero)
        {
            return null;
        }

        var remembered = await _refreshTokens.GetSuccessorAsync(spent.Id, cancellationToken).ConfigureAwait(false);
        if (remembered is null)
        {
            return null;
        }

        string secret;
        try
        {
            secret = _secrets.Unprotect(SuccessorPurpose, remembered);
        }
        catch (CryptographicException)
        {
            // A key ring that lost the key cannot vouch for the successor: treat it as reuse.
            return null;
        }

        var successor = await _refreshTokens.FindByHashAsync(TokenSecrets.Hash(secret), cancellationToken).ConfigureAwait(false);
        return successor is { UsedAt: null, RevokedAt: null } && successor.ExpiresAt > now && successor.FamilyId == spent.FamilyId
            ? new IssuedLogin(user, successor.FamilyId, secret, successor.ExpiresAt)
            : null;
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
        var (token, secret) = await InsertNextAsync(user, familyId, cancellationToken).ConfigureAwait(false);
        return new IssuedLogin(user, familyId, secret, token.ExpiresAt);
    }

    private async Task<(RefreshToken Token, string Secret)> InsertNextAsync(User user, Guid familyId, CancellationToken cancellationToken)
    {
        var now = AccountClock.Now(_time);
        var secret = TokenSecrets.New(TokenSecrets.RefreshTokenPrefix);
        var token = new RefreshToken(Guid.CreateVersion7(now), familyId, user.Id, TokenSecrets.Hash(secret), now, now + _options.Value.RefreshTokenLifetime, null, null);
        await _refreshTokens.InsertAsync(token, cancellationToken).ConfigureAwait(false);
        return (token, secret);
    }
}
