using Wright.Core.Paging;

namespace Wright.Core.Accounts;

/// <summary>Stores users; user names are unique without regard to case.</summary>
public interface IUserRepository
{
    /// <summary>Adds a user; throws <c>user_name_taken</c> when the name is in use.</summary>
    Task InsertAsync(User user, CancellationToken cancellationToken);

    Task<User?> GetAsync(Guid id, CancellationToken cancellationToken);

    Task<User?> FindByNameAsync(string userName, CancellationToken cancellationToken);

    /// <summary>Users ordered by creation (oldest first), paged by an opaque cursor.</summary>
    Task<Page<User>> ListAsync(PageRequest page, CancellationToken cancellationToken);

    Task<int> CountAsync(CancellationToken cancellationToken);

    /// <summary>Saves role, password hash, disabled state and update time; false when the user no longer exists.</summary>
    Task<bool> UpdateAsync(User user, CancellationToken cancellationToken);
}

/// <summary>Stores refresh tokens by hash.</summary>
public interface IRefreshTokenRepository
{
    Task InsertAsync(RefreshToken token, CancellationToken cancellationToken);

    Task<RefreshToken?> FindByHashAsync(string tokenHash, CancellationToken cancellationToken);

    /// <summary>
    /// Retires <paramref name="id"/> at <paramref name="at"/> if it is still live (unused and not
    /// revoked); false when someone else used or revoked it first, which is the reuse signal.
    /// </summary>
    Task<bool> TryUseAsync(Guid id, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>
    /// Like <see cref="TryUseAsync"/>, and in the same statement remembers the successor it was
    /// traded for (<paramref name="successorProtected"/>, encrypted) so that a request racing
    /// with this one inside the grace window can be given the same successor.
    /// </summary>
    Task<bool> TryUseAsync(Guid id, DateTimeOffset at, string successorProtected, CancellationToken cancellationToken);

    /// <summary>
    /// Deletes tokens that expired or were revoked before <paramref name="before"/> (neither can be
    /// used again, nor does reuse detection need them) and forgets the successors remembered by
    /// tokens spent before <paramref name="successorsBefore"/>; returns how many tokens were deleted.
    /// </summary>
    Task<int> PurgeAsync(DateTimeOffset before, DateTimeOffset successorsBefore, CancellationToken cancellationToken);

    /// <summary>The encrypted successor a spent token remembers, if it still does.</summary>
    Task<string?> GetSuccessorAsync(Guid id, CancellationToken cancellationToken);

    /// <summary>Revokes every token of the family that is not revoked yet; returns how many.</summary>
    Task<int> RevokeFamilyAsync(Guid familyId, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>Revokes every live token of a user (disabled user, changed password); returns how many.</summary>
    Task<int> RevokeUserAsync(Guid userId, DateTimeOffset at, CancellationToken cancellationToken);
}

/// <summary>Stores personal access tokens by hash.</summary>
public interface IPersonalAccessTokenRepository
{
    Task InsertAsync(PersonalAccessToken token, CancellationToken cancellationToken);

    Task<PersonalAccessToken?> FindByHashAsync(string tokenHash, CancellationToken cancellationToken);

    /// <summary>One user's tokens ordered by creation (oldest first), paged.</summary>
    Task<Page<PersonalAccessToken>> ListAsync(Guid userId, PageRequest page, CancellationToken cancellationToken);

    /// <summary>Revokes a token of <paramref name="userId"/>; false when that user has no such live token.</summary>
    Task<bool> RevokeAsync(Guid userId, Guid id, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>Records a use; at most once a minute per token matters, so callers may skip it.</summary>
    Task TouchAsync(Guid id, DateTimeOffset at, CancellationToken cancellationToken);
}

/// <summary>The append-only audit log.</summary>
public interface IAuditRepository
{
    Task AppendAsync(AuditEntry entry, CancellationToken cancellationToken);

    /// <summary>Newest first, paged by an opaque cursor.</summary>
    Task<Page<AuditEntry>> ListAsync(PageRequest page, CancellationToken cancellationToken);
}

/// <summary>Hashes and checks passwords (the server plugs in ASP.NET Core's PBKDF2 <c>PasswordHasher</c>).</summary>
public interface IPasswordHashing
{
    string Hash(string password);

    /// <summary>Checks <paramref name="password"/> against <paramref name="hash"/>; <c>rehash</c> when the hash uses older parameters.</summary>
    (bool Valid, bool Rehash) Verify(string hash, string password);
}
