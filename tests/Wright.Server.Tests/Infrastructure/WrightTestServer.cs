using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Wright.Core.Accounts;
using Wright.Server.Accounts;
using Wright.Server.Hosting;

namespace Wright.Server.Tests.Infrastructure;

/// <summary>
/// A real Wright server for one test: Kestrel on 127.0.0.1:0, its own data directory and SQLite
/// database (or the PostgreSQL database given), driven over real HTTP. It starts with the admin
/// <c>admin</c> (<see cref="AdminPassword"/>), and <see cref="Client"/> acts as that admin with a
/// bearer access token; <see cref="CreateUserClientAsync"/> makes more users.
/// </summary>
public sealed class WrightTestServer : IAsyncDisposable
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>The password of <c>admin</c> on every test server (WRIGHT_ADMIN_PASSWORD).</summary>
    public const string AdminPassword = "admin-password-for-tests";

    /// <summary>The password <see cref="CreateUserClientAsync"/> gives every user it makes.</summary>
    public const string UserPassword = "user-password-for-tests";

    private readonly TempDirectory _dataDir;
    private readonly WebApplication _app;

    private readonly List<HttpClient> _clients = [];

    private readonly User? _admin;

    private WrightTestServer(TempDirectory dataDir, WebApplication app, Uri baseAddress, User? admin)
    {
        _dataDir = dataDir;
        _app = app;
        BaseAddress = baseAddress;
        _admin = admin;
        Client = admin is null ? AnonymousClient() : ClientWithToken(IssueAccessToken(admin));
    }

    /// <summary>The admin <see cref="Client"/> acts as (absent when a test starts without WRIGHT_ADMIN_PASSWORD; then Client is anonymous).</summary>
    public User Admin => _admin ?? throw new InvalidOperationException("This test server was started without an admin.");

    public Uri BaseAddress { get; }

    public HttpClient Client { get; }

    public string DataDir => _dataDir.Path;

    public IServiceProvider Services => _app.Services;

    /// <summary>Starts a server; <paramref name="configure"/> adjusts options (for example MaxFileBytes) before it builds.</summary>
    public static async Task<WrightTestServer> StartAsync(Action<ServerOptions>? configure = null, Action<WebApplicationBuilder>? builder = null, Action<IEndpointRouteBuilder>? mapApi = null)
    {
        var dataDir = new TempDirectory("wright-data");
        var options = new ServerOptions { Port = 0, DataDir = dataDir.Path, AdminPassword = AdminPassword, ReadsEnvironment = false };
        configure?.Invoke(options);
        var app = WrightServer.Build(options, b =>
        {
            b.Logging.ClearProviders();
            b.Logging.SetMinimumLevel(LogLevel.Warning);
            builder?.Invoke(b);
        }, mapApi);
        Uri address;
        try
        {
            address = await WrightServer.StartAsync(app, CancellationToken.None).Bounded();
        }
        catch
        {
            // A start the test expects to fail (bad settings) leaves nothing behind.
            await app.DisposeAsync();
            dataDir.Dispose();
            throw;
        }

        var admin = await app.Services.GetRequiredService<IUserRepository>().FindByNameAsync(FirstAdminSetup.AdminUserName, CancellationToken.None).Bounded();
        return new WrightTestServer(dataDir, app, address, admin);
    }

    /// <summary>Logs <paramref name="client"/> in as the admin that WRIGHT_ADMIN_PASSWORD created (for child `wright serve` processes) and sends its access token from then on.</summary>
    public static async Task LogInAsAdminAsync(HttpClient client)
    {
        using var response = await client.PostAsJsonAsync("/api/auth/login", new { userName = "admin", password = AdminPassword }).Bounded();
        response.EnsureSuccessStatusCode();
        using var login = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync().Bounded());
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", login.RootElement.GetProperty("accessToken").GetString());
    }

    /// <summary>A client without credentials.</summary>
    public HttpClient AnonymousClient() => Track(new HttpClient { BaseAddress = BaseAddress, Timeout = TestTimeouts.Default });

    /// <summary>A client that sends <paramref name="token"/> (access or personal access token) as a bearer token.</summary>
    public HttpClient ClientWithToken(string token)
    {
        var client = AnonymousClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    /// <summary>An access token for <paramref name="user"/> made by the server's own token format (no login, no rate limit).</summary>
    public string IssueAccessToken(User user) => Services.GetRequiredService<AccessTokenFormat>().Issue(user, Guid.NewGuid()).Token;

    /// <summary>Creates a user (password <see cref="UserPassword"/>) and a client acting as them.</summary>
    public async Task<(HttpClient Client, User User)> CreateUserClientAsync(string userName, UserRole role = UserRole.Member)
    {
        var user = await Services.GetRequiredService<UserService>().CreateAsync(Actor.CommandLine, userName, UserPassword, role, CancellationToken.None).Bounded();
        return (ClientWithToken(IssueAccessToken(user)), user);
    }

    /// <summary>Logs in through the API with an anonymous client; the response must be 200.</summary>
    public async Task<LoginResult> LoginAsync(string userName, string password)
    {
        using var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TestTimeouts.Default };
        var response = await client.PostAsJsonAsync("/api/auth/login", new { userName, password }).Bounded();
        var body = await response.Content.ReadAsStringAsync().Bounded();
        response.EnsureSuccessStatusCode();
        return JsonSerializer.Deserialize<LoginResult>(body, Json)!;
    }

    /// <summary>Creates a project through the API in a fresh directory of this server's own.</summary>
    public async Task<ProjectInfo> CreateProjectAsync(string name = "demo")
    {
        var path = System.IO.Path.Combine(DataDir, "projects", $"{name}-{Guid.NewGuid():N}");
        var response = await Client.PostAsJsonAsync("/api/projects", new { name, path }).Bounded();
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<ProjectInfo>(Json).Bounded())!;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        foreach (var client in _clients)
        {
            client.Dispose();
        }

        await _app.StopAsync().Bounded();
        await _app.DisposeAsync();
        _dataDir.Dispose();
    }

    private HttpClient Track(HttpClient client)
    {
        lock (_clients)
        {
            _clients.Add(client);
        }

        return client;
    }
}

/// <summary>A login answer as tests read it.</summary>
public sealed record LoginResult(LoginUser User, string AccessToken, DateTimeOffset AccessTokenExpiresAt, string RefreshToken, DateTimeOffset RefreshTokenExpiresAt);

/// <summary>The user of a login answer.</summary>
public sealed record LoginUser(Guid Id, string UserName, string Role, bool Disabled);

/// <summary>The fields of a project DTO that tests use.</summary>
public sealed record ProjectInfo(Guid Id, string Name, string Path, bool Archived);
