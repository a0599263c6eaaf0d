using System.Data.Common;
using Dapper;
using Wright.Storage.Tests.Infrastructure;

namespace Wright.Storage.Tests.Database;

/// <summary>SQLite settings that are per file (WAL) or per connection (foreign keys, busy timeout).</summary>
public sealed class SqliteConnectionTests : StorageTestBase<SqliteProvider>
{
    [Fact]
    public async Task OpenAsync_EveryConnection_HasWalForeignKeysAndBusyTimeout()
    {
        await MigrateAsync();

        // Several connections open at once, so the pool hands out new ones rather than one reused.
        var connections = new List<DbConnection>();
        try
        {
            for (var i = 0; i < 3; i++)
            {
                connections.Add(await Database.OpenAsync(CancellationToken.None).Bounded());
            }

            foreach (var connection in connections)
            {
                (await connection.ExecuteScalarAsync<string>("PRAGMA journal_mode").Bounded()).ShouldBe("wal");
                (await connection.ExecuteScalarAsync<long>("PRAGMA foreign_keys").Bounded()).ShouldBe(1);
                (await connection.ExecuteScalarAsync<long>("PRAGMA busy_timeout").Bounded()).ShouldBeGreaterThanOrEqualTo(1000);
            }
        }
        finally
        {
            foreach (var connection in connections)
            {
                await connection.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task OpenAsync_AConnectionGivenBack_KeepsItsSettings_WhenHandedOutAgain()
    {
        // Each native connection is configured once; the pool's reuse must not lose that.
        await MigrateAsync();
        object? first;
        await using (var connection = await Database.OpenAsync(CancellationToken.None).Bounded())
        {
            first = ((Microsoft.Data.Sqlite.SqliteConnection)connection).Handle;
        }

        for (var i = 0; i < 3; i++)
        {
            await using var again = await Database.OpenAsync(CancellationToken.None).Bounded();
            ((Microsoft.Data.Sqlite.SqliteConnection)again).Handle.ShouldBeSameAs(first, "the pool reuses the native connection");
            (await again.ExecuteScalarAsync<long>("PRAGMA foreign_keys").Bounded()).ShouldBe(1);
            (await again.ExecuteScalarAsync<long>("PRAGMA busy_timeout").Bounded()).ShouldBe(5000);
            (await again.ExecuteScalarAsync<long>("PRAGMA synchronous").Bounded()).ShouldBe(1, "NORMAL");
        }
    }

    [Fact]
    public async Task OpenAsync_AnotherInstanceOfTheFile_SeesWalAfterMigration()
    {
        await MigrateAsync();

        await using var connection = await Test.OpenInstance().OpenAsync(CancellationToken.None).Bounded();

        (await connection.ExecuteScalarAsync<string>("PRAGMA journal_mode").Bounded()).ShouldBe("wal");
    }

    [Fact]
    public async Task OpenAsync_ForeignKeyViolation_IsRefused()
    {
        await using var connection = await Database.OpenAsync(CancellationToken.None).Bounded();
        await connection.ExecuteAsync("CREATE TABLE parent (id INTEGER PRIMARY KEY); CREATE TABLE child (parent_id INTEGER NOT NULL REFERENCES parent (id));").Bounded();

        await Should.ThrowAsync<Microsoft.Data.Sqlite.SqliteException>(() => connection.ExecuteAsync("INSERT INTO child (parent_id) VALUES (42)").Bounded());
    }
}
