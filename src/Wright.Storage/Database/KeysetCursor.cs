using System.Buffers.Text;
using System.Globalization;
using System.Text;
using Wright.Core.Errors;

namespace Wright.Storage.Database;

/// <summary>
/// An opaque page cursor for keyset paging on (timestamp, id): stable under inserts, unlike an
/// offset, and cheap on both dialects through the (created, id) index.
/// </summary>
internal readonly record struct KeysetCursor(long Milliseconds, string Id)
{
    public string Encode() => Base64Url.EncodeToString(Encoding.UTF8.GetBytes($"{Milliseconds.ToString(CultureInfo.InvariantCulture)}|{Id}"));

    public static KeysetCursor? Decode(string? cursor)
    {
        if (cursor is null)
        {
            return null;
        }

        try
        {
            var text = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(cursor));
            var bar = text.IndexOf('|', StringComparison.Ordinal);
            if (bar > 0 && long.TryParse(text.AsSpan(0, bar), NumberStyles.Integer, CultureInfo.InvariantCulture, out var ms))
            {
                return new KeysetCursor(ms, text[(bar + 1)..]);
            }
        }
        catch (FormatException)
        {
            // Falls through to the invalid_cursor error below: a cursor is opaque, so any
            // malformed one gets the same answer.
        }

        throw WrightException.Invalid(ErrorCodes.InvalidCursor, "The cursor is not one this server returned; start again without a cursor.");
    }
}
