using System.Net;
using Wright.Server.Tests.Infrastructure;

namespace Wright.Server.Tests.Web;

/// <summary>The built web app at / from the same origin, without changing what the API answers.</summary>
public sealed class WebAppHostingTests : IDisposable
{
    private const string Shell = "<!doctype html><div id=\"root\"></div><script type=\"module\" src=\"/assets/app-1234.js\"></script>";

    private readonly TempDirectory _webRoot = new("wright-webroot");

    public WebAppHostingTests()
    {
        File.WriteAllText(_webRoot.Combine("index.html"), Shell);
        Directory.CreateDirectory(_webRoot.Combine("assets"));
        File.WriteAllText(_webRoot.Combine("assets", "app-1234.js"), "console.log('app');");
    }

    public void Dispose() => _webRoot.Dispose();

    [Theory]
    [InlineData("/")]
    [InlineData("/login")]
    [InlineData("/p/2f0e8a3c-0000-4000-8000-000000000000")]
    [InlineData("/settings")]
    [InlineData("/setup")]
    public async Task AppRoute_WithoutCredentials_ServesTheShellUnderTheCsp(string route)
    {
        await using var server = await WrightTestServer.StartAsync(o => o.WebRoot = _webRoot.Path);

        using var response = await server.AnonymousClient().GetAsync(route).Bounded();

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("text/html");
        (await response.Content.ReadAsStringAsync()).ShouldBe(Shell);
        response.Headers.CacheControl!.NoCache.ShouldBeTrue();
        var csp = response.Headers.GetValues("Content-Security-Policy").Single();
        csp.ShouldContain("script-src 'self';");
        csp.ShouldNotContain("unsafe-eval");
    }

    [Fact]
    public async Task HashedAsset_IsServedImmutable()
    {
        await using var server = await WrightTestServer.StartAsync(o => o.WebRoot = _webRoot.Path);

        using var response = await server.AnonymousClient().GetAsync("/assets/app-1234.js").Bounded();

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("text/javascript");
        response.Headers.CacheControl!.ToString().ShouldContain("immutable");
    }

    [Theory]
    [InlineData("/api/no-such-thing")]
    [InlineData("/api/projects")]
    [InlineData("/openapi/v1.json")]
    [InlineData("/etc/passwd")]
    [InlineData("/no-such-page")]
    public async Task ServerRoute_WithoutCredentials_StaysProblemJson(string route)
    {
        await using var server = await WrightTestServer.StartAsync(o => o.WebRoot = _webRoot.Path);

        using var response = await server.AnonymousClient().GetAsync(route).Bounded();

        await response.ShouldBeProblemAsync(HttpStatusCode.Unauthorized, "unauthenticated");
    }

    [Fact]
    public async Task Health_StaysTheServers()
    {
        await using var server = await WrightTestServer.StartAsync(o => o.WebRoot = _webRoot.Path);

        using var response = await server.AnonymousClient().GetAsync("/health").Bounded();

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.ShouldNotBe("text/html");
    }

    [Fact]
    public async Task MissingAsset_IsNotAnsweredWithTheShell()
    {
        await using var server = await WrightTestServer.StartAsync(o => o.WebRoot = _webRoot.Path);

        using var response = await server.AnonymousClient().GetAsync("/assets/gone-0000.js").Bounded();

        response.StatusCode.ShouldNotBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task UnsafeMethod_OnAnAppRoute_IsNotServedTheShell()
    {
        await using var server = await WrightTestServer.StartAsync(o => o.WebRoot = _webRoot.Path);

        using var response = await server.AnonymousClient().PostAsync("/settings", new StringContent("x")).Bounded();

        response.StatusCode.ShouldNotBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task NoBuiltApp_RootAnswersAsBefore()
    {
        using var empty = new TempDirectory("wright-webroot-empty");
        await using var server = await WrightTestServer.StartAsync(o => o.WebRoot = empty.Path);

        using var response = await server.AnonymousClient().GetAsync("/").Bounded();

        await response.ShouldBeProblemAsync(HttpStatusCode.Unauthorized, "unauthenticated");
    }
}
