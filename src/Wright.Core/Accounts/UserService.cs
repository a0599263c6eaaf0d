using Microsoft.Extensions.Logging;
using Wright.Core.Errors;
using Wright.Core.Paging;
using Wright.Core.Projects;

namespace Wright.Core.Accounts;

/// <summary>
/// Users: the first admin, then admins adding users, changing roles, disabling and resetting
/// passwords. Disabling a user or changing a password ends every login of that user at its next
/// refresh (its refresh tokens are revoked); personal access tokens of a disabled user stop at once.
/// </summary>
public sealed class UserService
{
    private readonly IUserRepository _users;
    private readonly IRefreshTokenRepository _refreshTokens;
    private readonly IProjectRepository _projects;
    private readonly IPasswordHashing _hashing;
    private readonly AuditLog _audit;
    private readonly TimeProvider _time;
    private readonly ILogger<UserService> _logger;

    public UserService(
        IUserRepository users,
        IRefreshTokenRepository refreshTokens,
        IProjectRepository projects,
        IPasswordHashing hashing,
        AuditLog audit,
        TimeProvider time,
        ILogger<UserService> logger)
    {
        _users = users;
        _refreshTokens = refreshTokens;
        _projects = projects;
        _hashing = hashing;
        _audit = audit;
        _time = time;
        _logger = logger;
    }

    public Task<int> CountAsync(CancellationToken cancellationToken) => _users.CountAsync(cancellationToken);

    /// <summary>
    /// Creates the first admin when there is no user yet (setup URL or WRIGHT_ADMIN_PASSWORD);
    /// null when there are users already. Projects registered before accounts existed have no
    /// owner: they become the first admin's.
    /// </summary>
    public async Task<User?> CreateFirstAdminAsync(string userName, string password, string? address, CancellationToken cancellationToken)
    {
        if (await _users.CountAsync(cancellationToken).ConfigureAwait(false) > 0)
        {
            return null;
        }

        var user = NewUser(userName, password, UserRole.Admin);
        await _users.InsertAsync(user, cancellationToken).ConfigureAwait(false);
        var adopted = await _projects.AssignOwnerlessAsync(user.Id, cancellationToken).ConfigureAwait(false);
        AccountsLog.FirstAdminCreated(_logger, user.Id, user.UserName, adopted);
        await _audit.RecordAsync(AuditActions.SetupCompleted, Actor.Of(user, address), Target(user), adopted > 0 ? $"adopted {adopted} projects without owner" : null, cancellationToken).ConfigureAwait(false);
        return user;
    }

    /// <summary>Adds a user; admins only (the command line counts as one).</summary>
    public async Task<User> CreateAsync(Actor actor, string userName, string password, UserRole role, CancellationToken cancellationToken)
    {
        AccountRules.RequireAdmin(actor);
        var user = NewUser(userName, password, role);
        await _users.InsertAsync(user, cancellationToken).ConfigureAwait(false);
        AccountsLog.UserCreated(_logger, user.Id, user.UserName, role, actor.UserName);
        await _audit.RecordAsync(AuditActions.UserCreated, actor, Target(user), $"role {Role(role)}", cancellationToken).ConfigureAwait(false);
        return user;
    }

    /// <summary>A user by id: admins see everyone, others only themselves (404 for the rest).</summary>
    public async Task<User> GetAsync(Actor actor, Guid id, CancellationToken cancellationToken)
    {
        var user = await _users.GetAsync(id, cancellationToken).ConfigureAwait(false);
        if (user is null || (!actor.IsAdmin && actor.UserId != id))
        {
            throw NotFound(id.ToString());
        }

        return user;
    }

    public async Task<User> GetByNameAsync(Actor actor, string userName, CancellationToken cancellationToken)
    {
        var user = await _users.FindByNameAsync(userName, cancellationToken).ConfigureAwait(false);
        if (user is null || (!actor.IsAdmin && actor.UserId != user.Id))
        {
            throw NotFound(userName);
        }

        return user;
    }

