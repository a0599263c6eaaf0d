using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Options;
using Wright.Core.Accounts;
using Wright.Core.Cluster;
using Wright.Storage.Cluster;

namespace Wright.Server.Cluster;

/// <summary>
/// The access tokens that stopped being good before they expire: those of a revoked login family
/// (logout, refresh-token reuse) and those issued to a user before the user changed (disabled,
/// role or password changed). Every request's access token is checked here, in memory; the cache
/// is loaded from the database at start-up, updated in this process the moment a revocation is
/// saved, and in the other instances through a notice (PostgreSQL NOTIFY). When the listener
/// loses the database it reloads on reconnecting, since notices sent meanwhile are gone.
/// </summary>
/// <remarks>
/// Entries older than one access-token lifetime are dropped: no token issued before then is
/// still accepted anyway, so the cache stays as small as the last 15 minutes of revocations.
/// </remarks>
internal sealed partial class AccessRevocations : IDisposable
{
    private readonly ConcurrentDictionary<Guid, DateTimeOffset> _families = new();
    private readonly ConcurrentDictionary<Guid, DateTimeOffset> _users = new();
    private readonly RevocationQueries _queries;
    private readonly IClusterSignals _signals;
    private readonly TimeProvider _time;
    private readonly IOptions<AccountsOptions> _options;
    private readonly ILogger<AccessRevocations> _logger;
    private IDisposable? _listening;
    private long _nextPruneMs;

    public AccessRevocations(RevocationQueries queries, IClusterSignals signals, TimeProvider time, IOptions<AccountsOptions> options, ILogger<AccessRevocations> logger)
    {
        _queries = queries;
        _signals = signals;
        _time = time;
        _options = options;
        _logger = logger;
    }

    /// <summary>Loads the recent revocations and starts following the other instances' notices.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _listening = _signals.Listen(ClusterChannels.Revocations, payload =>
        {
            Apply(payload);
            return Task.CompletedTask;
        });
        _signals.Connected += ReloadAsync;
        await LoadAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>True when a token of <paramref name="userId"/> and <paramref name="familyId"/> issued at <paramref name="issuedAt"/> no longer counts.</summary>
    public bool IsRevoked(Guid userId, Guid familyId, DateTimeOffset issuedAt) =>
        _families.ContainsKey(familyId) || (_users.TryGetValue(userId, out var changed) && issuedAt < changed);

    /// <summary>The moment a token expiring at <paramref name="expiresAt"/> was issued.</summary>
    public DateTimeOffset IssuedAt(DateTimeOffset expiresAt) => expiresAt - _options.Value.AccessTokenLifetime;

    /// <summary>A login family was revoked: its access tokens stop at once, here and (by notice) everywhere.</summary>
    public Task FamilyRevokedAsync(Guid familyId, DateTimeOffset at, CancellationToken cancellationToken)
    {
        Record(_families, familyId, at);
        return NotifyAsync('f', familyId, at, cancellationToken);
    }

    /// <summary>A user was disabled or had their role or password changed: tokens issued before <paramref name="at"/> stop.</summary>
    public Task UserChangedAsync(Guid userId, DateTimeOffset at, CancellationToken cancellationToken)
    {
        Record(_users, userId, at);
        return NotifyAsync('u', userId, at, cancellationToken);
    }

    public void Dispose()
    {
        _listening?.Dispose();
        _signals.Connected -= ReloadAsync;
    }

    private async Task NotifyAsync(char kind, Guid id, DateTimeOffset at, CancellationToken cancellationToken)
    {
        if (_signals.IsShared)
        {
            await _signals.SendAsync(ClusterChannels.Revocations, string.Create(CultureInfo.InvariantCulture, $"{kind} {id:N} {at.ToUnixTimeMilliseconds()}"), cancellationToken).ConfigureAwait(false);
        }
    }

    private void Apply(string payload)
    {
        var parts = payload.Split(' ');
        if (parts.Length != 3 || !Guid.TryParseExact(parts[1], "N", out var id) || !long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var ms))
        {
            RevocationsLog.BadNotice(_logger, payload.Length);
            return;
        }

        var at = DateTimeOffset.FromUnixTimeMilliseconds(ms);
        switch (parts[0])
        {
            case "f":
                Record(_families, id, at);
                break;
            case "u":
                Record(_users, id, at);
                break;
            default:
                RevocationsLog.BadNotice(_logger, payload.Length);
                break;
        }
    }

    private Task ReloadAsync() => LoadAsync(CancellationToken.None);

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        var (families, users) = await _queries.LoadAsync(_time.GetUtcNow() - _options.Value.AccessTokenLifetime, cancellationToken).ConfigureAwait(false);
        foreach (var family in families)
        {
            Record(_families, family.Id, family.At);
        }

        foreach (var user in users)
        {
            Record(_users, user.Id, user.At);
        }
    }

    private void Record(ConcurrentDictionary<Guid, DateTimeOffset> entries, Guid id, DateTimeOffset at)
    {
        entries.AddOrUpdate(id, at, (_, existing) => at > existing ? at : existing);
        var now = _time.GetUtcNow();
        var nowMs = now.ToUnixTimeMilliseconds();
        if (nowMs < Interlocked.Read(ref _nextPruneMs))
        {
            return;
        }

        Interlocked.Exchange(ref _nextPruneMs, nowMs + 60_000);
        var horizon = now - _options.Value.AccessTokenLifetime;
        foreach (var map in new[] { _families, _users })
        {
            foreach (var (key, value) in map)
            {
                if (value < horizon)
                {
                    map.TryRemove(new KeyValuePair<Guid, DateTimeOffset>(key, value));
                }
            }
        }
    }
}

internal static partial class RevocationsLog
{
    [LoggerMessage(EventId = 8641, Level = LogLevel.Warning, Message = "Ignored a revocation notice that is not in Wright's format ({Length} characters)")]
    public static partial void BadNotice(ILogger logger, int length);
}
