using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Wright.Core.Accounts;
using Wright.Server.Tests.Infrastructure;

namespace Wright.Server.Tests.Accounts;

/// <summary>Password login, refresh rotation and reuse detection, logout, expiry and lockout.</summary>
public sealed class LoginTests
{
    [Fact]
    public async Task Login_RightPassword_ReturnsUserTokensAndStrictHttpOnlyCookies()
    {
        await using var server = await WrightTestServer.StartAsync();

        using var response = await server.AnonymousClient().PostAsJsonAsync("/api/auth/login", new { userName = "admin", password = WrightTestServer.AdminPassword }).Bounded();

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var login = (await response.Content.ReadFromJsonAsync<LoginResult>(WrightTestServer.Json).Bounded())!;
        login.User.UserName.ShouldBe("admin");
        login.User.Role.ShouldBe("admin");
        login.AccessToken.ShouldStartWith("wright_at_");
        login.RefreshToken.ShouldStartWith("wright_rt_");
        (login.AccessTokenExpiresAt - DateTimeOffset.UtcNow).ShouldBeInRange(TimeSpan.FromMinutes(14), TimeSpan.FromMinutes(15));
        (login.RefreshTokenExpiresAt - DateTimeOffset.UtcNow).ShouldBeInRange(TimeSpan.FromDays(13.9), TimeSpan.FromDays(14));
        var cookies = response.Headers.GetValues("Set-Cookie").ToList();
        cookies.ShouldContain(c => c.StartsWith("wright_access=", StringComparison.Ordinal) && c.Contains("httponly") && c.Contains("samesite=strict") && c.Contains("path=/;"));
        cookies.ShouldContain(c => c.StartsWith("wright_refresh=", StringComparison.Ordinal) && c.Contains("httponly") && c.Contains("samesite=strict") && c.Contains("path=/api/auth"));
        using var me = await server.ClientWithToken(login.AccessToken).GetAsync("/api/auth/me").Bounded();
        (await me.Content.ReadFromJsonAsync<JsonElement>().Bounded()).GetProperty("userName").GetString().ShouldBe("admin");
    }

    [Fact]
    public async Task Login_WrongPasswordOrUnknownUser_SameInvalidCredentialsAnswer()
    {
        await using var server = await WrightTestServer.StartAsync();
        var client = server.AnonymousClient();

        using var wrongPassword = await client.PostAsJsonAsync("/api/auth/login", new { userName = "admin", password = "not-the-password" }).Bounded();
        using var unknownUser = await client.PostAsJsonAsync("/api/auth/login", new { userName = "nobody", password = "not-the-password" }).Bounded();

        var first = await wrongPassword.ShouldBeProblemAsync(HttpStatusCode.Unauthorized, "invalid_credentials");
        var second = await unknownUser.ShouldBeProblemAsync(HttpStatusCode.Unauthorized, "invalid_credentials");
        second.GetProperty("detail").GetString().ShouldBe(first.GetProperty("detail").GetString());
        wrongPassword.Headers.Contains("Set-Cookie").ShouldBeFalse();
    }

    [Fact]
    public async Task Login_TooManyAttemptsForOneUserName_Returns429WithRetryAfter()
    {
        await using var server = await WrightTestServer.StartAsync(builder: b => b.Services.Configure<AccountsOptions>(o => o.LoginAttemptsPerUserName = 3));
        var client = server.AnonymousClient();
        for (var i = 0; i < 3; i++)
        {
            using var refused = await client.PostAsJsonAsync("/api/auth/login", new { userName = "admin", password = "guess-" + i }).Bounded();
            refused.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        }

        using var limited = await client.PostAsJsonAsync("/api/auth/login", new { userName = "ADMIN", password = WrightTestServer.AdminPassword }).Bounded();

        await limited.ShouldBeProblemAsync(HttpStatusCode.TooManyRequests, "rate_limited");
        limited.Headers.RetryAfter.ShouldNotBeNull();
        limited.Headers.RetryAfter!.Delta!.Value.ShouldBeGreaterThan(TimeSpan.Zero);
        using var otherUser = await client.PostAsJsonAsync("/api/auth/login", new { userName = "someone-else", password = "whatever-it-is" }).Bounded();
        otherUser.StatusCode.ShouldBe(HttpStatusCode.Unauthorized, "the limit is per user name");
    }

