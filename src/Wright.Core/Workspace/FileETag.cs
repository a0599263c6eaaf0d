using System.Security.Cryptography;

namespace Wright.Core.Workspace;

/// <summary>
/// A file's version: the lowercase hex SHA-256 of its bytes. JSON bodies and events carry it
/// bare; the HTTP <c>ETag</c> header carries it quoted. Two equal contents have one ETag whoever
/// wrote them, so an external edit that changes nothing does not look like a conflict.
/// </summary>
public static class FileETag
{
    public static string Compute(ReadOnlySpan<byte> content) => Convert.ToHexStringLower(SHA256.HashData(content));

    public static async Task<string> ComputeAsync(Stream content, CancellationToken cancellationToken) =>
        Convert.ToHexStringLower(await SHA256.HashDataAsync(content, cancellationToken).ConfigureAwait(false));

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
