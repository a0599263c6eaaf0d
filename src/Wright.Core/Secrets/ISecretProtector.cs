namespace Wright.Core.Secrets;

/// <summary>A secret encrypted for storage, and the masked hint that is all the API ever shows of it.</summary>
public sealed record ProtectedSecret(string Ciphertext, string Hint);

/// <summary>
/// Encrypts secrets that Wright stores (provider API keys and the like) so that a copy of the
/// database alone does not reveal them. The server implements it with ASP.NET Core Data
/// Protection; the plain secret only exists in memory while it is used.
/// </summary>
public interface ISecretProtector
{
    /// <summary>Encrypts <paramref name="secret"/> for the given purpose (for example <c>provider-keys</c>).</summary>
    ProtectedSecret Protect(string purpose, string secret);

    /// <summary>Decrypts what <see cref="Protect"/> returned for the same purpose; throws when it was tampered with or the key is gone.</summary>
    string Unprotect(string purpose, string ciphertext);
}

/// <summary>How a stored secret is shown: enough to recognise which key it is, never enough to use it.</summary>
public static class SecretHint
{
    /// <summary>
    /// <c>sk-…WXYZ</c>: at most the first three and the last four characters, and only when they
    /// are a small part of a long secret; short secrets show nothing but the mask.
    /// </summary>
    public static string Mask(string secret)
    {
        ArgumentNullException.ThrowIfNull(secret);
        return secret.Length >= 20 ? $"{secret[..3]}…{secret[^4..]}"
            : secret.Length >= 12 ? $"…{secret[^2..]}"
            : "…";
    }
}
