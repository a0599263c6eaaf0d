using Wright.Core.Accounts;
using Wright.Core.Paging;

namespace Wright.Server.Cluster;

/// <summary>
/// The refresh-token store as the accounts services see it, telling <see cref="AccessRevocations"/>
/// about every revoked family and every user whose tokens were all revoked, right after the
/// database saved it. Wrapping the store (rather than each service) catches every path that
/// revokes: logout, reuse detection, disabling, a password change.
/// </summary>
internal sealed class RevocationAwareRefreshTokens(IRefreshTokenRepository inner, AccessRevocations revocations) : IRefreshTokenRepository
{
    public Task InsertAsync(RefreshToken token, CancellationToken cancellationToken) => inner.InsertAsync(token, cancellationToken);

    public Task<RefreshToken?> FindByHashAsync(string tokenHash, CancellationToken cancellationToken) => inner.FindByHashAsync(tokenHash, cancellationToken);

    public Task<bool> TryUseAsync(Guid id, DateTimeOffset at, CancellationToken cancellationToken) => inner.TryUseAsync(id, at, cancellationToken);

    public Task<bool> TryUseAsync(Guid id, DateTimeOffset at, string successorProtected, CancellationToken cancellationToken) => inner.TryUseAsync(id, at, successorProtected, cancellationToken);

    public Task<int> PurgeAsync(DateTimeOffset before, DateTimeOffset successorsBefore, CancellationToken cancellationToken) => inner.PurgeAsync(before, successorsBefore, cancellationToken);

    public Task<string?> GetSuccessorAsync(Guid id, CancellationToken cancellationToken) => inner.GetSuccessorAsync(id, cancellationToken);

    public async Task<int> RevokeFamilyAsync(Guid familyId, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var revoked = await inner.RevokeFamilyAsync(familyId, at, cancellationToken).ConfigureAwait(false);
        await revocations.FamilyRevokedAsync(familyId, at, cancellationToken).ConfigureAwait(false);
        return revoked;
    }

    public async Task<int> RevokeUserAsync(Guid userId, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var revoked = await inner.RevokeUserAsync(userId, at, cancellationToken).ConfigureAwait(false);
        await revocations.UserChangedAsync(userId, at, cancellationToken).ConfigureAwait(false);
        return revoked;
    }
}

/// <summary>The user store as the accounts services see it: a saved change of role, password or disabled state ends the tokens issued before it.</summary>
internal sealed class RevocationAwareUsers(IUserRepository inner, AccessRevocations revocations) : IUserRepository
{
    public Task InsertAsync(User user, CancellationToken cancellationToken) => inner.InsertAsync(user, cancellationToken);

    public Task<User?> GetAsync(Guid id, CancellationToken cancellationToken) => inner.GetAsync(id, cancellationToken);

    public Task<User?> FindByNameAsync(string userName, CancellationToken cancellationToken) => inner.FindByNameAsync(userName, cancellationToken);

    public Task<Page<User>> ListAsync(PageRequest page, CancellationToken cancellationToken) => inner.ListAsync(page, cancellationToken);

    public Task<int> CountAsync(CancellationToken cancellationToken) => inner.CountAsync(cancellationToken);

    public async Task<bool> UpdateAsync(User user, CancellationToken cancellationToken)
    {
        if (!await inner.UpdateAsync(user, cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        await revocations.UserChangedAsync(user.Id, user.UpdatedAt, cancellationToken).ConfigureAwait(false);
        return true;
    }
}
