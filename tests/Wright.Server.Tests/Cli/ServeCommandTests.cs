using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Wright.Server.Tests.Infrastructure;
using Wright.Storage.Database;

namespace Wright.Server.Tests.Cli;

/// <summary>`wright serve` as a real process: start, answer, stop on a signal, and refuse to start with one clear line.</summary>
public sealed class ServeCommandTests
{
    [Theory]
    [InlineData(WrightProcess.SigTerm)]
    [InlineData(WrightProcess.SigInt)]
    public async Task Serve_StopSignal_PrintsUrlAnswersAndExitsZero(int signal)
    {
        using var home = new TempDirectory("wright-cli");
        var dataDir = home.Combine("data");
        await using var wright = WrightProcess.Start(home.Path, ["serve", "--port", "0", "--data-dir", dataDir]);

        var url = await wright.WaitForUrlAsync();
        url.Host.ShouldBe("127.0.0.1");
        url.Port.ShouldNotBe(0);
        using (var client = new HttpClient { BaseAddress = url, Timeout = TestTimeouts.Default })
        {
            var health = await client.GetFromJsonAsync<JsonElement>("/health").Bounded();
            health.GetProperty("status").GetString().ShouldBe("ok");
        }

        wright.Signal(signal);

        (await wright.WaitForExitAsync()).ShouldBe(0, wright.Stderr);
        File.Exists(Path.Combine(dataDir, "wright.db")).ShouldBeTrue("--data-dir holds the SQLite database");
        wright.Stdout.ShouldNotContain("Content root path");
        wright.Stderr.ShouldBeEmpty();
    }

    [Fact]
    public async Task Serve_WithoutDataDir_UsesWrightHome()
    {
        using var home = new TempDirectory("wright-cli");
        var wrightHome = home.Combine("wright-home");
        await using var wright = WrightProcess.Start(home.Path, ["serve", "--port", "0"], new Dictionary<string, string> { ["WRIGHT_HOME"] = wrightHome });

        await wright.WaitForUrlAsync();
        wright.Signal(WrightProcess.SigTerm);

        (await wright.WaitForExitAsync()).ShouldBe(0, wright.Stderr);
        File.Exists(Path.Combine(wrightHome, "wright.db")).ShouldBeTrue();
        Directory.Exists(Path.Combine(home.Path, ".wright")).ShouldBeFalse("WRIGHT_HOME replaces ~/.wright");
    }

    [Fact]
    public async Task Serve_WrightMaxFileBytesSetting_LimitsFileWrites()
    {
        using var home = new TempDirectory("wright-cli");
        var environment = new Dictionary<string, string>
        {
            ["Wright__MaxFileBytes"] = "16",
            ["WRIGHT_ADMIN_PASSWORD"] = WrightTestServer.AdminPassword,
        };
        await using var wright = WrightProcess.Start(home.Path, ["serve", "--port", "0", "--data-dir", home.Combine("data")], environment);
        using var client = new HttpClient { BaseAddress = await wright.WaitForUrlAsync(), Timeout = TestTimeouts.Default };
        await WrightTestServer.LogInAsAdminAsync(client);
        var created = await client.PostAsJsonAsync("/api/projects", new { name = "limits", path = home.Combine("projects", "limits") }).Bounded();
        created.EnsureSuccessStatusCode();
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>().Bounded()).GetProperty("id").GetGuid();

        using var small = await client.PutAsJsonAsync($"/api/projects/{id}/files/small.txt", new { content = "0123456789" }).Bounded();
        using var large = await client.PutAsJsonAsync($"/api/projects/{id}/files/large.txt", new { content = "0123456789abcdefghij" }).Bounded();

