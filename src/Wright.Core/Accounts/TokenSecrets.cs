using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Wright.Core.Accounts;

/// <summary>
/// Random bearer secrets and their stored form. A secret is 256 random bits behind a prefix that
/// names its kind (so a leaked one is recognisable by secret scanners); the database keeps only
/// its SHA-256, which is enough for secrets this long: nobody can guess one from its hash, and a
/// hash lookup needs no per-row salt.
/// </summary>
public static class TokenSecrets
{
    public const string PersonalAccessTokenPrefix = "wright_pat_";
    public const string RefreshTokenPrefix = "wright_rt_";

    /// <summary>How many characters of the random part a hint shows after the prefix.</summary>
    private const int HintChars = 4;

    public static string New(string prefix) => prefix + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));

    public static string Hash(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    /// <summary>Enough of a token to tell tokens apart in a list, far too little to use: <c>wright_pat_AbCd…</c>.</summary>
    public static string HintOf(string secret, string prefix) =>
        secret.Length > prefix.Length + HintChars ? secret[..(prefix.Length + HintChars)] + "…" : prefix + "…";

    /// <summary>Compares two secrets in time that does not depend on where they differ.</summary>
    public static bool FixedTimeEquals(string a, string b) =>
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(a), Encoding.UTF8.GetBytes(b));
}
