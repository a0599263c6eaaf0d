using Npgsql;
using Wright.Server.Tests.Infrastructure;
using Wright.Storage.Database;

namespace Wright.Server.Tests.Cli;

/// <summary>A fresh database on the test PostgreSQL server for one test, dropped on dispose.</summary>
public sealed class PostgresTestDatabase : IAsyncDisposable
{
    public const string Variable = "WRIGHT_TEST_POSTGRES";

    private readonly string _admin;
    private readonly string _name;

    private PostgresTestDatabase(string admin, string name)
    {
        _admin = admin;
        _name = name;
        Url = new UriBuilder(admin) { Path = "/" + name }.Uri.ToString();
    }

    public static string? AdminUrl => Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } url ? url : null;

    /// <summary>The postgres:// URL of this database, as a user would pass it to --database.</summary>
    public string Url { get; }

    public static async Task<PostgresTestDatabase> CreateAsync()
    {
        var admin = AdminUrl ?? throw new InvalidOperationException($"{Variable} is not set.");
        var database = new PostgresTestDatabase(admin, $"wright_test_{Guid.NewGuid():N}");
        await ExecuteAsync(admin, $"CREATE DATABASE \"{database._name}\"").Bounded();
        return database;
    }

    /// <summary>The migrations recorded in this database, or an empty list when it has none.</summary>
    public async Task<List<int>> RecordedMigrationsAsync()
    {
        await using var connection = new NpgsqlConnection(ConnectionString(Url));
        await connection.OpenAsync().Bounded();
        await using var command = new NpgsqlCommand("SELECT version FROM schema_migrations ORDER BY version", connection);
        var versions = new List<int>();
        await using var reader = await command.ExecuteReaderAsync().Bounded();
        while (await reader.ReadAsync().Bounded())
        {
            versions.Add(reader.GetInt32(0));
        }

        return versions;
    }

    public async ValueTask DisposeAsync() => await ExecuteAsync(_admin, $"DROP DATABASE IF EXISTS \"{_name}\" WITH (FORCE)").Bounded();

    private static string ConnectionString(string url) =>
        new NpgsqlConnectionStringBuilder(PostgresUrl.ToConnectionString(url)) { Pooling = false }.ConnectionString;

    private static async Task ExecuteAsync(string url, string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString(url));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
