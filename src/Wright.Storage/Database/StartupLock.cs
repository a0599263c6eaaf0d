using Dapper;

namespace Wright.Storage.Database;

/// <summary>
/// Runs start-up steps that must happen once per database (creating the first admin) one
/// instance at a time: a PostgreSQL session advisory lock held for the step, so a second instance
/// starting at the same moment waits and then finds the step done. SQLite has one server; its
/// write lock already serializes the rare second process.
/// </summary>
public sealed class StartupLock
{
    // Distinct from the migrator's and the event relay's keys: "one-time start-up steps".
    private const long PostgresLockKey = 7236107;

    private readonly WrightDatabase _database;

    public StartupLock(WrightDatabase database)
    {
        _database = database;
    }

    public async Task RunAsync(Func<CancellationToken, Task> step, CancellationToken cancellationToken)
    {
        if (_database.Dialect != DatabaseDialect.Postgres)
        {
            await step(cancellationToken).ConfigureAwait(false);
            return;
        }

        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_lock(@Key)", new { Key = PostgresLockKey }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        try
        {
            await step(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            // Not the caller's token: a cancelled start must still release the lock (closing the connection would too).
            await connection.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_unlock(@Key)", new { Key = PostgresLockKey }, cancellationToken: CancellationToken.None)).ConfigureAwait(false);
        }
    }
}
