using Dapper;
using Wright.Storage.Database;

namespace Wright.Storage.Cluster;

/// <summary>A login family revoked, or a user changed (role, disabled, password), at a moment.</summary>
internal sealed record RevocationEntry(Guid Id, DateTimeOffset At);

/// <summary>What the revocation cache loads at start-up and after a lost listener: revocations recent enough to matter.</summary>
internal sealed class RevocationQueries
{
    private readonly WrightDatabase _database;

    public RevocationQueries(WrightDatabase database)
    {
        _database = database;
    }

    /// <summary>Families revoked and users changed since <paramref name="since"/> (older ones cannot have a live access token).</summary>
    public async Task<(IReadOnlyList<RevocationEntry> Families, IReadOnlyList<RevocationEntry> Users)> LoadAsync(DateTimeOffset since, CancellationToken cancellationToken)
    {
        var sinceMs = since.ToUnixTimeMilliseconds();
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var families = await connection.QueryAsync<Row>(new CommandDefinition(
            "SELECT family_id AS Id, MAX(revoked_at_ms) AS AtMs FROM refresh_tokens WHERE revoked_at_ms >= @SinceMs GROUP BY family_id",
            new { SinceMs = sinceMs },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        var users = await connection.QueryAsync<Row>(new CommandDefinition(
            "SELECT id AS Id, updated_at_ms AS AtMs FROM users WHERE updated_at_ms >= @SinceMs AND updated_at_ms > created_at_ms",
            new { SinceMs = sinceMs },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        return (families.Select(r => r.ToEntry()).ToList(), users.Select(r => r.ToEntry()).ToList());
    }

    private sealed class Row
    {
        public string Id { get; set; } = "";

        public long AtMs { get; set; }

        public RevocationEntry ToEntry() => new(Guid.Parse(Id), DateTimeOffset.FromUnixTimeMilliseconds(AtMs));
    }
}
