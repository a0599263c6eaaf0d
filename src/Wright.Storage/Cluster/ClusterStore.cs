using Dapper;
using Wright.Core.Cluster;
using Wright.Storage.Database;

namespace Wright.Storage.Cluster;

/// <summary>Dapper store of instance leases, answer owners and cross-instance counters.</summary>
internal sealed class ClusterStore : IClusterStore
{
    private const string InterruptedDetail = "The server instance streaming this answer stopped; the text received until then is kept.";

    private readonly WrightDatabase _database;

    public ClusterStore(WrightDatabase database)
    {
        _database = database;
    }

    public bool IsShared => _database.Dialect == DatabaseDialect.Postgres;

    public async Task HeartbeatAsync(Guid instanceId, DateTimeOffset startedAt, DateTimeOffset leaseUntil, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO cluster_instances (id, started_at_ms, lease_until_ms) VALUES (@Id, @StartedAtMs, @LeaseUntilMs)
            ON CONFLICT (id) DO UPDATE SET lease_until_ms = excluded.lease_until_ms
            """,
            new { Id = instanceId.ToString(), StartedAtMs = startedAt.ToUnixTimeMilliseconds(), LeaseUntilMs = leaseUntil.ToUnixTimeMilliseconds() },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    public async Task RetireAsync(Guid instanceId, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM cluster_instances WHERE id = @Id", new { Id = instanceId.ToString() }, cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    public async Task ClaimAnswerAsync(Guid messageId, Guid instanceId, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO answer_owners (message_id, instance_id, claimed_at_ms) VALUES (@MessageId, @InstanceId, @At)
            ON CONFLICT (message_id) DO UPDATE SET instance_id = excluded.instance_id, claimed_at_ms = excluded.claimed_at_ms
            """,
            new { MessageId = messageId.ToString(), InstanceId = instanceId.ToString(), At = at.ToUnixTimeMilliseconds() },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    public async Task<int> InterruptOrphanedAnswersAsync(DateTimeOffset now, DateTimeOffset unownedBefore, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var parameters = new { NowMs = now.ToUnixTimeMilliseconds(), UnownedBeforeMs = unownedBefore.ToUnixTimeMilliseconds(), Detail = InterruptedDetail };

        // Orphaned: owned by an instance whose lease ran out (or that retired), or owned by
        // nobody for longer than a lease. The ids are taken first so the messages and their
        // provider calls are marked from the same list.
        var orphans = (await connection.QueryAsync<string>(new CommandDefinition(
            """
            SELECT m.id FROM chat_messages m
            LEFT JOIN answer_owners o ON o.message_id = m.id
            LEFT JOIN cluster_instances i ON i.id = o.instance_id
            WHERE m.status = 'streaming'
              AND ((o.message_id IS NULL AND m.updated_at_ms < @UnownedBeforeMs)
                OR (o.message_id IS NOT NULL AND (i.id IS NULL OR i.lease_until_ms < @NowMs)))
            """,
            parameters,
            transaction,
            cancellationToken: cancellationToken)).ConfigureAwait(false)).ToList();
        if (orphans.Count > 0)
        {
            var ids = new { Ids = orphans, parameters.NowMs, parameters.Detail };
            var inList = _database.Dialect == DatabaseDialect.Postgres ? "= ANY(@Ids)" : "IN @Ids";
            await connection.ExecuteAsync(new CommandDefinition(
                $"UPDATE chat_messages SET status = 'interrupted', error_code = 'interrupted', error_detail = @Detail, updated_at_ms = @NowMs WHERE status = 'streaming' AND id {inList}",
                ids,
                transaction,
                cancellationToken: cancellationToken)).ConfigureAwait(false);
            await connection.ExecuteAsync(new CommandDefinition(
                $"UPDATE ai_requests SET status = 'interrupted', error_code = 'interrupted' WHERE status = 'streaming' AND message_id {inList}",
                ids,
                transaction,
                cancellationToken: cancellationToken)).ConfigureAwait(false);
        }

        // Owners of answers that ended (on their own or just now) are kept no longer.
        await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM answer_owners WHERE message_id NOT IN (SELECT id FROM chat_messages WHERE status = 'streaming')",
            transaction: transaction,
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM cluster_instances WHERE lease_until_ms < @NowMs AND id NOT IN (SELECT instance_id FROM answer_owners)",
            parameters,
            transaction,
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return orphans.Count;
    }

    public async Task<(int Current, int Previous)> CountHitAsync(string key, DateTimeOffset windowStart, DateTimeOffset previousStart, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var counts = await connection.QuerySingleAsync<WindowCounts>(new CommandDefinition(
            """
            WITH hit AS (
                INSERT INTO rate_windows (key, window_start_ms, hits) VALUES (@Key, @StartMs, 1)
                ON CONFLICT (key, window_start_ms) DO UPDATE SET hits = rate_windows.hits + 1
                RETURNING hits)
            SELECT (SELECT hits FROM hit) AS Current,
                   COALESCE((SELECT hits FROM rate_windows WHERE key = @Key AND window_start_ms = @PreviousMs), 0) AS Previous
            """,
            new { Key = key, StartMs = windowStart.ToUnixTimeMilliseconds(), PreviousMs = previousStart.ToUnixTimeMilliseconds() },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        return (counts.Current, counts.Previous);
    }

    public async Task PruneHitsAsync(DateTimeOffset before, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM rate_windows WHERE window_start_ms < @BeforeMs", new { BeforeMs = before.ToUnixTimeMilliseconds() }, cancellationToken: cancellationToken)).ConfigureAwait(false);
    }
}

/// <summary>A counter window's hits and the window before it's.</summary>
internal sealed record WindowCounts(int Current, int Previous);
