using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Wright.Core.Accounts;
using Wright.Server.Tests.Infrastructure;

namespace Wright.Server.Tests.Cluster;

/// <summary>
/// Revocations cut an access token at the next request, long before it expires: the clock is
/// manual and never moves past the token's 15 minutes, so only the revocation can refuse it.
/// </summary>
public sealed class RevocationTests
{
    [Fact]
    public async Task Logout_CutsTheAccessTokenAtTheNextRequest_ThoughItHasNotExpired()
    {
        var clock = new ManualTimeProvider();
        await using var server = await WrightTestServer.StartAsync(builder: b => b.Services.AddSingleton<TimeProvider>(clock));
        var login = await server.LoginAsync("admin", WrightTestServer.AdminPassword);
        var client = server.ClientWithToken(login.AccessToken);
        (await client.GetAsync("/api/projects").Bounded()).StatusCode.ShouldBe(HttpStatusCode.OK);

        clock.Advance(TimeSpan.FromMinutes(1));
        (await client.PostAsJsonAsync("/api/auth/logout", new { refreshToken = login.RefreshToken }).Bounded()).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        using var after = await client.GetAsync("/api/projects").Bounded();

        login.AccessTokenExpiresAt.ShouldBeGreaterThan(clock.GetUtcNow(), "the token has not expired");
        await after.ShouldBeProblemAsync(HttpStatusCode.Unauthorized, "token_expired");
    }

