using System.Data.Common;
using System.Globalization;
using Dapper;
using Microsoft.Extensions.Logging;
using Wright.Core.Errors;

namespace Wright.Storage.Database;

/// <summary>One forward-only migration: a numbered SQL script of one dialect.</summary>
public sealed record Migration(int Version, string Name, string Sql);

/// <summary>
/// Applies the embedded forward-only SQL migrations of the database's dialect, each in its own
/// transaction, recording them in <c>schema_migrations</c>. A database that has migrations this
/// binary does not know was written by a newer Wright and is refused.
/// </summary>
public sealed partial class Migrator
{
    // Any constant works as long as every Wright uses the same one; it names "the schema" among
    // the advisory locks other software may take in the same PostgreSQL database.
    private const long PostgresLockKey = 7236105;

    private readonly WrightDatabase _database;
    private readonly ILogger<Migrator> _logger;
    private readonly IReadOnlyList<Migration>? _migrations;

    public Migrator(WrightDatabase database, ILogger<Migrator> logger)
    {
        _database = database;
        _logger = logger;
    }

    /// <summary>A migrator with its own list of migrations instead of the embedded ones (tests).</summary>
    internal Migrator(WrightDatabase database, ILogger<Migrator> logger, IReadOnlyList<Migration> migrations)
        : this(database, logger)
    {
        _migrations = migrations;
    }

    public static IReadOnlyList<Migration> Load(DatabaseDialect dialect)
    {
        var folder = dialect == DatabaseDialect.Sqlite ? "Sqlite" : "Postgres";
        var prefix = $"migrations/{folder}/";
        var assembly = typeof(Migrator).Assembly;
        var migrations = new List<Migration>();
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.Replace('\\', '/').StartsWith(prefix, StringComparison.Ordinal)))
        {
            var fileName = resource.Replace('\\', '/')[prefix.Length..];
            var underscore = fileName.IndexOf('_', StringComparison.Ordinal);
            var version = int.Parse(fileName[..underscore], CultureInfo.InvariantCulture);
            var name = Path.GetFileNameWithoutExtension(fileName)[(underscore + 1)..];
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var reader = new StreamReader(stream);
            migrations.Add(new Migration(version, name, reader.ReadToEnd()));
        }

        migrations.Sort((a, b) => a.Version.CompareTo(b.Version));
        for (var i = 0; i < migrations.Count; i++)
        {
            if (migrations[i].Version != i + 1)
            {
                throw new InvalidOperationException($"Migrations of {folder} must be numbered 1, 2, 3… without gaps; found {migrations[i].Version} at position {i + 1}.");
            }
        }

        return migrations;
    }

    /// <summary>Brings the schema up to date; returns the versions it applied (none when it was current).</summary>
    public async Task<IReadOnlyList<int>> MigrateAsync(CancellationToken cancellationToken)
    {
        var migrations = _migrations ?? Load(_database.Dialect);
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        if (_database.Dialect == DatabaseDialect.Sqlite)
        {
            // WAL lets readers go on while one writer commits; it is a property of the file, so
            // setting it once here covers every later connection.
            await connection.ExecuteAsync(new CommandDefinition("PRAGMA journal_mode = WAL;", cancellationToken: cancellationToken)).ConfigureAwait(false);
            return await ApplyAsync(connection, migrations, cancellationToken).ConfigureAwait(false);
        }

        // Several server instances may start together against one PostgreSQL. A session lock
        // held for the whole run (not one per step) also covers creating schema_migrations,
        // which PostgreSQL does not make safe under concurrency even with IF NOT EXISTS.
        await connection.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_lock(@Key)", new { Key = PostgresLockKey }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        try
        {
            return await ApplyAsync(connection, migrations, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            // Not the caller's token: a cancelled start must still release the lock, or the next
            // instance waits until this connection is closed. Closing it releases the lock as well.
            await connection.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_unlock(@Key)", new { Key = PostgresLockKey }, cancellationToken: CancellationToken.None)).ConfigureAwait(false);
        }
    }

    private async Task<IReadOnlyList<int>> ApplyAsync(DbConnection connection, IReadOnlyList<Migration> migrations, CancellationToken cancellationToken)
    {
        await connection.ExecuteAsync(new CommandDefinition(
            _database.Dialect == DatabaseDialect.Sqlite
                ? "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at_ms INTEGER NOT NULL)"
                : "CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at_ms bigint NOT NULL)",
            cancellationToken: cancellationToken)).ConfigureAwait(false);

        var known = migrations.Count == 0 ? 0 : migrations[^1].Version;
        var current = await CurrentVersionAsync(connection, null, cancellationToken).ConfigureAwait(false);
        if (current > known)
        {
            throw new WrightException(
                ErrorKind.Conflict,
                ErrorCodes.DatabaseTooNew,
                $"The database {_database.Description} is at schema version {current}, but this Wright knows only up to version {known}: it was written by a newer Wright. Upgrade Wright, or point it at another database.");
        }

        var applied = new List<int>();
        foreach (var migration in migrations)
        {
            // SQLite: BEGIN IMMEDIATE (Microsoft.Data.Sqlite's default) takes the write lock up
            // front, so a second process waits for it instead of failing on lock upgrade.
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            if (await CurrentVersionAsync(connection, transaction, cancellationToken).ConfigureAwait(false) >= migration.Version)
            {
                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                continue;
            }

            await connection.ExecuteAsync(new CommandDefinition(migration.Sql, transaction: transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
            await connection.ExecuteAsync(new CommandDefinition(
                "INSERT INTO schema_migrations (version, name, applied_at_ms) VALUES (@Version, @Name, @At)",
                new { migration.Version, migration.Name, At = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() },
                transaction,
                cancellationToken: cancellationToken)).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            applied.Add(migration.Version);
            MigratorLog.Applied(_logger, migration.Version, migration.Name, _database.Description);
        }

        return applied;
    }

    private static async Task<int> CurrentVersionAsync(DbConnection connection, DbTransaction? transaction, CancellationToken cancellationToken) =>
        await connection.ExecuteScalarAsync<int?>(new CommandDefinition("SELECT MAX(version) FROM schema_migrations", transaction: transaction, cancellationToken: cancellationToken)).ConfigureAwait(false) ?? 0;
}

internal static partial class MigratorLog
{
    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "Applied migration {Version} ({Name}) to {Database}")]
    public static partial void Applied(ILogger logger, int version, string name, string database);
}
