using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;
using Wright.Server.Hosting;

namespace Wright.Server.Tests.Infrastructure;

/// <summary>
/// A real Wright server for one test: Kestrel on 127.0.0.1:0, its own data directory and SQLite
/// database (or the PostgreSQL database given), driven over real HTTP.
/// </summary>
public sealed class WrightTestServer : IAsyncDisposable
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly TempDirectory _dataDir;
    private readonly WebApplication _app;

    private WrightTestServer(TempDirectory dataDir, WebApplication app, Uri baseAddress)
    {
        _dataDir = dataDir;
        _app = app;
        BaseAddress = baseAddress;
        Client = new HttpClient { BaseAddress = baseAddress, Timeout = TestTimeouts.Default };
    }

    public Uri BaseAddress { get; }

    public HttpClient Client { get; }

    public string DataDir => _dataDir.Path;

    public IServiceProvider Services => _app.Services;

    /// <summary>Starts a server; <paramref name="configure"/> adjusts options (for example MaxFileBytes) before it builds.</summary>
    public static async Task<WrightTestServer> StartAsync(Action<ServerOptions>? configure = null, Action<WebApplicationBuilder>? builder = null)
    {
        var dataDir = new TempDirectory("wright-data");
        var options = new ServerOptions { Port = 0, DataDir = dataDir.Path };
        configure?.Invoke(options);
        var app = WrightServer.Build(options, b =>
        {
            b.Logging.ClearProviders();
            b.Logging.SetMinimumLevel(LogLevel.Warning);
            builder?.Invoke(b);
        });
        var address = await WrightServer.StartAsync(app, CancellationToken.None).Bounded();
        return new WrightTestServer(dataDir, app, address);
    }

    /// <summary>Creates a project through the API in a fresh directory of this server's own.</summary>
    public async Task<ProjectInfo> CreateProjectAsync(string name = "demo")
    {
        var path = System.IO.Path.Combine(DataDir, "work", $"{name}-{Guid.NewGuid():N}");
        var response = await Client.PostAsJsonAsync("/api/projects", new { name, path }).Bounded();
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<ProjectInfo>(Json).Bounded())!;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync().Bounded();
        await _app.DisposeAsync();
        _dataDir.Dispose();
    }
}

/// <summary>The fields of a project DTO that tests use.</summary>
public sealed record ProjectInfo(Guid Id, string Name, string Path, bool Archived);
