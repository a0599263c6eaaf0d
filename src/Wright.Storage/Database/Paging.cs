namespace Wright.Storage.Database;

/// <summary>Turns the rows of a "LIMIT page + 1" query into a page and the cursor of the next one.</summary>
internal static class Paging
{
    public static Wright.Core.Paging.Page<TItem> ToPage<TRow, TItem>(List<TRow> rows, int limit, Func<TRow, KeysetCursor> cursorOf, Func<TRow, TItem> map)
    {
        string? next = null;
        if (rows.Count > limit)
        {
            rows.RemoveAt(rows.Count - 1);
            next = cursorOf(rows[^1]).Encode();
        }

        return new Wright.Core.Paging.Page<TItem>(rows.Select(map).ToList(), next);
    }
}

/// <summary>Storage keeps times as Unix milliseconds.</summary>
internal static class Milliseconds
{
    public static DateTimeOffset ToTime(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);

    public static DateTimeOffset? ToTime(long? ms) => ms is { } value ? DateTimeOffset.FromUnixTimeMilliseconds(value) : null;
}
