using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;
using Wright.Server.Tests.Cli;
using Wright.Server.Tests.Infrastructure;
using Wright.Storage.Database;

namespace Wright.Server.Tests.Cluster;

/// <summary>
/// Real `wright serve` processes on one PostgreSQL database: each with its own data directory
/// (projects live in a directory both see, as on a shared volume), short answer leases, and the
/// admin from WRIGHT_ADMIN_PASSWORD.
/// </summary>
internal sealed class TwoInstances : IAsyncDisposable
{
    private readonly List<WrightProcess> _processes = [];

    public TwoInstances(TempDirectory home, string databaseUrl, IReadOnlyDictionary<string, string>? environment = null)
    {
        Home = home;
        DatabaseUrl = databaseUrl;
        Environment = new Dictionary<string, string>
        {
            ["WRIGHT_ADMIN_PASSWORD"] = WrightTestServer.AdminPassword,
            ["Logging__LogLevel__Default"] = "Warning",
            ["Wright__Cluster__AnswerLease"] = "00:00:03",
            ["Wright__Cluster__AnswerSweepInterval"] = "00:00:00.200",
            ["Wright__Cluster__DatabaseProbeInterval"] = "00:00:00.200",
        };
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            Environment[key] = value;
        }
    }

    public TempDirectory Home { get; }

    public string DatabaseUrl { get; }

    public Dictionary<string, string> Environment { get; }

    /// <summary>Starts one more instance (not waiting for it to listen).</summary>
    public WrightProcess Start(string name)
    {
        var process = WrightProcess.Start(Home.Path, ["serve", "--port", "0", "--data-dir", Home.Combine($"data-{name}"), "--database", DatabaseUrl], Environment);
        _processes.Add(process);
        return process;
    }

    /// <summary>A client of <paramref name="process"/>, logged in as the admin.</summary>
    public static async Task<HttpClient> AdminClientAsync(WrightProcess process)
    {
        var client = new HttpClient { BaseAddress = await process.WaitForUrlAsync(), Timeout = TestTimeouts.Default };
        await WrightTestServer.LogInAsAdminAsync(client);
        return client;
    }

    public async Task<Guid> CreateProjectAsync(HttpClient client, string name)
    {
        using var response = await client.PostAsJsonAsync("/api/projects", new { name, path = Home.Combine("work", name) }).Bounded();
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>().Bounded()).GetProperty("id").GetGuid();
    }

    /// <summary>Runs one query against the instances' database, as an operator would look at it.</summary>
    public async Task<T?> QueryAsync<T>(string sql, params (string Name, object Value)[] parameters)
    {
        var builder = new NpgsqlConnectionStringBuilder(PostgresUrl.ToConnectionString(DatabaseUrl)) { Pooling = false };
        await using var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync().Bounded();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        var result = await command.ExecuteScalarAsync().Bounded();
        return result is null or DBNull ? default : (T)result;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var process in _processes)
        {
            await process.DisposeAsync();
        }
    }
}
