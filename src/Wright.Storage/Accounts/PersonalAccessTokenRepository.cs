using Dapper;
using Wright.Core.Accounts;
using Wright.Core.Paging;
using Wright.Storage.Database;

namespace Wright.Storage.Accounts;

/// <summary>Dapper repository of personal access tokens (hashes and hints only); scopes are stored space-separated.</summary>
internal sealed class PersonalAccessTokenRepository : IPersonalAccessTokenRepository
{
    private const string Columns = "id AS Id, user_id AS UserId, name AS Name, token_hash AS TokenHash, hint AS Hint, scopes AS Scopes, created_at_ms AS CreatedAtMs, expires_at_ms AS ExpiresAtMs, last_used_at_ms AS LastUsedAtMs, revoked_at_ms AS RevokedAtMs";

    private readonly WrightDatabase _database;

    public PersonalAccessTokenRepository(WrightDatabase database)
    {
        _database = database;
    }

    public async Task InsertAsync(PersonalAccessToken token, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO personal_access_tokens (id, user_id, name, token_hash, hint, scopes, created_at_ms, expires_at_ms, last_used_at_ms, revoked_at_ms)
            VALUES (@Id, @UserId, @Name, @TokenHash, @Hint, @Scopes, @CreatedAtMs, @ExpiresAtMs, @LastUsedAtMs, @RevokedAtMs)
            """,
            new
            {
                Id = token.Id.ToString(),
                UserId = token.UserId.ToString(),
                token.Name,
                token.TokenHash,
                token.Hint,
                Scopes = string.Join(' ', token.Scopes),
                CreatedAtMs = token.CreatedAt.ToUnixTimeMilliseconds(),
                ExpiresAtMs = token.ExpiresAt?.ToUnixTimeMilliseconds(),
                LastUsedAtMs = token.LastUsedAt?.ToUnixTimeMilliseconds(),
                RevokedAtMs = token.RevokedAt?.ToUnixTimeMilliseconds(),
            },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    public async Task<PersonalAccessToken?> FindByHashAsync(string tokenHash, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var row = await connection.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(
            $"SELECT {Columns} FROM personal_access_tokens WHERE token_hash = @TokenHash", new { TokenHash = tokenHash }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return row?.ToToken();
    }

    public async Task<Page<PersonalAccessToken>> ListAsync(Guid userId, PageRequest page, CancellationToken cancellationToken)
    {
        var after = KeysetCursor.Decode(page.Cursor);
        var sql = $"""
            SELECT {Columns} FROM personal_access_tokens
            WHERE user_id = @UserId
              AND (@AfterMs IS NULL OR created_at_ms > @AfterMs OR (created_at_ms = @AfterMs AND id > @AfterId))
            ORDER BY created_at_ms, id
            LIMIT @Take
            """;
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = (await connection.QueryAsync<Row>(new CommandDefinition(
            sql,
            new { UserId = userId.ToString(), AfterMs = after?.Milliseconds, AfterId = after?.Id ?? "", Take = page.Limit + 1 },
            cancellationToken: cancellationToken)).ConfigureAwait(false)).ToList();
        return Paging.ToPage(rows, page.Limit, r => new KeysetCursor(r.CreatedAtMs, r.Id), r => r.ToToken());
    }

    public async Task<bool> RevokeAsync(Guid userId, Guid id, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var changed = await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE personal_access_tokens SET revoked_at_ms = @At WHERE id = @Id AND user_id = @UserId AND revoked_at_ms IS NULL",
            new { Id = id.ToString(), UserId = userId.ToString(), At = at.ToUnixTimeMilliseconds() },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        return changed == 1;
    }

    public async Task TouchAsync(Guid id, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE personal_access_tokens SET last_used_at_ms = @At WHERE id = @Id",
            new { Id = id.ToString(), At = at.ToUnixTimeMilliseconds() },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    private sealed class Row
    {
        public string Id { get; init; } = "";

        public string UserId { get; init; } = "";

        public string Name { get; init; } = "";

        public string TokenHash { get; init; } = "";

        public string Hint { get; init; } = "";

        public string Scopes { get; init; } = "";

        public long CreatedAtMs { get; init; }

        public long? ExpiresAtMs { get; init; }

        public long? LastUsedAtMs { get; init; }

        public long? RevokedAtMs { get; init; }

        public PersonalAccessToken ToToken() => new(
            Guid.Parse(Id),
            Guid.Parse(UserId),
            Name,
            TokenHash,
            Hint,
            Scopes.Split(' ', StringSplitOptions.RemoveEmptyEntries),
            Milliseconds.ToTime(CreatedAtMs),
            Milliseconds.ToTime(ExpiresAtMs),
            Milliseconds.ToTime(LastUsedAtMs),
            Milliseconds.ToTime(RevokedAtMs));
    }
}