    [Fact]
    public async Task Login_TooManyAttemptsFromOneAddress_Returns429WhateverTheName()
    {
        await using var server = await WrightTestServer.StartAsync(builder: b => b.Services.Configure<AccountsOptions>(o => o.LoginAttemptsPerAddress = 3));
        var client = server.AnonymousClient();
        for (var i = 0; i < 3; i++)
        {
            using var refused = await client.PostAsJsonAsync("/api/auth/login", new { userName = "user" + i, password = "guess-guess" }).Bounded();
            refused.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        }

        using var limited = await client.PostAsJsonAsync("/api/auth/login", new { userName = "admin", password = WrightTestServer.AdminPassword }).Bounded();

        await limited.ShouldBeProblemAsync(HttpStatusCode.TooManyRequests, "rate_limited");
    }

    [Fact]
    public async Task AccessToken_AfterItsLifetime_IsRefusedAsExpiredAndRefreshGivesAWorkingOne()
    {
        var clock = new ManualTimeProvider();
        await using var server = await WrightTestServer.StartAsync(builder: b => b.Services.AddSingleton<TimeProvider>(clock));
        var login = await server.LoginAsync("admin", WrightTestServer.AdminPassword);
        var client = server.ClientWithToken(login.AccessToken);
        (await client.GetAsync("/api/projects").Bounded()).StatusCode.ShouldBe(HttpStatusCode.OK);

        clock.Advance(TimeSpan.FromMinutes(14));
        (await client.GetAsync("/api/projects").Bounded()).StatusCode.ShouldBe(HttpStatusCode.OK, "still inside 15 minutes");
        clock.Advance(TimeSpan.FromMinutes(1));
        using var expired = await client.GetAsync("/api/projects").Bounded();

        await expired.ShouldBeProblemAsync(HttpStatusCode.Unauthorized, "token_expired");
        var refreshed = await RefreshAsync(server, login.RefreshToken);
        refreshed.StatusCode.ShouldBe(HttpStatusCode.OK);
        var next = (await refreshed.Content.ReadFromJsonAsync<LoginResult>(WrightTestServer.Json).Bounded())!;
        (await server.ClientWithToken(next.AccessToken).GetAsync("/api/projects").Bounded()).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task RefreshToken_AfterItsLifetime_IsRefused()
    {
        var clock = new ManualTimeProvider();
        await using var server = await WrightTestServer.StartAsync(builder: b => b.Services.AddSingleton<TimeProvider>(clock));
        var login = await server.LoginAsync("admin", WrightTestServer.AdminPassword);

        clock.Advance(TimeSpan.FromDays(14));
        using var response = await RefreshAsync(server, login.RefreshToken);

        await response.ShouldBeProblemAsync(HttpStatusCode.Unauthorized, "refresh_token_invalid");
    }

    [Fact]
    public async Task Refresh_RotatesTheToken_TheOldOneIsSingleUse()
    {
        await using var server = await WrightTestServer.StartAsync();
        var login = await server.LoginAsync("admin", WrightTestServer.AdminPassword);

        using var first = await RefreshAsync(server, login.RefreshToken);
        first.StatusCode.ShouldBe(HttpStatusCode.OK);
        var rotated = (await first.Content.ReadFromJsonAsync<LoginResult>(WrightTestServer.Json).Bounded())!;
        rotated.RefreshToken.ShouldNotBe(login.RefreshToken);
        rotated.AccessToken.ShouldNotBe(login.AccessToken);
        using var second = await RefreshAsync(server, rotated.RefreshToken);

        second.StatusCode.ShouldBe(HttpStatusCode.OK, "the new token works once");
    }

    [Fact]
    public async Task Refresh_WithAnAlreadyUsedToken_RevokesTheWholeFamilyAndAuditsIt()
    {
        var clock = new ManualTimeProvider();
        await using var server = await WrightTestServer.StartAsync(builder: b => b.Services.AddSingleton<TimeProvider>(clock));
        var login = await server.LoginAsync("admin", WrightTestServer.AdminPassword);
        using var legitimate = await RefreshAsync(server, login.RefreshToken);
        var rotated = (await legitimate.Content.ReadFromJsonAsync<LoginResult>(WrightTestServer.Json).Bounded())!;
        clock.Advance(TimeSpan.FromSeconds(31));

        using var replay = await RefreshAsync(server, login.RefreshToken);

        await replay.ShouldBeProblemAsync(HttpStatusCode.Unauthorized, "refresh_token_reused");
        using var afterReuse = await RefreshAsync(server, rotated.RefreshToken);
        await afterReuse.ShouldBeProblemAsync(HttpStatusCode.Unauthorized, "refresh_token_invalid");
        var otherLogin = await server.LoginAsync("admin", WrightTestServer.AdminPassword);
        (await RefreshAsync(server, otherLogin.RefreshToken)).StatusCode.ShouldBe(HttpStatusCode.OK, "other logins of the user are other families");
        var audit = await server.Client.GetFromJsonAsync<JsonElement>("/api/audit").Bounded();
        audit.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("action").GetString()).ShouldContain("refresh.reused");
    }

