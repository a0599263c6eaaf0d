using Dapper;
using Wright.Storage.Database;

namespace Wright.Storage.Accounts;

/// <summary>
/// The Data Protection key ring in the database, so that several server instances on one
/// PostgreSQL share their keys (a token protected by one instance is read by another).
/// Elements are written once and never changed; Data Protection revokes keys by adding elements.
/// </summary>
public sealed class DataProtectionKeyStore
{
    private readonly WrightDatabase _database;

    public DataProtectionKeyStore(WrightDatabase database)
    {
        _database = database;
    }

    public async Task<IReadOnlyList<string>> ReadAllAsync(CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return (await connection.QueryAsync<string>(new CommandDefinition(
            "SELECT xml FROM data_protection_keys ORDER BY created_at_ms, name", cancellationToken: cancellationToken)).ConfigureAwait(false)).ToList();
    }

    /// <summary>Stores one element under its unique name; storing the same name twice keeps the first.</summary>
    public async Task StoreAsync(string name, string xml, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition(
            "INSERT INTO data_protection_keys (name, xml, created_at_ms) VALUES (@Name, @Xml, @At) ON CONFLICT (name) DO NOTHING",
            new { Name = name, Xml = xml, At = at.ToUnixTimeMilliseconds() },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
    }
}
