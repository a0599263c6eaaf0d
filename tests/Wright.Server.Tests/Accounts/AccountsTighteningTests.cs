using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Wright.Core.Accounts;
using Wright.Server.Tests.Infrastructure;

namespace Wright.Server.Tests.Accounts;

/// <summary>Failed-login auditing, CSRF without loopholes, the refresh grace window, and the purge of spent refresh tokens.</summary>
public sealed class AccountsTighteningTests
{
    [Fact]
    public async Task FailedLogin_WithAnUnknownName_DoesNotStoreTheNameInTheAuditLog()
    {
        await using var server = await WrightTestServer.StartAsync();
        const string typedPassword = "correct-horse-battery-staple-9";

        using var unknown = await server.AnonymousClient().PostAsJsonAsync("/api/auth/login", new { userName = typedPassword, password = "x" }).Bounded();
        using var wrongPassword = await server.AnonymousClient().PostAsJsonAsync("/api/auth/login", new { userName = "admin", password = "wrong" }).Bounded();

        unknown.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        wrongPassword.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        var audit = await server.Client.GetStringAsync("/api/audit?limit=50").Bounded();
        audit.ShouldNotContain(typedPassword);
        audit.ShouldContain("unknown user");
        audit.ShouldContain("user:admin");
    }

    [Theory]
    [InlineData("Basic YWRtaW46YWRtaW4=")]
    [InlineData("Bearer not-a-wright-token")]
    [InlineData("Negotiate abc")]
    public async Task CookieRequest_WithAnAuthorizationHeaderThatIsNoValidBearer_StillNeedsTheCsrfHeader(string authorization)
    {
        await using var server = await WrightTestServer.StartAsync();
        var login = await server.LoginAsync("admin", WrightTestServer.AdminPassword);

        foreach (var url in new[] { "/api/auth/refresh", "/api/auth/logout", "/api/projects" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = JsonContent.Create(new { name = "csrf" }) };
            request.Headers.Add("Cookie", $"wright_access={login.AccessToken}; wright_refresh={login.RefreshToken}");
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
            using var response = await server.AnonymousClient().SendAsync(request).Bounded();
            await response.ShouldBeProblemAsync(HttpStatusCode.Forbidden, "csrf_failed");
        }

        // Nothing happened: the refresh token was neither spent nor revoked.
        using var refresh = await server.AnonymousClient().PostAsJsonAsync("/api/auth/refresh", new { refreshToken = login.RefreshToken }).Bounded();
        refresh.StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task CookieRequest_WithAValidBearerToken_IsExempt()
    {
        await using var server = await WrightTestServer.StartAsync();
        var login = await server.LoginAsync("admin", WrightTestServer.AdminPassword);

        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/auth/refresh");
        request.Headers.Add("Cookie", $"wright_refresh={login.RefreshToken}");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", login.AccessToken);
        using var response = await server.AnonymousClient().SendAsync(request).Bounded();

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task TwoTabsRefreshingAtOnce_BothKeepTheLogin_WithTheSameSuccessor()
    {
        await using var server = await WrightTestServer.StartAsync();
        var login = await server.LoginAsync("admin", WrightTestServer.AdminPassword);

        var responses = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => RefreshAsync(server, login.RefreshToken))).Bounded();

        var bodies = new List<LoginResult>();
        foreach (var response in responses)
        {
            response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
            bodies.Add((await response.Content.ReadFromJsonAsync<LoginResult>(WrightTestServer.Json).Bounded())!);
            response.Dispose();
        }

        bodies.Select(b => b.RefreshToken).Distinct().Count().ShouldBe(1);
        using var next = await RefreshAsync(server, bodies[0].RefreshToken);
        next.StatusCode.ShouldBe(HttpStatusCode.OK, "the shared successor is the one live token of the login");
    }

