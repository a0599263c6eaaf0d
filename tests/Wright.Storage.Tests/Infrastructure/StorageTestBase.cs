using Microsoft.Extensions.Logging.Abstractions;
using Wright.Storage.Database;

namespace Wright.Storage.Tests.Infrastructure;

/// <summary>
/// The base of a storage suite that runs on every engine: the suite is an abstract subclass with
/// <see cref="StorageFactAttribute"/> tests, and each engine a sealed subclass of it naming its
/// provider. xunit makes one instance per test, so each test has its own fresh database.
/// </summary>
public abstract class StorageTestBase<TProvider> : IAsyncLifetime
    where TProvider : IStorageProvider
{
    private TestDatabase? _test;

    protected TestDatabase Test => _test ?? throw new InvalidOperationException("The database is created in InitializeAsync.");

    protected WrightDatabase Database => Test.Database;

    protected DatabaseDialect Dialect => Database.Dialect;

    public async Task InitializeAsync() => _test = await TProvider.CreateDatabaseAsync(CancellationToken.None).Bounded();

    public async Task DisposeAsync()
    {
        if (_test is not null)
        {
            await _test.DisposeAsync();
        }
    }

    protected static Migrator CreateMigrator(WrightDatabase database, IReadOnlyList<Migration>? migrations = null) =>
        migrations is null
            ? new Migrator(database, NullLogger<Migrator>.Instance)
            : new Migrator(database, NullLogger<Migrator>.Instance, migrations);

    /// <summary>Brings this test's database to the current schema.</summary>
    protected async Task MigrateAsync() => await CreateMigrator(Database).MigrateAsync(CancellationToken.None).Bounded();
}