    [Fact]
    public async Task Logout_WithRefreshToken_EndsTheFamily()
    {
        await using var server = await WrightTestServer.StartAsync();
        var login = await server.LoginAsync("admin", WrightTestServer.AdminPassword);

        using var logout = await server.AnonymousClient().PostAsJsonAsync("/api/auth/logout", new { refreshToken = login.RefreshToken }).Bounded();

        logout.StatusCode.ShouldBe(HttpStatusCode.NoContent);
        logout.Headers.GetValues("Set-Cookie").ShouldContain(c => c.StartsWith("wright_refresh=;", StringComparison.Ordinal));
        using var refresh = await RefreshAsync(server, login.RefreshToken);
        await refresh.ShouldBeProblemAsync(HttpStatusCode.Unauthorized, "refresh_token_invalid");
    }

    [Fact]
    public async Task Logout_WithOnlyTheAccessToken_EndsItsFamily()
    {
        await using var server = await WrightTestServer.StartAsync();
        var login = await server.LoginAsync("admin", WrightTestServer.AdminPassword);

        using var logout = await server.ClientWithToken(login.AccessToken).PostAsync("/api/auth/logout", null).Bounded();

        logout.StatusCode.ShouldBe(HttpStatusCode.NoContent);
        using var refresh = await RefreshAsync(server, login.RefreshToken);
        await refresh.ShouldBeProblemAsync(HttpStatusCode.Unauthorized, "refresh_token_invalid");
    }

    [Fact]
    public async Task DisabledUser_AtTheNextRefresh_IsLockedOutAndCannotLogInOrUseTokens()
    {
        await using var server = await WrightTestServer.StartAsync();
        var (_, bob) = await server.CreateUserClientAsync("bob");
        var login = await server.LoginAsync("bob", WrightTestServer.UserPassword);
        var bobClient = server.ClientWithToken(login.AccessToken);
        var pat = (await (await bobClient.PostAsJsonAsync("/api/tokens", new { name = "ci" }).Bounded()).Content.ReadFromJsonAsync<JsonElement>().Bounded()).GetProperty("token").GetString()!;
        (await server.ClientWithToken(pat).GetAsync("/api/projects").Bounded()).StatusCode.ShouldBe(HttpStatusCode.OK);

        using var disable = await server.Client.PatchAsJsonAsync($"/api/users/{bob.Id}", new { disabled = true }).Bounded();
        disable.StatusCode.ShouldBe(HttpStatusCode.OK);

        using var refresh = await RefreshAsync(server, login.RefreshToken);
        refresh.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        using var patUse = await server.ClientWithToken(pat).GetAsync("/api/projects").Bounded();
        await patUse.ShouldBeProblemAsync(HttpStatusCode.Unauthorized, "unauthenticated");
        using var relogin = await server.AnonymousClient().PostAsJsonAsync("/api/auth/login", new { userName = "bob", password = WrightTestServer.UserPassword }).Bounded();
        await relogin.ShouldBeProblemAsync(HttpStatusCode.Unauthorized, "invalid_credentials");
    }

    [Fact]
    public async Task DisabledUser_WithALiveRefreshToken_IsRefusedAsDisabled()
    {
        await using var server = await WrightTestServer.StartAsync();
        var (_, bob) = await server.CreateUserClientAsync("bob");
        var login = await server.LoginAsync("bob", WrightTestServer.UserPassword);

        // Straight in the database: a user disabled by another instance or by hand, whose refresh tokens were not revoked.
        var users = server.Services.GetRequiredService<IUserRepository>();
        (await users.UpdateAsync(bob with { DisabledAt = DateTimeOffset.UtcNow }, CancellationToken.None).Bounded()).ShouldBeTrue();
        using var refresh = await RefreshAsync(server, login.RefreshToken);

        await refresh.ShouldBeProblemAsync(HttpStatusCode.Unauthorized, "user_disabled");
    }

    private static Task<HttpResponseMessage> RefreshAsync(WrightTestServer server, string refreshToken) =>
        server.AnonymousClient().PostAsJsonAsync("/api/auth/refresh", new { refreshToken }).Bounded();
}