    [Fact]
    public async Task SpentToken_AfterTheGraceWindowOrAfterItsSuccessorMovedOn_RevokesTheLogin()
    {
        var clock = new ManualTimeProvider();
        await using var server = await WrightTestServer.StartAsync(builder: b => b.Services.AddSingleton<TimeProvider>(clock));

        // Within the window, but the successor was spent already: a replay, not a race.
        var first = await server.LoginAsync("admin", WrightTestServer.AdminPassword);
        var r1 = await ReadAsync(await RefreshAsync(server, first.RefreshToken));
        var r2 = await ReadAsync(await RefreshAsync(server, r1.RefreshToken));
        using var replay = await RefreshAsync(server, first.RefreshToken);
        await replay.ShouldBeProblemAsync(HttpStatusCode.Unauthorized, "refresh_token_reused");
        using var r2AfterReplay = await RefreshAsync(server, r2.RefreshToken);
        await r2AfterReplay.ShouldBeProblemAsync(HttpStatusCode.Unauthorized, "refresh_token_invalid");

        // After the window.
        var second = await server.LoginAsync("admin", WrightTestServer.AdminPassword);
        var s1 = await ReadAsync(await RefreshAsync(server, second.RefreshToken));
        clock.Advance(TimeSpan.FromSeconds(29));
        (await ReadAsync(await RefreshAsync(server, second.RefreshToken))).RefreshToken.ShouldBe(s1.RefreshToken, "still inside the 30 s grace window");
        clock.Advance(TimeSpan.FromSeconds(2));
        using var late = await RefreshAsync(server, second.RefreshToken);
        await late.ShouldBeProblemAsync(HttpStatusCode.Unauthorized, "refresh_token_reused");
        using var s1AfterLate = await RefreshAsync(server, s1.RefreshToken);
        await s1AfterLate.ShouldBeProblemAsync(HttpStatusCode.Unauthorized, "refresh_token_invalid");
    }

    [Fact]
    public async Task Purge_DeletesExpiredAndRevokedRefreshTokens_AndKeepsLiveOnes()
    {
        var clock = new ManualTimeProvider();
        await using var server = await WrightTestServer.StartAsync(builder: b => b.Services.AddSingleton<TimeProvider>(clock));
        var repository = server.Services.GetRequiredService<IRefreshTokenRepository>();
        var ended = await server.LoginAsync("admin", WrightTestServer.AdminPassword);
        var endedNext = await ReadAsync(await RefreshAsync(server, ended.RefreshToken));
        (await server.AnonymousClient().PostAsJsonAsync("/api/auth/logout", new { refreshToken = endedNext.RefreshToken }).Bounded()).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        var live = await server.LoginAsync("admin", WrightTestServer.AdminPassword);
        var liveNext = await ReadAsync(await RefreshAsync(server, live.RefreshToken));
        var spent = await repository.FindByHashAsync(TokenSecrets.Hash(live.RefreshToken), CancellationToken.None).Bounded();
        (await repository.GetSuccessorAsync(spent!.Id, CancellationToken.None).Bounded()).ShouldNotBeNull();

        var beforeRetention = await server.Services.GetRequiredService<LoginService>().PurgeRefreshTokensAsync(CancellationToken.None).Bounded();
        clock.Advance(TimeSpan.FromDays(1) + TimeSpan.FromMinutes(1));
        var purged = await server.Services.GetRequiredService<LoginService>().PurgeRefreshTokensAsync(CancellationToken.None).Bounded();

        beforeRetention.ShouldBe(0);
        purged.ShouldBe(2);
        (await repository.FindByHashAsync(TokenSecrets.Hash(ended.RefreshToken), CancellationToken.None).Bounded()).ShouldBeNull();
        (await repository.FindByHashAsync(TokenSecrets.Hash(endedNext.RefreshToken), CancellationToken.None).Bounded()).ShouldBeNull();
        (await repository.GetSuccessorAsync(spent.Id, CancellationToken.None).Bounded()).ShouldBeNull("the remembered successor is forgotten after the grace window");
        using var stillLive = await RefreshAsync(server, liveNext.RefreshToken);
        stillLive.StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    private static async Task<LoginResult> ReadAsync(HttpResponseMessage response)
    {
        using (response)
        {
            var body = await response.Content.ReadAsStringAsync().Bounded();
            response.StatusCode.ShouldBe(HttpStatusCode.OK, body);
            return JsonSerializer.Deserialize<LoginResult>(body, WrightTestServer.Json)!;
        }
    }

    private static Task<HttpResponseMessage> RefreshAsync(WrightTestServer server, string refreshToken) =>
        server.AnonymousClient().PostAsJsonAsync("/api/auth/refresh", new { refreshToken });
}
