using System.Security.Cryptography;

namespace Wright.Core.Workspace;

/// <summary>
/// A file's version, and Wright's one content hash: the lowercase hex SHA-256 of its bytes. The
/// files API's ETag, <c>file.changed</c> events and a Context's file hashes are this same value.
/// JSON bodies and events carry it bare; the HTTP <c>ETag</c> header carries it quoted. Two equal
/// contents have one ETag whoever wrote them, so an external edit that changes nothing does not
/// look like a conflict.
/// </summary>
public static class FileETag
{
    public static string Compute(ReadOnlySpan<byte> content) => Convert.ToHexStringLower(SHA256.HashData(content));

    public static async Task<string> ComputeAsync(Stream content, CancellationToken cancellationToken) =>
        Convert.ToHexStringLower(await SHA256.HashDataAsync(content, cancellationToken).ConfigureAwait(false));

    /// <summary>The ETag of the file at <paramref name="fullPath"/>, or null when it is larger than <paramref name="maxBytes"/>.</summary>
    public static async Task<string?> OfFileAsync(string fullPath, long maxBytes, CancellationToken cancellationToken)
    {
        var stream = new FileStream(fullPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 1, FileOptions.Asynchronous | FileOptions.SequentialScan);
        await using (stream.ConfigureAwait(false))
        {
            return stream.Length > maxBytes ? null : await ComputeAsync(stream, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Whether a stored hash names the same content as <paramref name="etag"/>. Contexts recorded
    /// before the hashes were unified hold the first 32 characters of this value; they still match.
    /// </summary>
    public static bool SameContent(string stored, string etag) =>
        stored.Length == etag.Length ? stored == etag : stored.Length == 32 && etag.StartsWith(stored, StringComparison.Ordinal);

    /// <summary>Strips the quotes and weak prefix a client may send back in If-Match.</summary>
    public static string Bare(string tag)
    {
        var value = tag.Trim();
        if (value.StartsWith("W/", StringComparison.OrdinalIgnoreCase))
        {
            value = value[2..];
        }

        return value.Trim('"');
    }

    /// <summary>The quoted form for the HTTP header.</summary>
    public static string Quoted(string etag) => $"\"{etag}\"";
}
