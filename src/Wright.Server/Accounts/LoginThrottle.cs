using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;
using Wright.Core.Accounts;
using Wright.Core.Errors;
using Wright.Server.Cluster;

namespace Wright.Server.Accounts;

/// <summary>
/// Limits password guessing: fixed windows of login attempts per client address and per user
/// name (any address), counted before the password is checked; on PostgreSQL also in windows
/// every instance shares (<see cref="ClusterThrottle"/>). The per-name limit stops a slow
/// spread-out attack on one account; the per-address limit stops one client trying many names.
/// It lives in the handler rather than in ASP.NET's rate-limiting middleware because the user
/// name is in the body.
/// </summary>
internal sealed class LoginThrottle : IDisposable
{
    private readonly PartitionedRateLimiter<string> _perAddress;
    private readonly PartitionedRateLimiter<string> _perName;
    private readonly AccountsOptions _settings;
    private readonly ClusterThrottle? _cluster;

    public LoginThrottle(IOptions<AccountsOptions> options)
        : this(options, null)
    {
    }

    /// <summary>With <paramref name="cluster"/>, the limits also hold across the instances sharing the database.</summary>
    public LoginThrottle(IOptions<AccountsOptions> options, ClusterThrottle? cluster)
    {
        var settings = options.Value;
        _settings = settings;
        _cluster = cluster;
        _perAddress = Create(settings.LoginAttemptsPerAddress, settings.LoginWindow);
        _perName = Create(settings.LoginAttemptsPerUserName, settings.LoginWindow);
    }

    /// <summary>Counts one attempt; throws <c>rate_limited</c> (429 with Retry-After) when either limit is used up.</summary>
    public void Attempt(string? address, string? userName)
    {
        using var byAddress = _perAddress.AttemptAcquire(address ?? "unknown");
        using var byName = _perName.AttemptAcquire((userName ?? "").Trim().ToLowerInvariant());
        var refused = !byAddress.IsAcquired ? byAddress : !byName.IsAcquired ? byName : null;
        if (refused is null)
        {
            return;
        }

        var retryAfter = refused.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromMinutes(1);
        var seconds = (int)Math.Ceiling(Math.Max(1, retryAfter.TotalSeconds));
        throw new WrightException(
            ErrorKind.RateLimited,
            ErrorCodes.RateLimited,
            $"Too many login attempts; try again in {seconds.ToString(CultureInfo.InvariantCulture)} seconds.",
            new Dictionary<string, object?> { ["retryAfterSeconds"] = seconds });
    }

    /// <summary>As <see cref="Attempt"/>, then counts the attempt in the windows all instances share.</summary>
    public async Task AttemptAsync(string? address, string? userName, CancellationToken cancellationToken)
    {
        Attempt(address, userName);
        if (_cluster is null)
        {
            return;
        }

        const string Detail = "Too many login attempts; try again in {0} seconds.";
        await _cluster.HitAsync($"login:address:{address ?? "unknown"}", _settings.LoginAttemptsPerAddress, _settings.LoginWindow, Detail, cancellationToken).ConfigureAwait(false);
        await _cluster.HitAsync($"login:name:{(userName ?? "").Trim().ToLowerInvariant()}", _settings.LoginAttemptsPerUserName, _settings.LoginWindow, Detail, cancellationToken).ConfigureAwait(false);
    }

    public void Dispose()
    {
        _perAddress.Dispose();
        _perName.Dispose();
    }

    private static PartitionedRateLimiter<string> Create(int permits, TimeSpan window) =>
        PartitionedRateLimiter.Create<string, string>(key => RateLimitPartition.GetFixedWindowLimiter(key, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = permits,
            Window = window,
            QueueLimit = 0,
            AutoReplenishment = true,
        }));
}
