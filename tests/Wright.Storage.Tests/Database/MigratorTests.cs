using Dapper;
using Wright.Core.Errors;
using Wright.Storage.Database;
using Wright.Storage.Tests.Infrastructure;

namespace Wright.Storage.Tests.Database;

public sealed class SqliteMigratorTests : MigratorTests<SqliteProvider>;

public sealed class PostgresMigratorTests : MigratorTests<PostgresProvider>;

/// <summary>The migrator's contract, the same on every engine.</summary>
public abstract class MigratorTests<TProvider> : StorageTestBase<TProvider>
    where TProvider : IStorageProvider
{
    [StorageFact]
    public async Task Migrate_EmptyDatabase_AppliesEveryMigrationAndRecordsIt()
    {
        var expected = Migrator.Load(Dialect);
        expected.ShouldNotBeEmpty();

        var applied = await CreateMigrator(Database).MigrateAsync(CancellationToken.None).Bounded();

        applied.ShouldBe(expected.Select(m => m.Version).ToList());
        var recorded = await RecordedAsync();
        recorded.Select(r => (r.Version, r.Name)).ShouldBe(expected.Select(m => (m.Version, m.Name)));
        recorded.ShouldAllBe(r => r.AppliedAtMs > 0);
        (await ScalarAsync<long>("SELECT COUNT(*) FROM projects")).ShouldBe(0);
    }

    [StorageFact]
    public async Task Migrate_Twice_SecondRunAppliesNothing()
    {
        await CreateMigrator(Database).MigrateAsync(CancellationToken.None).Bounded();
        var before = await RecordedAsync();

        var applied = await CreateMigrator(Test.OpenInstance()).MigrateAsync(CancellationToken.None).Bounded();

        applied.ShouldBeEmpty();
        (await RecordedAsync()).ShouldBe(before);
    }

    [StorageFact]
    public async Task Migrate_DatabaseFromNewerWright_IsRefusedWithDatabaseTooNew()
    {
        await MigrateAsync();
        var newer = Migrator.Load(Dialect).Count + 1;
        await ExecuteAsync("INSERT INTO schema_migrations (version, name, applied_at_ms) VALUES (@Version, 'from_the_future', 1)", new { Version = newer });

        var error = await Should.ThrowAsync<WrightException>(() => CreateMigrator(Test.OpenInstance()).MigrateAsync(CancellationToken.None).Bounded());

        error.Code.ShouldBe(ErrorCodes.DatabaseTooNew);
        error.Message.ShouldContain($"schema version {newer}");
        error.Message.ShouldContain("newer Wright");
        error.Message.ShouldContain("Upgrade Wright");
        (await RecordedAsync()).Max(r => r.Version).ShouldBe(newer);
    }

    [StorageFact]
    public async Task Migrate_FailingMigration_KeepsEarlierStepsAndRecordsNothingOfTheFailedOne()
    {
        var first = Migrator.Load(Dialect)[0];
        var broken = new Migration(2, "broken", "CREATE TABLE half_done (id INTEGER NOT NULL); INSERT INTO no_such_table VALUES (1);");

        await Should.ThrowAsync<Exception>(() => CreateMigrator(Database, [first, broken]).MigrateAsync(CancellationToken.None).Bounded());

        (await RecordedAsync()).Select(r => r.Version).ShouldBe([1]);
        (await TableExistsAsync("half_done")).ShouldBeFalse();

        var fixedUp = new Migration(2, "fixed", "CREATE TABLE half_done (id INTEGER NOT NULL);");
        var applied = await CreateMigrator(Test.OpenInstance(), [first, fixedUp]).MigrateAsync(CancellationToken.None).Bounded();
        applied.ShouldBe([2]);
        (await TableExistsAsync("half_done")).ShouldBeTrue();
    }

    [StorageFact]
    public async Task Migrate_ManyInstancesAtOnce_AppliesEachMigrationExactlyOnce()
    {
        // Not idempotent on purpose: a step applied twice fails with "table already exists".
        List<Migration> migrations = [.. Migrator.Load(Dialect)];
        for (var i = 0; i < 4; i++)
        {
            migrations.Add(new Migration(migrations.Count + 1, $"extra_{i}", $"CREATE TABLE extra_{i} (id INTEGER NOT NULL)"));
        }

        var instances = Enumerable.Range(0, 4).Select(_ => Test.OpenInstance()).ToList();
        var runs = instances.Select(instance => Task.Run(() => CreateMigrator(instance, migrations).MigrateAsync(CancellationToken.None)));

        var applied = await Task.WhenAll(runs).Bounded();

        applied.SelectMany(a => a).Order().ShouldBe(migrations.Select(m => m.Version));
        (await RecordedAsync()).Select(r => r.Version).ShouldBe(migrations.Select(m => m.Version));
    }

    private async Task<List<MigrationRow>> RecordedAsync()
    {
        await using var connection = await Database.OpenAsync(CancellationToken.None).Bounded();
        var rows = await connection.QueryAsync<MigrationRow>("SELECT version AS Version, name AS Name, applied_at_ms AS AppliedAtMs FROM schema_migrations ORDER BY version").Bounded();
        return rows.ToList();
    }

    private async Task<T> ScalarAsync<T>(string sql)
    {
        await using var connection = await Database.OpenAsync(CancellationToken.None).Bounded();
        return (await connection.ExecuteScalarAsync<T>(sql).Bounded())!;
    }

    private async Task ExecuteAsync(string sql, object parameters)
    {
        await using var connection = await Database.OpenAsync(CancellationToken.None).Bounded();
        await connection.ExecuteAsync(sql, parameters).Bounded();
    }

    private async Task<bool> TableExistsAsync(string table)
    {
        var sql = Dialect == DatabaseDialect.Sqlite
            ? "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = @Table"
            : "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = @Table";
        await using var connection = await Database.OpenAsync(CancellationToken.None).Bounded();
        return await connection.ExecuteScalarAsync<long>(sql, new { Table = table }).Bounded() > 0;
    }

    private sealed record MigrationRow
    {
        public int Version { get; init; }

        public string Name { get; init; } = "";

        public long AppliedAtMs { get; init; }
    }
}
