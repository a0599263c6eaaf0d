using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Wright.Core.Secrets;
using Wright.Server.Accounts;
using Wright.Server.Tests.Infrastructure;

namespace Wright.Server.Tests.Accounts;

/// <summary>Secrets stay out of logs and answers; keys stay owner-only; first start waits for setup.</summary>
public sealed partial class SecretsTests
{
    [Fact]
    public async Task Logs_ThroughLoginRefreshTokenUseAndSetup_NeverContainASecret()
    {
        var logs = new CapturingLoggerProvider();
        var clock = new ManualTimeProvider();
        await using var server = await WrightTestServer.StartAsync(
            o => o.AdminPassword = null,
            b =>
            {
                b.Services.AddSingleton<TimeProvider>(clock);
                b.Logging.AddProvider(logs);
                b.Logging.SetMinimumLevel(LogLevel.Trace);
            });
        var setupToken = server.Services.GetRequiredService<FirstAdminSetup>().PendingToken!;
        const string Password = "correct horse battery staple";
        var anonymous = server.AnonymousClient();
        (await anonymous.PostAsJsonAsync("/api/setup", new { token = setupToken, userName = "root", password = Password }).Bounded()).StatusCode.ShouldBe(HttpStatusCode.Created);
        (await anonymous.PostAsJsonAsync("/api/auth/login", new { userName = "root", password = "wrong " + Password }).Bounded()).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        var login = await server.LoginAsync("root", Password);
        var refreshed = await (await server.AnonymousClient().PostAsJsonAsync("/api/auth/refresh", new { refreshToken = login.RefreshToken }).Bounded()).Content.ReadFromJsonAsync<LoginResult>(WrightTestServer.Json).Bounded();
        var root = server.ClientWithToken(refreshed!.AccessToken);
        var pat = (await (await root.PostAsJsonAsync("/api/tokens", new { name = "ci" }).Bounded()).Content.ReadFromJsonAsync<JsonElement>().Bounded()).GetProperty("token").GetString()!;

        // Reusing the spent refresh token revokes the family, the access token just refreshed included.
        clock.Advance(TimeSpan.FromSeconds(31));
        (await server.AnonymousClient().PostAsJsonAsync("/api/auth/refresh", new { refreshToken = login.RefreshToken }).Bounded()).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await server.ClientWithToken(pat).GetAsync("/api/projects").Bounded()).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await server.ClientWithToken(pat + "x").GetAsync("/api/projects").Bounded()).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        var providerKey = "sk-live-0123456789abcdefghijklmnop";
        server.Services.GetRequiredService<ISecretProtector>().Protect("provider-keys", providerKey);

        var keyValues = Directory.EnumerateFiles(Path.Combine(server.DataDir, "keys"), "*.xml")
            .SelectMany(f => KeyValue().Matches(File.ReadAllText(f)).Select(m => m.Groups[1].Value))
            .ToList();
        keyValues.ShouldNotBeEmpty("a Data Protection key was made");
        var text = string.Join('\n', logs.Entries);
        logs.Entries.Count.ShouldBeGreaterThan(20, "Trace logging is captured");
        text.ShouldContain("Login of user");
        string[] secrets = [Password, setupToken, login.AccessToken, login.RefreshToken, refreshed.AccessToken, refreshed.RefreshToken, pat, providerKey, .. keyValues];
        foreach (var secret in secrets)
        {
            text.ShouldNotContain(secret);
        }

        // Not even a recognisable part of a token.
        text.ShouldNotContain(pat[..20]);
        text.ShouldNotContain(login.RefreshToken[..20]);
    }

    [Fact]
    public async Task FirstStart_WithoutAdminPassword_WaitsForSetupWithAOneTimeToken()
    {
        await using var server = await WrightTestServer.StartAsync(o => o.AdminPassword = null);
        var anonymous = server.AnonymousClient();
        var setup = server.Services.GetRequiredService<FirstAdminSetup>();
        var token = setup.PendingToken;
        token.ShouldNotBeNullOrEmpty();
        (await anonymous.GetFromJsonAsync<JsonElement>("/api/setup").Bounded()).GetProperty("required").GetBoolean().ShouldBeTrue();

        using var wrong = await anonymous.PostAsJsonAsync("/api/setup", new { token = "guess", userName = "eve", password = "eve-password" }).Bounded();
        await wrong.ShouldBeProblemAsync(HttpStatusCode.Forbidden, "setup_token_invalid");
        using var right = await anonymous.PostAsJsonAsync("/api/setup", new { token, userName = "root", password = "root-password" }).Bounded();
        right.StatusCode.ShouldBe(HttpStatusCode.Created);
        using var again = await anonymous.PostAsJsonAsync("/api/setup", new { token, userName = "eve", password = "eve-password" }).Bounded();

        await again.ShouldBeProblemAsync(HttpStatusCode.Conflict, "setup_unavailable");
        setup.PendingToken.ShouldBeNull();
        (await anonymous.GetFromJsonAsync<JsonElement>("/api/setup").Bounded()).GetProperty("required").GetBoolean().ShouldBeFalse();
        (await server.LoginAsync("root", "root-password")).User.Role.ShouldBe("admin");
    }

    [Fact]
    public async Task SecretProtector_RoundTripsAndShowsOnlyAMaskedHint()
    {
        await using var server = await WrightTestServer.StartAsync();
        var protector = server.Services.GetRequiredService<ISecretProtector>();
        const string Key = "sk-ant-api03-abcdefghijklmnopqrstuvwxyz-WXYZ";

        var stored = protector.Protect("provider-keys", Key);

        stored.Ciphertext.ShouldNotContain(Key);
        stored.Ciphertext.ShouldNotContain("abcdefghijklmnop");
        stored.Hint.ShouldBe("sk-…WXYZ");
        protector.Unprotect("provider-keys", stored.Ciphertext).ShouldBe(Key);
        Should.Throw<System.Security.Cryptography.CryptographicException>(() => protector.Unprotect("other-purpose", stored.Ciphertext));
        SecretHint.Mask("short").ShouldBe("…");
    }

    [Fact]
    public async Task SecretProtector_OfAnotherDataDirectory_CannotDecrypt()
    {
        await using var first = await WrightTestServer.StartAsync();
        await using var second = await WrightTestServer.StartAsync();
        var stored = first.Services.GetRequiredService<ISecretProtector>().Protect("provider-keys", "sk-0123456789abcdefghijklmnop");

        Should.Throw<System.Security.Cryptography.CryptographicException>(() => second.Services.GetRequiredService<ISecretProtector>().Unprotect("provider-keys", stored.Ciphertext));
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task DataProtectionKeys_OnDisk_AreReadableByTheOwnerOnly()
    {
        await using var server = await WrightTestServer.StartAsync();
        server.Services.GetRequiredService<ISecretProtector>().Protect("test", "a secret value");
        var keys = Path.Combine(server.DataDir, "keys");

        File.GetUnixFileMode(keys).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var files = Directory.GetFiles(keys, "*.xml");
        files.ShouldNotBeEmpty();
        files.ShouldAllBe(f => File.GetUnixFileMode(f) == (UnixFileMode.UserRead | UnixFileMode.UserWrite));
    }

    [GeneratedRegex("<value>([^<]+)</value>")]
    private static partial Regex KeyValue();
}
