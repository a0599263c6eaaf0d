using Microsoft.AspNetCore.Identity;
using Wright.Core.Accounts;

namespace Wright.Server.Accounts;

/// <summary>ASP.NET Core Identity's <see cref="PasswordHasher{TUser}"/>: PBKDF2 with HMAC-SHA512, 100,000 iterations, a random salt per hash.</summary>
internal sealed class PasswordHashing : IPasswordHashing
{
    private static readonly User Nobody = new(Guid.Empty, "", UserRole.Member, "", DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, null);

    private readonly PasswordHasher<User> _hasher = new();

    public string Hash(string password) => _hasher.HashPassword(Nobody, password);

    public (bool Valid, bool Rehash) Verify(string hash, string password)
    {
        var result = _hasher.VerifyHashedPassword(Nobody, hash, password);
        return (result != PasswordVerificationResult.Failed, result == PasswordVerificationResult.SuccessRehashNeeded);
    }
}
