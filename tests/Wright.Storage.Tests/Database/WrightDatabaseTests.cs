using Npgsql;
using Wright.Storage.Database;

namespace Wright.Storage.Tests.Database;

/// <summary>Choosing the engine from `--database`, without connecting to it.</summary>
public sealed class WrightDatabaseTests
{
    [Fact]
    public async Task Create_NoDatabase_IsSqliteFileInDataDir()
    {
        var dataDir = Path.Combine(Path.GetTempPath(), $"wright-storage-{Guid.NewGuid():N}");
        try
        {
            await using var database = WrightDatabase.Create(null, dataDir);

            database.Dialect.ShouldBe(DatabaseDialect.Sqlite);
            database.Description.ShouldBe($"sqlite:{Path.Combine(dataDir, "wright.db")}");
        }
        finally
        {
            Directory.Delete(dataDir, recursive: true);
        }
    }

    [Fact]
    public async Task Create_PostgresUrlWithPassword_DescriptionNeverShowsThePassword()
    {
        await using var database = WrightDatabase.Create("postgres://alice:s3cret@db.example:6543/wright", "/unused");

        database.Dialect.ShouldBe(DatabaseDialect.Postgres);
        database.Description.ShouldBe("postgres://db.example:6543/wright");
        database.Description.ShouldNotContain("s3cret");
    }

    [Fact]
    public void Create_UnknownScheme_IsRefusedWithWhatIsAccepted()
    {
        var error = Should.Throw<ArgumentException>(() => WrightDatabase.Create("mysql://db/wright", "/unused"));

        error.Message.ShouldContain("postgres://");
    }

    [Fact]
    public void PostgresUrl_FullUrl_BecomesConnectionString()
    {
        var builder = new NpgsqlConnectionStringBuilder(PostgresUrl.ToConnectionString("postgresql://al%40ice:p%3Ass@db.example:6543/my%20db?sslmode=require&Timeout=7"));

        builder.Host.ShouldBe("db.example");
        builder.Port.ShouldBe(6543);
        builder.Username.ShouldBe("al@ice");
        builder.Password.ShouldBe("p:ss");
        builder.Database.ShouldBe("my db");
        builder.SslMode.ShouldBe(SslMode.Require);
        builder.Timeout.ShouldBe(7);
    }

    [Fact]
    public void PostgresUrl_NoPort_DefaultsTo5432()
    {
        var builder = new NpgsqlConnectionStringBuilder(PostgresUrl.ToConnectionString("postgres://wright@localhost/wright"));

        builder.Port.ShouldBe(5432);
        builder.Username.ShouldBe("wright");
        builder.Password.ShouldBeNull();
    }
}
