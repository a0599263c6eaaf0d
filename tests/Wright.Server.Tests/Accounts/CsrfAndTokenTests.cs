using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Wright.Server.Tests.Infrastructure;

namespace Wright.Server.Tests.Accounts;

/// <summary>The browser's cookie login and its CSRF rule; personal access tokens.</summary>
public sealed class CsrfAndTokenTests
{
    [Fact]
    public async Task CookieLogin_UnsafeRequestWithoutHeader_IsRejectedAsCsrf()
    {
        await using var server = await WrightTestServer.StartAsync();
        using var browser = await BrowserAsync(server);

        using var forged = await browser.PostAsJsonAsync("/api/projects", new { name = "forged", path = server.DataDir + "/work/forged" }).Bounded();

        await forged.ShouldBeProblemAsync(HttpStatusCode.Forbidden, "csrf_failed");
        Directory.Exists(server.DataDir + "/work/forged").ShouldBeFalse();
    }

    [Fact]
    public async Task CookieLogin_WithHeaderFromOwnPage_IsAcceptedAndReadsNeedNoHeader()
    {
        await using var server = await WrightTestServer.StartAsync();
        using var browser = await BrowserAsync(server);

        (await browser.GetAsync("/api/projects").Bounded()).StatusCode.ShouldBe(HttpStatusCode.OK);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/projects") { Content = JsonContent.Create(new { name = "mine", path = server.DataDir + "/projects/mine" }) };
        request.Headers.Add("X-Requested-With", "XMLHttpRequest");
        request.Headers.Add("Origin", server.BaseAddress.GetLeftPart(UriPartial.Authority));
        using var created = await browser.SendAsync(request).Bounded();

        created.StatusCode.ShouldBe(HttpStatusCode.Created);
    }

    [Fact]
    public async Task CookieLogin_WithHeaderButForeignOrigin_IsRejectedAsCsrf()
    {
        await using var server = await WrightTestServer.StartAsync();
        using var browser = await BrowserAsync(server);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/tokens") { Content = JsonContent.Create(new { name = "stolen" }) };
        request.Headers.Add("X-Requested-With", "XMLHttpRequest");
        request.Headers.Add("Origin", "https://evil.example");

        using var response = await browser.SendAsync(request).Bounded();

        await response.ShouldBeProblemAsync(HttpStatusCode.Forbidden, "csrf_failed");
    }

    [Fact]
    public async Task CookieRefresh_WithoutHeader_IsRejectedAndWithHeaderRotatesTheCookies()
    {
        await using var server = await WrightTestServer.StartAsync();
        using var browser = await BrowserAsync(server);

        using var forged = await browser.PostAsync("/api/auth/refresh", null).Bounded();
        await forged.ShouldBeProblemAsync(HttpStatusCode.Forbidden, "csrf_failed");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/auth/refresh");
        request.Headers.Add("X-Requested-With", "XMLHttpRequest");
        using var refreshed = await browser.SendAsync(request).Bounded();

        refreshed.StatusCode.ShouldBe(HttpStatusCode.OK);
        refreshed.Headers.GetValues("Set-Cookie").ShouldContain(c => c.StartsWith("wright_refresh=wright_rt_", StringComparison.Ordinal));
    }

    [Fact]
    public async Task BearerRequest_WithoutHeader_IsNotSubjectToCsrf()
    {
        await using var server = await WrightTestServer.StartAsync();

        using var response = await server.Client.PostAsJsonAsync("/api/tokens", new { name = "script" }).Bounded();

        response.StatusCode.ShouldBe(HttpStatusCode.Created);
    }

    [Fact]
    public async Task PersonalAccessToken_ShownOnceListedAsHintUsableAndRevocable()
    {
        await using var server = await WrightTestServer.StartAsync();

        using var created = await server.Client.PostAsJsonAsync("/api/tokens", new { name = "laptop", expiresInDays = 30 }).Bounded();
        created.StatusCode.ShouldBe(HttpStatusCode.Created);
        var body = await created.Content.ReadFromJsonAsync<JsonElement>().Bounded();
        var token = body.GetProperty("token").GetString()!;
        token.ShouldStartWith("wright_pat_");
        body.GetProperty("scopes").EnumerateArray().Select(s => s.GetString()).ShouldBe(["api"]);
        var id = body.GetProperty("id").GetGuid();

        (await server.ClientWithToken(token).GetAsync("/api/projects").Bounded()).StatusCode.ShouldBe(HttpStatusCode.OK);
        var listText = await server.Client.GetStringAsync("/api/tokens").Bounded();
        listText.ShouldNotContain(token);
        listText.ShouldNotContain("hash", Case.Insensitive);
        var listed = JsonDocument.Parse(listText).RootElement.GetProperty("items").EnumerateArray().Single();
        listed.GetProperty("hint").GetString()!.ShouldStartWith(token[..15]);
        listed.GetProperty("lastUsedAt").ValueKind.ShouldBe(JsonValueKind.String);

        using var revoke = await server.Client.DeleteAsync($"/api/tokens/{id}").Bounded();
        revoke.StatusCode.ShouldBe(HttpStatusCode.NoContent);
        using var after = await server.ClientWithToken(token).GetAsync("/api/projects").Bounded();
        await after.ShouldBeProblemAsync(HttpStatusCode.Unauthorized, "unauthenticated");
    }

    [Fact]
    public async Task PersonalAccessToken_OfAnotherUser_CannotBeRevoked()
    {
        await using var server = await WrightTestServer.StartAsync();
        var (bob, _) = await server.CreateUserClientAsync("bob");
        var id = (await (await server.Client.PostAsJsonAsync("/api/tokens", new { name = "admin's" }).Bounded()).Content.ReadFromJsonAsync<JsonElement>().Bounded()).GetProperty("id").GetGuid();

        using var response = await bob.DeleteAsync($"/api/tokens/{id}").Bounded();

        await response.ShouldBeProblemAsync(HttpStatusCode.NotFound, "token_not_found");
    }

    [Fact]
    public async Task PersonalAccessToken_WithUnknownScope_IsRefused()
    {
        await using var server = await WrightTestServer.StartAsync();

        using var response = await server.Client.PostAsJsonAsync("/api/tokens", new { name = "x", scopes = new[] { "root" } }).Bounded();

        await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
    }

    /// <summary>A client that keeps cookies like a browser, logged in through the API (no bearer header).</summary>
    private static async Task<HttpClient> BrowserAsync(WrightTestServer server)
    {
        var browser = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer() }) { BaseAddress = server.BaseAddress, Timeout = TestTimeouts.Default };
        using var login = await browser.PostAsJsonAsync("/api/auth/login", new { userName = "admin", password = WrightTestServer.AdminPassword }).Bounded();
        login.StatusCode.ShouldBe(HttpStatusCode.OK);
        return browser;
    }
}
