using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Wright.Core.Errors;
using Wright.Core.Paging;

namespace Wright.Core.Accounts;

/// <summary>A personal access token just created: its record and the token itself, which is never shown again.</summary>
public sealed record CreatedToken(PersonalAccessToken Token, string Secret);

/// <summary>
/// Personal access tokens for the CLI, scripts and agent hooks: created by their user, shown
/// once, stored as a hash, limited to scopes, revocable. A token stops working the moment its
/// user is disabled.
/// </summary>
public sealed class PersonalAccessTokenService
{
    private const int MaxNameLength = 100;

    /// <summary>Last-used times are for people reading the list; a minute of precision spares a write per request.</summary>
    private static readonly TimeSpan TouchInterval = TimeSpan.FromMinutes(1);

    private readonly IPersonalAccessTokenRepository _tokens;
    private readonly IUserRepository _users;
    private readonly AuditLog _audit;
    private readonly TimeProvider _time;
    private readonly IOptions<AccountsOptions> _options;
    private readonly ILogger<PersonalAccessTokenService> _logger;

    public PersonalAccessTokenService(
        IPersonalAccessTokenRepository tokens,
        IUserRepository users,
        AuditLog audit,
        TimeProvider time,
        IOptions<AccountsOptions> options,
        ILogger<PersonalAccessTokenService> logger)
    {
        _tokens = tokens;
        _users = users;
        _audit = audit;
        _time = time;
        _options = options;
        _logger = logger;
    }

    /// <summary>Creates a token for <paramref name="owner"/> (the actor itself, or any user when the command line creates it).</summary>
    public async Task<CreatedToken> CreateAsync(Actor actor, Guid owner, string? name, int? expiresInDays, IReadOnlyList<string>? scopes, CancellationToken cancellationToken)
    {
        if (owner != actor.UserId && actor.UserId != Actor.CommandLineId)
        {
            throw WrightException.Forbidden(ErrorCodes.AdminRequired, "Tokens are created by their own user.");
        }

        var cleanName = name?.Trim() ?? "";
        if (cleanName.Length == 0 || cleanName.Length > MaxNameLength || cleanName.Any(char.IsControl))
        {
            throw WrightException.Invalid(ErrorCodes.ValidationFailed, $"A token name is 1 to {MaxNameLength} printable characters.");
        }

        var maxDays = _options.Value.MaxTokenDays;
        if (expiresInDays is { } days && (days < 1 || days > maxDays))
        {
            throw WrightException.Invalid(ErrorCodes.ValidationFailed, $"expiresInDays is between 1 and {maxDays}, or absent for a token that does not expire.");
        }

        var cleanScopes = (scopes is null || scopes.Count == 0 ? [TokenScopes.Api] : scopes).Distinct(StringComparer.Ordinal).ToList();
        if (cleanScopes.Any(s => !TokenScopes.All.Contains(s)))
        {
            throw WrightException.Invalid(ErrorCodes.ValidationFailed, $"scopes are any of: {string.Join(", ", TokenScopes.All)}.");
        }

        var user = await _users.GetAsync(owner, cancellationToken).ConfigureAwait(false)
            ?? throw WrightException.NotFound(ErrorCodes.UserNotFound, $"No user with id {owner}.");
        var now = AccountClock.Now(_time);
        var secret = TokenSecrets.New(TokenSecrets.PersonalAccessTokenPrefix);
        var token = new PersonalAccessToken(
            Guid.CreateVersion7(now),
            user.Id,
            cleanName,
            TokenSecrets.Hash(secret),
            TokenSecrets.HintOf(secret, TokenSecrets.PersonalAccessTokenPrefix),
            cleanScopes,
            now,
            expiresInDays is { } d ? now.AddDays(d) : null,
            null,
            null);
        await _tokens.InsertAsync(token, cancellationToken).ConfigureAwait(false);
        AccountsLog.TokenCreated(_logger, token.Id, user.Id, string.Join(' ', cleanScopes));
        await _audit.RecordAsync(AuditActions.TokenCreated, actor, $"token:{token.Id}", $"'{cleanName}' for {user.UserName}, scopes {string.Join(' ', cleanScopes)}", cancellationToken).ConfigureAwait(false);
        return new CreatedToken(token, secret);
    }

    public Task<Page<PersonalAccessToken>> ListAsync(Actor actor, PageRequest page, CancellationToken cancellationToken) =>
        _tokens.ListAsync(actor.UserId, page, cancellationToken);

    public async Task RevokeAsync(Actor actor, Guid id, CancellationToken cancellationToken)
    {
        if (!await _tokens.RevokeAsync(actor.UserId, id, AccountClock.Now(_time), cancellationToken).ConfigureAwait(false))
        {
            throw WrightException.NotFound(ErrorCodes.TokenNotFound, $"You have no live token with id {id}.");
        }

        AccountsLog.TokenRevoked(_logger, id, actor.UserId);
        await _audit.RecordAsync(AuditActions.TokenRevoked, actor, $"token:{id}", null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The token's record and its user when <paramref name="secret"/> is a live token of an enabled user; otherwise null.</summary>
    public async Task<(PersonalAccessToken Token, User User)?> AuthenticateAsync(string secret, CancellationToken cancellationToken)
    {
        if (!secret.StartsWith(TokenSecrets.PersonalAccessTokenPrefix, StringComparison.Ordinal))
        {
            return null;
        }

        var token = await _tokens.FindByHashAsync(TokenSecrets.Hash(secret), cancellationToken).ConfigureAwait(false);
        var now = AccountClock.Now(_time);
        if (token is null || !token.IsActiveAt(now))
        {
            return null;
        }

        var user = await _users.GetAsync(token.UserId, cancellationToken).ConfigureAwait(false);
        if (user is null || user.IsDisabled)
        {
            return null;
        }

        if (token.LastUsedAt is not { } last || now - last >= TouchInterval)
        {
            await _tokens.TouchAsync(token.Id, now, cancellationToken).ConfigureAwait(false);
        }

        return (token, user);
    }
}
