using Dapper;
using Wright.Core.Accounts;
using Wright.Core.Errors;
using Wright.Core.Paging;
using Wright.Storage.Database;

namespace Wright.Storage.Accounts;

/// <summary>Dapper repository of users; names are unique through a lower-cased key column.</summary>
internal sealed class UserRepository : IUserRepository
{
    private const string Columns = "id AS Id, user_name AS UserName, role AS Role, password_hash AS PasswordHash, created_at_ms AS CreatedAtMs, updated_at_ms AS UpdatedAtMs, disabled_at_ms AS DisabledAtMs";

    private readonly WrightDatabase _database;

    public UserRepository(WrightDatabase database)
    {
        _database = database;
    }

    public async Task InsertAsync(User user, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await connection.ExecuteAsync(new CommandDefinition(
                """
                INSERT INTO users (id, user_name, user_name_key, role, password_hash, created_at_ms, updated_at_ms, disabled_at_ms)
                VALUES (@Id, @UserName, @UserNameKey, @Role, @PasswordHash, @CreatedAtMs, @UpdatedAtMs, @DisabledAtMs)
                """,
                UserRow.From(user),
                cancellationToken: cancellationToken)).ConfigureAwait(false);
        }
        catch (Exception ex) when (WrightDatabase.IsUniqueViolation(ex, "users", "user_name_key"))
        {
            throw WrightException.Conflict(ErrorCodes.UserNameTaken, $"The user name '{user.UserName}' is taken.");
        }
    }

    public async Task<User?> GetAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var row = await connection.QuerySingleOrDefaultAsync<UserRow>(new CommandDefinition(
            $"SELECT {Columns} FROM users WHERE id = @Id", new { Id = id.ToString() }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return row?.ToUser();
    }

    public async Task<User?> FindByNameAsync(string userName, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var row = await connection.QuerySingleOrDefaultAsync<UserRow>(new CommandDefinition(
            $"SELECT {Columns} FROM users WHERE user_name_key = @Key", new { Key = KeyOf(userName) }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return row?.ToUser();
    }

    public async Task<Page<User>> ListAsync(PageRequest page, CancellationToken cancellationToken)
    {
        var after = KeysetCursor.Decode(page.Cursor);
        var sql = $"""
            SELECT {Columns} FROM users
            WHERE (@AfterMs IS NULL OR created_at_ms > @AfterMs OR (created_at_ms = @AfterMs AND id > @AfterId))
            ORDER BY created_at_ms, id
            LIMIT @Take
            """;
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = (await connection.QueryAsync<UserRow>(new CommandDefinition(
            sql,
            new { AfterMs = after?.Milliseconds, AfterId = after?.Id ?? "", Take = page.Limit + 1 },
            cancellationToken: cancellationToken)).ConfigureAwait(false)).ToList();
        return Paging.ToPage(rows, page.Limit, r => new KeysetCursor(r.CreatedAtMs, r.Id), r => r.ToUser());
    }

    public async Task<int> CountAsync(CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await connection.ExecuteScalarAsync<int>(new CommandDefinition("SELECT COUNT(*) FROM users", cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    public async Task<bool> UpdateAsync(User user, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var changed = await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE users SET role = @Role, password_hash = @PasswordHash, updated_at_ms = @UpdatedAtMs, disabled_at_ms = @DisabledAtMs WHERE id = @Id",
            UserRow.From(user),
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        return changed == 1;
    }

    /// <summary>Invariant lower case: "Alice" and "alice" are one user, whatever the database's collation.</summary>
    private static string KeyOf(string userName) => userName.Trim().ToLowerInvariant();

    private sealed class UserRow
    {
        public string Id { get; init; } = "";

        public string UserName { get; init; } = "";

        public string UserNameKey { get; init; } = "";

        public string Role { get; init; } = "";

        public string PasswordHash { get; init; } = "";

        public long CreatedAtMs { get; init; }

        public long UpdatedAtMs { get; init; }

        public long? DisabledAtMs { get; init; }

        public static UserRow From(User u) => new()
        {
            Id = u.Id.ToString(),
            UserName = u.UserName,
            UserNameKey = KeyOf(u.UserName),
            Role = u.Role == UserRole.Admin ? "admin" : "member",
            PasswordHash = u.PasswordHash,
            CreatedAtMs = u.CreatedAt.ToUnixTimeMilliseconds(),
            UpdatedAtMs = u.UpdatedAt.ToUnixTimeMilliseconds(),
            DisabledAtMs = u.DisabledAt?.ToUnixTimeMilliseconds(),
        };

        public User ToUser() => new(
            Guid.Parse(Id),
            UserName,
            Role == "admin" ? UserRole.Admin : UserRole.Member,
            PasswordHash,
            Milliseconds.ToTime(CreatedAtMs),
            Milliseconds.ToTime(UpdatedAtMs),
            Milliseconds.ToTime(DisabledAtMs));
    }
}
