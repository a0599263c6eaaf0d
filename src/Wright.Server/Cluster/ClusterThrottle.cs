using System.Globalization;
using Wright.Core.Cluster;
using Wright.Core.Errors;

namespace Wright.Server.Cluster;

/// <summary>
/// Fixed-window counters every instance shares (a row per key and window in PostgreSQL, bumped
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
        var hits = await _store.CountHitAsync(key, DateTimeOffset.FromUnixTimeMilliseconds(startMs), cancellationToken).ConfigureAwait(false);
        if (hits <= limit)
        {
            return;
        }

        var seconds = (int)Math.Ceiling(Math.Max(1, (startMs + windowMs - now.ToUnixTimeMilliseconds()) / 1000.0));
        throw new WrightException(
            ErrorKind.RateLimited,
            ErrorCodes.RateLimited,
            string.Format(CultureInfo.InvariantCulture, detail, seconds),
            new Dictionary<string, object?> { ["retryAfterSeconds"] = seconds });
    }
}