        small.StatusCode.ShouldBe(System.Net.HttpStatusCode.Created);
        await large.ShouldBeProblemAsync(System.Net.HttpStatusCode.RequestEntityTooLarge, "file_too_large");
        wright.Signal(WrightProcess.SigTerm);
        (await wright.WaitForExitAsync()).ShouldBe(0, wright.Stderr);
    }

    [Fact]
    public async Task Serve_NonLoopbackHostWithoutAllowRemote_ExitsTwoBeforeTouchingAnything()
    {
        using var home = new TempDirectory("wright-cli");
        var dataDir = home.Combine("data");

        var (exitCode, stdout, stderr) = await WrightProcess.RunAsync(home.Path, ["serve", "--host", "0.0.0.0", "--port", "0", "--data-dir", dataDir]);

        exitCode.ShouldBe(2, stdout + stderr);
        stderr.ShouldContain("--host 0.0.0.0 is not a loopback address");
        stderr.ShouldContain("--allow-remote");
        stdout.ShouldNotContain("Wright is listening");
        Directory.Exists(dataDir).ShouldBeFalse();
    }

    [Fact]
    public async Task Serve_AllowRemoteWithoutTls_ExitsTwoNamingTheWaysOut()
    {
        using var home = new TempDirectory("wright-cli");
        var dataDir = home.Combine("data");

        var (exitCode, stdout, stderr) = await WrightProcess.RunAsync(home.Path, ["serve", "--host", "0.0.0.0", "--allow-remote", "--port", "0", "--data-dir", dataDir]);

        exitCode.ShouldBe(2, stdout + stderr);
        stderr.ShouldContain("needs HTTPS");
        stderr.ShouldContain("--tls-cert");
        stderr.ShouldContain("--insecure-remote");
        Directory.Exists(dataDir).ShouldBeFalse();
    }

    [Fact]
    public async Task Serve_SeveralBadSettings_ListsEveryProblemAndExitsTwo()
    {
        using var home = new TempDirectory("wright-cli");
        var notADirectory = home.Combine("file");
        await File.WriteAllTextAsync(notADirectory, "not a directory");

        var (exitCode, _, stderr) = await WrightProcess.RunAsync(
            home.Path,
            ["serve", "--host", "10.1.2.3", "--port", "70000", "--data-dir", notADirectory, "--database", "mysql://db/wright"]);

        exitCode.ShouldBe(2, stderr);
        stderr.ShouldContain("the configuration has 4 problems");
        stderr.ShouldContain("--host 10.1.2.3");
        stderr.ShouldContain("--port must be between 0 and 65535 (got 70000)");
        stderr.ShouldContain($"--data-dir (WRIGHT_HOME) {notADirectory} is a file");
        stderr.ShouldContain("--database (WRIGHT_DATABASE) must be a postgres://");
    }

    [Fact]
    public async Task Serve_DatabaseFromNewerWright_PrintsOneLineAndExitsOne()
    {
        using var home = new TempDirectory("wright-cli");
        var dataDir = home.Combine("data");
        await using (var database = WrightDatabase.Create(null, dataDir))
        {
            await new Migrator(database, NullLogger<Migrator>.Instance).MigrateAsync(CancellationToken.None).Bounded();
            await using var connection = await database.OpenAsync(CancellationToken.None).Bounded();
            await using var command = connection.CreateCommand();
            command.CommandText = "INSERT INTO schema_migrations (version, name, applied_at_ms) VALUES (9999, 'from_the_future', 1)";
            await command.ExecuteNonQueryAsync().Bounded();
        }

        var (exitCode, stdout, stderr) = await WrightProcess.RunAsync(home.Path, ["serve", "--port", "0", "--data-dir", dataDir]);

        exitCode.ShouldBe(1, stdout + stderr);
        var line = stderr.Trim();
        line.Split('\n').Length.ShouldBe(1, stderr);
        line.ShouldStartWith("wright: ");
        line.ShouldContain("schema version 9999");
        line.ShouldContain("(database_too_new)");
        stdout.ShouldNotContain("Wright is listening");
        (stdout + stderr).ShouldNotContain("   at ");
    }

    [Fact]
    public async Task Serve_PortInUse_PrintsOneLineAndExitsOne()
    {
        using var home = new TempDirectory("wright-cli");
        using var occupant = new TcpListener(IPAddress.Loopback, 0);
        occupant.Start();
        var port = ((IPEndPoint)occupant.LocalEndpoint).Port;

        var (exitCode, stdout, stderr) = await WrightProcess.RunAsync(home.Path, ["serve", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--data-dir", home.Combine("data")]);

        exitCode.ShouldBe(1, stdout + stderr);
        var line = stderr.Trim();
        line.Split('\n').Length.ShouldBe(1, stderr);
        line.ShouldBe($"wright: cannot listen on 127.0.0.1:{port}: the address is already in use. Stop the other server or pick another --port.");
        (stdout + stderr).ShouldNotContain("   at ");
    }

    [Fact]
    public async Task Serve_UnreachablePostgres_PrintsOneLineAndExitsOne()
    {
        using var home = new TempDirectory("wright-cli");

        // A port that was free a moment ago: nothing listens there, so the connection is refused.
        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }

        var (exitCode, stdout, stderr) = await WrightProcess.RunAsync(
            home.Path,
            ["serve", "--port", "0", "--data-dir", home.Combine("data"), "--database", $"postgres://wright:s3cret@127.0.0.1:{port}/wright"]);

        exitCode.ShouldBe(1, stdout + stderr);
        var line = stderr.Trim();
        line.Split('\n').Length.ShouldBe(1, stderr);
        line.ShouldStartWith($"wright: cannot open postgres://127.0.0.1:{port}/wright: ");
        line.ShouldContain("Check --database");
        line.ShouldNotContain("s3cret");
        (stdout + stderr).ShouldNotContain("   at ");
    }

    [PostgresFact]
    public async Task Serve_WrightDatabaseVariable_UsesPostgres()
    {
        using var home = new TempDirectory("wright-cli");
        var dataDir = home.Combine("data");
        await using var postgres = await PostgresTestDatabase.CreateAsync();
        await using var wright = WrightProcess.Start(home.Path, ["serve", "--port", "0", "--data-dir", dataDir], new Dictionary<string, string> { ["WRIGHT_DATABASE"] = postgres.Url });

        await wright.WaitForUrlAsync();
        wright.Signal(WrightProcess.SigTerm);

        (await wright.WaitForExitAsync()).ShouldBe(0, wright.Stderr);
        (await postgres.RecordedMigrationsAsync()).ShouldNotBeEmpty();
        File.Exists(Path.Combine(dataDir, "wright.db")).ShouldBeFalse();
    }

    [PostgresFact]
    public async Task Serve_DatabaseFlag_UsesPostgresAndWinsOverTheVariable()
    {
        using var home = new TempDirectory("wright-cli");
        var dataDir = home.Combine("data");
        await using var postgres = await PostgresTestDatabase.CreateAsync();
        await using var wright = WrightProcess.Start(
            home.Path,
            ["serve", "--port", "0", "--data-dir", dataDir, "--database", postgres.Url],
            new Dictionary<string, string> { ["WRIGHT_DATABASE"] = "mysql://not-used/wright" });

        await wright.WaitForUrlAsync();
        wright.Signal(WrightProcess.SigTerm);

        (await wright.WaitForExitAsync()).ShouldBe(0, wright.Stderr);
        (await postgres.RecordedMigrationsAsync()).ShouldNotBeEmpty();
        File.Exists(Path.Combine(dataDir, "wright.db")).ShouldBeFalse();
    }
}
