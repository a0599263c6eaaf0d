using System.Globalization;
using Wright.Core.Cluster;
using Wright.Core.Errors;

namespace Wright.Server.Cluster;

/// <summary>
/// Sliding-window counters every instance shares (a row per key and window in PostgreSQL, bumped
/// with one upsert), for the limits that must hold however requests are spread over instances:
/// login attempts per address and per user name, prompts per user per minute. The in-process
/// limiters still run first, so a client hammering one instance is refused without a query; on
/// SQLite they are the only ones.
/// </summary>
internal sealed class ClusterThrottle
{
    private readonly IClusterStore _store;
    private readonly TimeProvider _time;

    public ClusterThrottle(IClusterStore store, TimeProvider time)
    {
        _store = store;
        _time = time;
    }

    /// <summary>Counts one hit of <paramref name="key"/>; throws <c>rate_limited</c> with the wait when the window already had <paramref name="limit"/>.</summary>
    public async Task HitAsync(string key, int limit, TimeSpan window, string detail, CancellationToken cancellationToken)
    {
        if (!_store.IsShared)
        {
            return;
        }

        var now = _time.GetUtcNow();
        var windowMs = (long)window.TotalMilliseconds;
        var startMs = now.ToUnixTimeMilliseconds() / windowMs * windowMs;
        var (current, previous) = await _store.CountHitAsync(key, DateTimeOffset.FromUnixTimeMilliseconds(startMs), DateTimeOffset.FromUnixTimeMilliseconds(startMs - windowMs), cancellationToken).ConfigureAwait(false);

        var seconds = SlidingWindow.WaitSeconds(current, previous, (now.ToUnixTimeMilliseconds() - startMs) / (double)windowMs, limit, window);
        if (seconds == 0)
        {
            return;
        }

        throw new WrightException(
            ErrorKind.RateLimited,
            ErrorCodes.RateLimited,
            string.Format(CultureInfo.InvariantCulture, detail, seconds),
            new Dictionary<string, object?> { ["retryAfterSeconds"] = seconds });
    }
}

/// <summary>
/// A sliding-window estimate from two fixed windows: the window before counts for the part of it
/// still inside the last window's length, so hits on both sides of a window's edge are not
/// forgiven (a fixed window alone lets twice the limit through across its boundary).
/// </summary>
internal static class SlidingWindow
{
    /// <summary>
    /// 0 when <paramref name="current"/> hits in this window (<paramref name="elapsed"/> of it gone)
    /// and <paramref name="previous"/> in the one before stay within <paramref name="limit"/>;
    /// otherwise the whole seconds until the estimate is back under it.
    /// </summary>
    public static int WaitSeconds(int current, int previous, double elapsed, int limit, TimeSpan window)
    {
        if (current + (previous * (1 - elapsed)) <= limit)
        {
            return 0;
        }

        // Over on this window alone: only its end helps. Else the previous window's share slides out.
        var waitFraction = current > limit ? 1 - elapsed : 1 - ((limit - current) / (double)Math.Max(previous, 1)) - elapsed;
        return (int)Math.Ceiling(Math.Max(1, waitFraction * window.TotalSeconds));
    }
}
