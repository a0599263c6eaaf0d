using System.Net;
using System.Net.Http.Json;
using Wright.Server.Tests.Infrastructure;

namespace Wright.Server.Tests.Cli;

/// <summary>`wright user …` and `wright token create` on a data directory, and a server that uses what they made.</summary>
public sealed class AccountCommandTests
{
    [Fact]
    public async Task UserAddListPasswdDisable_OnTheDataDirectory_ManageUsers()
    {
        using var home = new TempDirectory("wright-cli");
        var dataDir = home.Combine("data");

        var add = await WrightProcess.RunAsync(home.Path, ["user", "add", "alice", "--admin", "--password-stdin", "--data-dir", dataDir], stdin: "alice-password\n");
        add.ExitCode.ShouldBe(0, add.Stderr);
        add.Stdout.ShouldContain("Added admin 'alice'");
        add.Stdout.ShouldNotContain("alice-password");
        var taken = await WrightProcess.RunAsync(home.Path, ["user", "add", "ALICE", "--password-stdin", "--data-dir", dataDir], stdin: "other-password\n");
        taken.ExitCode.ShouldBe(1);
        taken.Stderr.ShouldContain("user_name_taken");
        (await WrightProcess.RunAsync(home.Path, ["user", "passwd", "alice", "--password-stdin", "--data-dir", dataDir], stdin: "new-alice-password\n")).ExitCode.ShouldBe(0);
        (await WrightProcess.RunAsync(home.Path, ["user", "add", "bob", "--password-stdin", "--data-dir", dataDir], stdin: "bob-password\n")).ExitCode.ShouldBe(0);
        (await WrightProcess.RunAsync(home.Path, ["user", "disable", "bob", "--data-dir", dataDir])).ExitCode.ShouldBe(0);

        var list = await WrightProcess.RunAsync(home.Path, ["user", "list", "--data-dir", dataDir]);

        list.ExitCode.ShouldBe(0, list.Stderr);
        var lines = list.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.ShouldContain(l => l.StartsWith("alice ", StringComparison.Ordinal) && l.Contains("admin") && l.Contains("active"));
        lines.ShouldContain(l => l.StartsWith("bob ", StringComparison.Ordinal) && l.Contains("member") && l.Contains("disabled"));
    }

    [Fact]
    public async Task UserAdd_WithoutPasswordStdin_IsAUsageError()
    {
        using var home = new TempDirectory("wright-cli");

        var (exitCode, _, stderr) = await WrightProcess.RunAsync(home.Path, ["user", "add", "alice", "--data-dir", home.Combine("data")]);

        exitCode.ShouldBe(2);
        stderr.ShouldContain("--password-stdin");
    }

    [Fact]
    public async Task TokenCreate_PrintsATokenTheServerAccepts()
    {
        using var home = new TempDirectory("wright-cli");
        var dataDir = home.Combine("data");
        (await WrightProcess.RunAsync(home.Path, ["user", "add", "admin", "--admin", "--password-stdin", "--data-dir", dataDir], stdin: "admin-password\n")).ExitCode.ShouldBe(0);

        var (exitCode, stdout, stderr) = await WrightProcess.RunAsync(home.Path, ["token", "create", "ci", "--data-dir", dataDir]);

        exitCode.ShouldBe(0, stderr);
        var token = stdout.Trim();
        token.ShouldStartWith("wright_pat_");
        await using var server = WrightProcess.Start(home.Path, ["serve", "--port", "0", "--data-dir", dataDir]);
        var url = await server.WaitForUrlAsync();
        server.Stdout.ShouldNotContain("setup?token=", customMessage: "users exist: no setup URL");
        using var client = new HttpClient { BaseAddress = url, Timeout = TestTimeouts.Default };
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        using var projects = await client.GetAsync("/api/projects").Bounded();
        projects.StatusCode.ShouldBe(HttpStatusCode.OK);
        server.Signal(WrightProcess.SigTerm);
        (await server.WaitForExitAsync()).ShouldBe(0, server.Stderr);
    }

    [Fact]
    public async Task Serve_FirstStartWithoutUsers_PrintsASetupUrlThatCreatesTheAdmin()
    {
        using var home = new TempDirectory("wright-cli");
        await using var server = WrightProcess.Start(home.Path, ["serve", "--port", "0", "--data-dir", home.Combine("data")]);
        var url = await server.WaitForUrlAsync();

        var line = await server.WaitForLineAsync(l => l.Contains("setup?token=", StringComparison.Ordinal));

        var token = line[(line.IndexOf("setup?token=", StringComparison.Ordinal) + "setup?token=".Length)..].Trim();
        using var client = new HttpClient { BaseAddress = url, Timeout = TestTimeouts.Default };
        using var setup = await client.PostAsJsonAsync("/api/setup", new { token, userName = "root", password = "root-password" }).Bounded();
        setup.StatusCode.ShouldBe(HttpStatusCode.Created);
        server.Signal(WrightProcess.SigTerm);
        (await server.WaitForExitAsync()).ShouldBe(0, server.Stderr);
        server.Stderr.ShouldNotContain(token);
    }
}
