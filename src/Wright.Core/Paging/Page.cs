using Wright.Core.Errors;

namespace Wright.Core.Paging;

/// <summary>One page of a list: the items and the opaque cursor of the next page, if any.</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, string? NextCursor);

/// <summary>What a client asked for: how many items, starting after which cursor.</summary>
public sealed record PageRequest(int Limit, string? Cursor)
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 500;

    public static PageRequest From(int? limit, string? cursor)
    {
        var value = limit ?? DefaultLimit;
        if (value is < 1 or > MaxLimit)
        {
            throw WrightException.Invalid(ErrorCodes.ValidationFailed, $"limit must be between 1 and {MaxLimit}.");
        }

        return new PageRequest(value, string.IsNullOrEmpty(cursor) ? null : cursor);
    }
}
