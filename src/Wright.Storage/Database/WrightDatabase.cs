using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Wright.Storage.Database;

/// <summary>
/// The one database of a Wright server: a SQLite file in the data directory by default, or a
/// PostgreSQL server given as a <c>postgres://</c> URL or an Npgsql connection string.
/// </summary>
public sealed class WrightDatabase : IAsyncDisposable
{
    private static readonly Lazy<bool> SqliteInitialized = new(() =>
    {
        SQLitePCL.Batteries_V2.Init();
        return true;
    });

    // The native SQLite connections already configured (see OpenAsync); weak, so a closed one is forgotten.
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<object, object> ConfiguredSqlite = [];
    private static readonly object Configured = new();

    private readonly string? _sqliteConnectionString;
    private readonly NpgsqlDataSource? _postgres;

    private WrightDatabase(DatabaseDialect dialect, string description, string? sqliteConnectionString, NpgsqlDataSource? postgres)
    {
        Dialect = dialect;
        Description = description;
        _sqliteConnectionString = sqliteConnectionString;
        _postgres = postgres;
    }

    public DatabaseDialect Dialect { get; }

    /// <summary>Where the database is, safe to print: never contains a password.</summary>
    public string Description { get; }

    /// <summary>Opens the database described by <paramref name="database"/>, or the SQLite file under <paramref name="dataDir"/> when it is empty.</summary>
    public static WrightDatabase Create(string? database, string dataDir)
    {
        if (string.IsNullOrWhiteSpace(database))
        {
            return Sqlite(Path.Combine(dataDir, "wright.db"));
        }

        if (IsPostgres(database))
        {
            return Postgres(database);
        }

        if (database.StartsWith("sqlite:", StringComparison.OrdinalIgnoreCase))
        {
            return Sqlite(Path.GetFullPath(database["sqlite:".Length..]));
        }

        throw new ArgumentException("The database must be a postgres:// URL, an Npgsql connection string (Host=…) or sqlite:<file>.", nameof(database));
    }

    private static bool IsPostgres(string database) =>
        database.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase)
        || database.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase)
        || database.Contains("Host=", StringComparison.OrdinalIgnoreCase);

    /// <summary>What is wrong with a <c>--database</c> value, or null when <see cref="Create"/> can use it; never connects.</summary>
    public static string? ProblemWith(string? database)
    {
        if (string.IsNullOrWhiteSpace(database))
        {
            return null;
        }

        if (database.StartsWith("sqlite:", StringComparison.OrdinalIgnoreCase))
        {
            return database.Length > "sqlite:".Length ? null : "sqlite: needs a file name, as in sqlite:/var/lib/wright/wright.db.";
        }

        if (!IsPostgres(database))
        {
            return "must be a postgres://user:password@host:5432/database URL, an Npgsql connection string (Host=…) or sqlite:<file>.";
        }

        try
        {
            _ = new NpgsqlConnectionStringBuilder(PostgresUrl.ToConnectionString(database));
            return null;
        }
        catch (Exception ex) when (ex is UriFormatException or ArgumentException or FormatException)
        {
            // The message of these exceptions names the part that is wrong and never the password.
            return $"is not a valid PostgreSQL address: {ex.Message}";
        }
    }

    public static WrightDatabase Sqlite(string file)
    {
        _ = SqliteInitialized.Value;
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(file))!);
        var builder = new SqliteConnectionStringBuilder
        {
            DataSource = file,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = 30,
        };
        return new WrightDatabase(DatabaseDialect.Sqlite, $"sqlite:{file}", builder.ToString(), null);
    }

    public static WrightDatabase Postgres(string urlOrConnectionString)
    {
        var connectionString = PostgresUrl.ToConnectionString(urlOrConnectionString);
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        var description = $"postgres://{builder.Host}:{builder.Port}/{builder.Database}";
        var dataSource = new NpgsqlDataSourceBuilder(connectionString).Build();
        return new WrightDatabase(DatabaseDialect.Postgres, description, null, dataSource);
    }

    /// <summary>Opens a connection with Wright's per-connection settings applied.</summary>
    public async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        if (_postgres is not null)
        {
            return await _postgres.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        }

        var connection = new SqliteConnection(_sqliteConnectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);

            // Foreign keys and the busy timeout are per connection in SQLite; WAL is set once per
            // file by the migrator. 5 s of waiting beats a SQLITE_BUSY under a write burst. The
            // pool hands out the same native connections again, which keep their settings: each
            // is configured once (a statement per query saved on every request's way).
            if (connection.Handle is { } handle && !ConfiguredSqlite.TryGetValue(handle, out _))
            {
                await using var command = connection.CreateCommand();
                command.CommandText = "PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000; PRAGMA synchronous = NORMAL;";
                await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                ConfiguredSqlite.AddOrUpdate(handle, Configured);
            }

            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>True when <paramref name="exception"/> is a unique-constraint violation in this dialect.</summary>
    public static bool IsUniqueViolation(Exception exception) => exception switch
    {
        SqliteException sqlite => sqlite.SqliteErrorCode == 19 && sqlite.SqliteExtendedErrorCode is 2067 or 1555,
        PostgresException postgres => postgres.SqlState == PostgresErrorCodes.UniqueViolation,
        _ => false,
    };

    /// <summary>
    /// True when <paramref name="exception"/> is a unique-constraint violation of
    /// <paramref name="table"/>.<paramref name="column"/> in either dialect, so that a clash on
    /// another key (a duplicate id is a bug, not a user error) is not mistaken for it.
    /// </summary>
    public static bool IsUniqueViolation(Exception exception, string table, string column) => exception switch
    {
        // SQLite names the column in the message: "UNIQUE constraint failed: projects.root_path".
        SqliteException sqlite => IsUniqueViolation(sqlite) && sqlite.Message.Contains($"{table}.{column}", StringComparison.Ordinal),

        // PostgreSQL names an inline UNIQUE constraint <table>_<column>_key.
        PostgresException postgres => IsUniqueViolation(postgres) && postgres.TableName == table && postgres.ConstraintName == $"{table}_{column}_key",
        _ => false,
    };

    /// <summary>
    /// Forgets pooled PostgreSQL connections, which a restarted server has cut; the next request
    /// opens fresh ones instead of failing once more on a dead one. SQLite has nothing to forget.
    /// </summary>
    public void ClearPool()
    {
        if (_postgres is not null)
        {
            _postgres.Clear();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_postgres is not null)
        {
            await _postgres.DisposeAsync().ConfigureAwait(false);
        }
        else
        {
            // Only this file's pool: other databases in the same process (tests) keep theirs.
            using var connection = new SqliteConnection(_sqliteConnectionString);
            SqliteConnection.ClearPool(connection);
        }
    }
}
