using Dapper;
using Wright.Core.Accounts;
using Wright.Core.Paging;
using Wright.Storage.Database;

namespace Wright.Storage.Accounts;

/// <summary>Dapper repository of the audit log: append, and read newest first.</summary>
internal sealed class AuditRepository : IAuditRepository
{
    private const string Columns = "id AS Id, at_ms AS AtMs, action AS Action, actor_id AS ActorId, actor_name AS ActorName, target AS Target, address AS Address, detail AS Detail";

    private readonly WrightDatabase _database;

    public AuditRepository(WrightDatabase database)
    {
        _database = database;
    }

    public async Task AppendAsync(AuditEntry entry, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO audit_log (id, at_ms, action, actor_id, actor_name, target, address, detail)
            VALUES (@Id, @AtMs, @Action, @ActorId, @ActorName, @Target, @Address, @Detail)
            """,
            new
            {
                Id = entry.Id.ToString(),
                AtMs = entry.At.ToUnixTimeMilliseconds(),
                entry.Action,
                ActorId = entry.ActorId?.ToString(),
                entry.ActorName,
                entry.Target,
                entry.Address,
                entry.Detail,
            },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    public async Task<Page<AuditEntry>> ListAsync(PageRequest page, CancellationToken cancellationToken)
    {
        var before = KeysetCursor.Decode(page.Cursor);
        var sql = $"""
            SELECT {Columns} FROM audit_log
            WHERE (@BeforeMs IS NULL OR at_ms < @BeforeMs OR (at_ms = @BeforeMs AND id < @BeforeId))
            ORDER BY at_ms DESC, id DESC
            LIMIT @Take
            """;
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = (await connection.QueryAsync<Row>(new CommandDefinition(
            sql,
            new { BeforeMs = before?.Milliseconds, BeforeId = before?.Id ?? "", Take = page.Limit + 1 },
            cancellationToken: cancellationToken)).ConfigureAwait(false)).ToList();
        return Paging.ToPage(rows, page.Limit, r => new KeysetCursor(r.AtMs, r.Id), r => r.ToEntry());
    }

    private sealed class Row
    {
        public string Id { get; init; } = "";

        public long AtMs { get; init; }

        public string Action { get; init; } = "";

        public string? ActorId { get; init; }

        public string? ActorName { get; init; }

        public string? Target { get; init; }

        public string? Address { get; init; }

        public string? Detail { get; init; }

        public AuditEntry ToEntry() => new(
            Guid.Parse(Id),
            Milliseconds.ToTime(AtMs),
            Action,
            ActorId is null ? null : Guid.Parse(ActorId),
            ActorName,
            Target,
            Address,
            Detail);
    }
}
