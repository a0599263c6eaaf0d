using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Wright.Server.Tests.Infrastructure;

namespace Wright.Server.Tests.Hosting;

public sealed class ServerBasicsTests
{
    [Fact]
    public async Task Health_WithoutCredentials_AnswersOk()
    {
        await using var server = await WrightTestServer.StartAsync();

        var health = await server.Client.GetFromJsonAsync<JsonElement>("/health").Bounded();

        health.GetProperty("status").GetString().ShouldBe("ok");
    }

    [Fact]
    public async Task UnknownRoute_Returns404ProblemJson()
    {
        await using var server = await WrightTestServer.StartAsync();

        var response = await server.Client.GetAsync("/api/no-such-thing").Bounded();

        await response.ShouldBeProblemAsync(HttpStatusCode.NotFound, "route_not_found");
    }

    [Fact]
    public async Task MalformedJsonBody_Returns400InvalidBody()
    {
        await using var server = await WrightTestServer.StartAsync();

        using var content = new StringContent("{not json", System.Text.Encoding.UTF8, "application/json");
        var response = await server.Client.PostAsync("/api/projects", content).Bounded();

        await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest, "invalid_body");
    }

    [Fact]
    public async Task OpenApiDocument_ListsProjectEndpoints()
    {
        await using var server = await WrightTestServer.StartAsync();

        var document = await server.Client.GetFromJsonAsync<JsonElement>("/openapi/v1.json").Bounded();

        document.GetProperty("paths").TryGetProperty("/api/projects", out _).ShouldBeTrue();
    }

    [Fact]
    public void ServerOptions_PublicHostWithoutAllowRemote_IsRefused()
    {
        var options = new Wright.Server.Hosting.ServerOptions { Host = "0.0.0.0" };

        options.Validate().ShouldContain(p => p.Contains("--allow-remote", StringComparison.Ordinal));
        options.AllowRemote = true;
        options.InsecureRemote = true;
        options.Validate().ShouldBeEmpty();
    }
}
