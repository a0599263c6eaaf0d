using Dapper;
using Wright.Core.Accounts;
using Wright.Storage.Database;

namespace Wright.Storage.Accounts;

/// <summary>Dapper repository of refresh tokens (hashes only).</summary>
internal sealed class RefreshTokenRepository : IRefreshTokenRepository
{
    private const string Columns = "id AS Id, family_id AS FamilyId, user_id AS UserId, token_hash AS TokenHash, created_at_ms AS CreatedAtMs, expires_at_ms AS ExpiresAtMs, used_at_ms AS UsedAtMs, revoked_at_ms AS RevokedAtMs";

    private readonly WrightDatabase _database;

    public RefreshTokenRepository(WrightDatabase database)
    {
        _database = database;
    }

    public async Task InsertAsync(RefreshToken token, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO refresh_tokens (id, family_id, user_id, token_hash, created_at_ms, expires_at_ms, used_at_ms, revoked_at_ms)
            VALUES (@Id, @FamilyId, @UserId, @TokenHash, @CreatedAtMs, @ExpiresAtMs, @UsedAtMs, @RevokedAtMs)
            """,
            new
            {
                Id = token.Id.ToString(),
                FamilyId = token.FamilyId.ToString(),
                UserId = token.UserId.ToString(),
                token.TokenHash,
                CreatedAtMs = token.CreatedAt.ToUnixTimeMilliseconds(),
                ExpiresAtMs = token.ExpiresAt.ToUnixTimeMilliseconds(),
                UsedAtMs = token.UsedAt?.ToUnixTimeMilliseconds(),
                RevokedAtMs = token.RevokedAt?.ToUnixTimeMilliseconds(),
            },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    public async Task<RefreshToken?> FindByHashAsync(string tokenHash, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var row = await connection.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(
            $"SELECT {Columns} FROM refresh_tokens WHERE token_hash = @TokenHash", new { TokenHash = tokenHash }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return row?.ToToken();
    }

    public async Task<bool> TryUseAsync(Guid id, DateTimeOffset at, CancellationToken cancellationToken)
    {
        // One conditional UPDATE: of two requests racing with the same token, exactly one sees a
        // changed row; the other is treated as reuse.
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var changed = await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE refresh_tokens SET used_at_ms = @At WHERE id = @Id AND used_at_ms IS NULL AND revoked_at_ms IS NULL",
            new { Id = id.ToString(), At = at.ToUnixTimeMilliseconds() },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        return changed == 1;
    }

    public async Task<bool> TryUseAsync(Guid id, DateTimeOffset at, string successorProtected, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var changed = await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE refresh_tokens SET used_at_ms = @At, successor_protected = @Successor WHERE id = @Id AND used_at_ms IS NULL AND revoked_at_ms IS NULL",
            new { Id = id.ToString(), At = at.ToUnixTimeMilliseconds(), Successor = successorProtected },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        return changed == 1;
    }

    public async Task<string?> GetSuccessorAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await connection.QuerySingleOrDefaultAsync<string?>(new CommandDefinition(
            "SELECT successor_protected FROM refresh_tokens WHERE id = @Id", new { Id = id.ToString() }, cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    public async Task<int> PurgeAsync(DateTimeOffset before, DateTimeOffset successorsBefore, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var parameters = new { Before = before.ToUnixTimeMilliseconds(), SuccessorsBefore = successorsBefore.ToUnixTimeMilliseconds() };
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE refresh_tokens SET successor_protected = NULL WHERE successor_protected IS NOT NULL AND used_at_ms < @SuccessorsBefore",
            parameters,
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        return await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM refresh_tokens WHERE expires_at_ms < @Before OR revoked_at_ms < @Before",
            parameters,
            cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    public async Task<int> RevokeFamilyAsync(Guid familyId, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE refresh_tokens SET revoked_at_ms = @At WHERE family_id = @FamilyId AND revoked_at_ms IS NULL",
            new { FamilyId = familyId.ToString(), At = at.ToUnixTimeMilliseconds() },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    public async Task<int> RevokeUserAsync(Guid userId, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE refresh_tokens SET revoked_at_ms = @At WHERE user_id = @UserId AND revoked_at_ms IS NULL",
            new { UserId = userId.ToString(), At = at.ToUnixTimeMilliseconds() },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    private sealed class Row
    {
        public string Id { get; init; } = "";

        public string FamilyId { get; init; } = "";

        public string UserId { get; init; } = "";

        public string TokenHash { get; init; } = "";

        public long CreatedAtMs { get; init; }

        public long ExpiresAtMs { get; init; }

        public long? UsedAtMs { get; init; }

        public long? RevokedAtMs { get; init; }

        public RefreshToken ToToken() => new(
            Guid.Parse(Id),
            Guid.Parse(FamilyId),
            Guid.Parse(UserId),
            TokenHash,
            Milliseconds.ToTime(CreatedAtMs),
            Milliseconds.ToTime(ExpiresAtMs),
            Milliseconds.ToTime(UsedAtMs),
            Milliseconds.ToTime(RevokedAtMs));
    }
}
