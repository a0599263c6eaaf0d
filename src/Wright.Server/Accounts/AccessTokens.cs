using System.Buffers.Binary;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Options;
using Wright.Core.Accounts;

namespace Wright.Server.Accounts;

/// <summary>What an access token says: who, which login (refresh family), and until when.</summary>
internal sealed record AccessTokenClaims(Guid UserId, string UserName, UserRole Role, Guid FamilyId, DateTimeOffset ExpiresAt);

/// <summary>An access token just issued.</summary>
internal sealed record IssuedAccessToken(string Token, DateTimeOffset ExpiresAt);

/// <summary>
/// Self-contained access tokens: <c>wright_at_</c> + base64url of a Data Protection payload
/// (authenticated encryption with the server's key ring) holding the user, role, refresh family
/// and expiry. They are checked without the database, which is why they live 15 minutes only:
/// a disabled user or a changed role takes effect at the next refresh. The expiry is part of
/// the payload and compared with the injected <see cref="TimeProvider"/> (Data Protection's own
/// time-limited protector reads the system clock, which tests cannot move).
/// </summary>
internal sealed class AccessTokenFormat
{
    public const string Prefix = "wright_at_";
    private const byte Version = 1;

    private readonly IDataProtector _protector;
    private readonly TimeProvider _time;
    private readonly IOptions<AccountsOptions> _options;

    public AccessTokenFormat(IDataProtectionProvider protection, TimeProvider time, IOptions<AccountsOptions> options)
    {
        _protector = protection.CreateProtector("Wright.AccessToken.v1");
        _time = time;
        _options = options;
    }

    public IssuedAccessToken Issue(User user, Guid familyId)
    {
        var expires = DateTimeOffset.FromUnixTimeMilliseconds((_time.GetUtcNow() + _options.Value.AccessTokenLifetime).ToUnixTimeMilliseconds());
        var name = Encoding.UTF8.GetBytes(user.UserName);
        var payload = new byte[1 + 16 + 16 + 1 + 8 + name.Length];
        payload[0] = Version;
        user.Id.TryWriteBytes(payload.AsSpan(1, 16));
        familyId.TryWriteBytes(payload.AsSpan(17, 16));
        payload[33] = (byte)user.Role;
        BinaryPrimitives.WriteInt64BigEndian(payload.AsSpan(34, 8), expires.ToUnixTimeMilliseconds());
        name.CopyTo(payload, 42);
        return new IssuedAccessToken(Prefix + Base64Url.EncodeToString(_protector.Protect(payload)), expires);
    }

    /// <summary>The claims of a genuine token; <c>expired</c> is set (and claims null) for a genuine token past its expiry.</summary>
    public AccessTokenClaims? Read(string token, out bool expired)
    {
        expired = false;
        if (!token.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return null;
        }

        byte[] payload;
        try
        {
            payload = _protector.Unprotect(Base64Url.DecodeFromChars(token.AsSpan(Prefix.Length)));
        }
        catch (Exception ex) when (ex is CryptographicException or FormatException)
        {
            // Forged, truncated, or protected with a key this server no longer has: not a token.
            return null;
        }

        if (payload.Length < 42 || payload[0] != Version)
        {
            return null;
        }

        var expires = DateTimeOffset.FromUnixTimeMilliseconds(BinaryPrimitives.ReadInt64BigEndian(payload.AsSpan(34, 8)));
        if (expires <= _time.GetUtcNow())
        {
            expired = true;
            return null;
        }

        return new AccessTokenClaims(
            new Guid(payload.AsSpan(1, 16)),
            Encoding.UTF8.GetString(payload.AsSpan(42)),
            (UserRole)payload[33],
            new Guid(payload.AsSpan(17, 16)),
            expires);
    }
}