    [Fact]
    public async Task OtherLoginsOfTheSameUser_SurviveALogout()
    {
        var clock = new ManualTimeProvider();
        await using var server = await WrightTestServer.StartAsync(builder: b => b.Services.AddSingleton<TimeProvider>(clock));
        var first = await server.LoginAsync("admin", WrightTestServer.AdminPassword);
        var second = await server.LoginAsync("admin", WrightTestServer.AdminPassword);
        clock.Advance(TimeSpan.FromMinutes(1));

        (await server.ClientWithToken(first.AccessToken).PostAsJsonAsync("/api/auth/logout", new { refreshToken = first.RefreshToken }).Bounded()).StatusCode.ShouldBe(HttpStatusCode.NoContent);

        (await server.ClientWithToken(first.AccessToken).GetAsync("/api/projects").Bounded()).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await server.ClientWithToken(second.AccessToken).GetAsync("/api/projects").Bounded()).StatusCode.ShouldBe(HttpStatusCode.OK, "only the logged-out family ends");
    }

    [Fact]
    public async Task DisablingAUser_CutsTheirAccessTokenAtTheNextRequest()
    {
        var clock = new ManualTimeProvider();
        await using var server = await WrightTestServer.StartAsync(builder: b => b.Services.AddSingleton<TimeProvider>(clock));
        var (_, bob) = await server.CreateUserClientAsync("bob");
        clock.Advance(TimeSpan.FromMinutes(1));
        var login = await server.LoginAsync("bob", WrightTestServer.UserPassword);
        var client = server.ClientWithToken(login.AccessToken);
        (await client.GetAsync("/api/projects").Bounded()).StatusCode.ShouldBe(HttpStatusCode.OK);
        clock.Advance(TimeSpan.FromMinutes(1));

        (await server.Client.PatchAsJsonAsync($"/api/users/{bob.Id}", new { disabled = true }).Bounded()).StatusCode.ShouldBe(HttpStatusCode.OK);
        using var after = await client.GetAsync("/api/projects").Bounded();

        login.AccessTokenExpiresAt.ShouldBeGreaterThan(clock.GetUtcNow());
        await after.ShouldBeProblemAsync(HttpStatusCode.Unauthorized, "token_expired");
        (await server.AnonymousClient().PostAsJsonAsync("/api/auth/refresh", new { refreshToken = login.RefreshToken }).Bounded()).StatusCode.ShouldBe(HttpStatusCode.Unauthorized, "nor can bob refresh");
    }

    [Fact]
    public async Task ChangingARole_CutsTheOldToken_AndARefreshCarriesTheNewRole()
    {
        var clock = new ManualTimeProvider();
        await using var server = await WrightTestServer.StartAsync(builder: b => b.Services.AddSingleton<TimeProvider>(clock));
        var (_, bob) = await server.CreateUserClientAsync("bob", UserRole.Admin);
        clock.Advance(TimeSpan.FromMinutes(1));
        var login = await server.LoginAsync("bob", WrightTestServer.UserPassword);
        var client = server.ClientWithToken(login.AccessToken);
        (await client.GetAsync("/api/users").Bounded()).StatusCode.ShouldBe(HttpStatusCode.OK, "bob is an admin");
        clock.Advance(TimeSpan.FromMinutes(1));

        (await server.Client.PatchAsJsonAsync($"/api/users/{bob.Id}", new { role = "member" }).Bounded()).StatusCode.ShouldBe(HttpStatusCode.OK);
        using var after = await client.GetAsync("/api/users").Bounded();

        await after.ShouldBeProblemAsync(HttpStatusCode.Unauthorized, "token_expired");
        clock.Advance(TimeSpan.FromSeconds(1));
        using var refreshed = await server.AnonymousClient().PostAsJsonAsync("/api/auth/refresh", new { refreshToken = login.RefreshToken }).Bounded();
        refreshed.StatusCode.ShouldBe(HttpStatusCode.OK);
        var next = (await refreshed.Content.ReadFromJsonAsync<LoginResult>(WrightTestServer.Json).Bounded())!;
        next.User.Role.ShouldBe("member");
        var member = server.ClientWithToken(next.AccessToken);
        (await member.GetAsync("/api/projects").Bounded()).StatusCode.ShouldBe(HttpStatusCode.OK, "the refreshed token works");
        (await member.GetAsync("/api/users").Bounded()).StatusCode.ShouldBe(HttpStatusCode.Forbidden, "as a member");
    }

    [Fact]
    public async Task ReusingASpentRefreshToken_CutsTheFamilysAccessTokenAtTheNextRequest()
    {
        var clock = new ManualTimeProvider();
        await using var server = await WrightTestServer.StartAsync(builder: b => b.Services.AddSingleton<TimeProvider>(clock));
        var login = await server.LoginAsync("admin", WrightTestServer.AdminPassword);
        clock.Advance(TimeSpan.FromMinutes(1));
        using var first = await server.AnonymousClient().PostAsJsonAsync("/api/auth/refresh", new { refreshToken = login.RefreshToken }).Bounded();
        var rotated = (await first.Content.ReadFromJsonAsync<LoginResult>(WrightTestServer.Json).Bounded())!;
        var client = server.ClientWithToken(rotated.AccessToken);
        (await client.GetAsync("/api/projects").Bounded()).StatusCode.ShouldBe(HttpStatusCode.OK);

        // Long after any grace window for two tabs refreshing together: this is a stolen token.
        clock.Advance(TimeSpan.FromMinutes(5));
        (await server.AnonymousClient().PostAsJsonAsync("/api/auth/refresh", new { refreshToken = login.RefreshToken }).Bounded()).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        using var after = await client.GetAsync("/api/projects").Bounded();

        rotated.AccessTokenExpiresAt.ShouldBeGreaterThan(clock.GetUtcNow());
        await after.ShouldBeProblemAsync(HttpStatusCode.Unauthorized, "token_expired");
    }

    [Fact]
    public async Task RevocationsSavedBeforeAStart_AreLoadedFromTheDatabase()
    {
        var clock = new ManualTimeProvider();
        await using var first = await WrightTestServer.StartAsync(builder: b => b.Services.AddSingleton<TimeProvider>(clock));
        var login = await first.LoginAsync("admin", WrightTestServer.AdminPassword);
        clock.Advance(TimeSpan.FromMinutes(1));
        await first.Services.GetRequiredService<LoginService>().LogoutAsync(login.RefreshToken, null, null, CancellationToken.None).Bounded();

        // A second server on the same data directory (same database and key ring), as a restart would be.
        await using var second = await WrightTestServer.StartAsync(o => o.DataDir = first.DataDir, b => b.Services.AddSingleton<TimeProvider>(clock));
        using var response = await second.ClientWithToken(login.AccessToken).GetAsync("/api/projects").Bounded();

        await response.ShouldBeProblemAsync(HttpStatusCode.Unauthorized, "token_expired");
    }
}
