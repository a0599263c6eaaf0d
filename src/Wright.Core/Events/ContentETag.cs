using System.Security.Cryptography;

namespace Wright.Core.Events;

/// <summary>The ETag of file content as the files API computes it: lowercase hex SHA-256 of the bytes.</summary>
internal static class ContentETag
{
    /// <summary>The ETag of the file at <paramref name="fullPath"/>, or null when it is larger than <paramref name="maxBytes"/>.</summary>
    public static async Task<string?> OfFileAsync(string fullPath, long maxBytes, CancellationToken cancellationToken)
    {
        var stream = new FileStream(fullPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 1, FileOptions.Asynchronous | FileOptions.SequentialScan);
        await using (stream.ConfigureAwait(false))
        {
            if (stream.Length > maxBytes)
            {
                return null;
            }

            var hash = await SHA256.HashDataAsync(stream, cancellationToken).ConfigureAwait(false);
            return Convert.ToHexStringLower(hash);
        }
    }
}
