using Npgsql;
using Wright.Storage.Database;

namespace Wright.Storage.Tests.Infrastructure;

/// <summary>
/// A fresh database (<c>wright_test_&lt;guid&gt;</c>) on the PostgreSQL server named by
/// <c>WRIGHT_TEST_POSTGRES</c> (a URL of a role that may CREATE DATABASE), dropped afterwards.
/// scripts/test.sh starts a private server and sets the variable.
/// </summary>
public sealed class PostgresProvider : IStorageProvider
{
    public const string Variable = "WRIGHT_TEST_POSTGRES";

    public static string? AdminUrl => Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } url ? url : null;

    public static string? SkipReason => AdminUrl is null
        ? $"{Variable} is not set: no PostgreSQL server to test against (./scripts/test.sh starts one when Debian's postgresql is installed)."
        : null;

    public static async Task<TestDatabase> CreateDatabaseAsync(CancellationToken cancellationToken)
    {
        var admin = AdminUrl ?? throw new InvalidOperationException(SkipReason);
        var name = $"wright_test_{Guid.NewGuid():N}";
        await ExecuteAsync(admin, $"CREATE DATABASE \"{name}\"", cancellationToken);

        // The test gets a postgres:// URL, as a user would write it, so the URL parsing is on the path.
        var url = new UriBuilder(admin) { Path = "/" + name }.Uri.ToString();
        var dataDir = Path.Combine(Path.GetTempPath(), $"wright-storage-{Guid.NewGuid():N}");
        return new TestDatabase(url, dataDir, () => ExecuteAsync(admin, $"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", CancellationToken.None));
    }

    private static async Task ExecuteAsync(string adminUrl, string sql, CancellationToken cancellationToken)
    {
        // No pooling: the admin connection must not stay open on the server between tests.
        var builder = new NpgsqlConnectionStringBuilder(PostgresUrl.ToConnectionString(adminUrl)) { Pooling = false };
        await using var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