    /// <summary>Every user, admins only; other users find each other by name when adding project members.</summary>
    public Task<Page<User>> ListAsync(Actor actor, PageRequest page, CancellationToken cancellationToken)
    {
        AccountRules.RequireAdmin(actor);
        return _users.ListAsync(page, cancellationToken);
    }

    /// <summary>
    /// Changes role, disabled state and/or password (null leaves a part as it is); admins only.
    /// An admin cannot demote or disable themselves, so the server never loses its last way in by accident.
    /// </summary>
    public async Task<User> UpdateAsync(Actor actor, Guid id, UserRole? role, bool? disabled, string? password, CancellationToken cancellationToken)
    {
        AccountRules.RequireAdmin(actor);
        var user = await _users.GetAsync(id, cancellationToken).ConfigureAwait(false) ?? throw NotFound(id.ToString());
        return await ApplyAsync(actor, user, role, disabled, password, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The command line's form of <see cref="UpdateAsync"/>: by user name.</summary>
    public async Task<User> UpdateByNameAsync(Actor actor, string userName, UserRole? role, bool? disabled, string? password, CancellationToken cancellationToken)
    {
        AccountRules.RequireAdmin(actor);
        var user = await _users.FindByNameAsync(userName, cancellationToken).ConfigureAwait(false) ?? throw NotFound(userName);
        return await ApplyAsync(actor, user, role, disabled, password, cancellationToken).ConfigureAwait(false);
    }

    private async Task<User> ApplyAsync(Actor actor, User user, UserRole? role, bool? disabled, string? password, CancellationToken cancellationToken)
    {
        if (actor.UserId == user.Id && ((role is { } r && r != user.Role) || disabled == true))
        {
            throw WrightException.Conflict(ErrorCodes.UserSelfLockout, "You cannot demote or disable yourself; ask another admin, or use `wright user` on the server.");
        }

        var now = AccountClock.Now(_time);
        var updated = user with
        {
            Role = role ?? user.Role,
            DisabledAt = disabled switch
            {
                null => user.DisabledAt,
                true => user.DisabledAt ?? now,
                false => null,
            },
            PasswordHash = password is null ? user.PasswordHash : _hashing.Hash(AccountRules.ValidatePassword(password)),
        };
        if (updated == user)
        {
            return user;
        }

        updated = updated with { UpdatedAt = now };
        if (!await _users.UpdateAsync(updated, cancellationToken).ConfigureAwait(false))
        {
            throw NotFound(user.UserName);
        }

        if (updated.Role != user.Role)
        {
            await _audit.RecordAsync(AuditActions.UserRoleChanged, actor, Target(user), $"{Role(user.Role)} -> {Role(updated.Role)}", cancellationToken).ConfigureAwait(false);
        }

        if (updated.IsDisabled != user.IsDisabled)
        {
            await _audit.RecordAsync(updated.IsDisabled ? AuditActions.UserDisabled : AuditActions.UserEnabled, actor, Target(user), null, cancellationToken).ConfigureAwait(false);
        }

        if (password is not null)
        {
            await _audit.RecordAsync(AuditActions.UserPasswordChanged, actor, Target(user), null, cancellationToken).ConfigureAwait(false);
        }

        if (updated.IsDisabled || password is not null)
        {
            var revoked = await _refreshTokens.RevokeUserAsync(user.Id, now, cancellationToken).ConfigureAwait(false);
            AccountsLog.UserSessionsRevoked(_logger, user.Id, revoked);
        }

        AccountsLog.UserUpdated(_logger, user.Id, user.UserName, actor.UserName);
        return updated;
    }

    private User NewUser(string userName, string password, UserRole role)
    {
        var name = AccountRules.ValidateUserName(userName);
        var hash = _hashing.Hash(AccountRules.ValidatePassword(password));
        var now = AccountClock.Now(_time);
        return new User(Guid.CreateVersion7(now), name, role, hash, now, now, null);
    }

    public static string Target(User user) => $"user:{user.UserName}";

    /// <summary>The role as the API and CLI spell it.</summary>
    public static string Role(UserRole role) => role == UserRole.Admin ? "admin" : "member";

    private static WrightException NotFound(string what) => WrightException.NotFound(ErrorCodes.UserNotFound, $"No user '{what}'.");
}
