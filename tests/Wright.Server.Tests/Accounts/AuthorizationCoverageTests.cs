using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Wright.Core.Accounts;
using Wright.Server.Accounts;
using Wright.Server.Tests.Infrastructure;

namespace Wright.Server.Tests.Accounts;

/// <summary>Every route of the route table refuses anonymous requests and narrow tokens, except the documented ones.</summary>
public sealed class AuthorizationCoverageTests
{
    /// <summary>The only endpoints that answer without a verified user (README, "Accounts").</summary>
    private static readonly string[] DocumentedAnonymous =
    [
        "GET /health",
        "GET /health/live",
        "POST /api/auth/login",
        "POST /api/auth/refresh",
        "POST /api/auth/logout",
        "GET /api/setup",
        "POST /api/setup",
    ];

    [Fact]
    public async Task EveryEndpoint_WithoutCredentials_AnswersUnauthorizedExceptTheDocumentedOnes()
    {
        await using var server = await WrightTestServer.StartAsync();
        var routes = RouteTable.Of(server);
        var anonymous = server.AnonymousClient();

        routes.Count.ShouldBeGreaterThan(40, "the route table is read");
        routes.Where(r => r.AllowsAnonymous).Select(r => r.ToString()).Order().ShouldBe(DocumentedAnonymous.Order());
        routes.ShouldContain(r => r.Pattern.StartsWith("/openapi/", StringComparison.Ordinal), "the OpenAPI document is a route too, and needs a user");
        foreach (var route in routes)
        {
            using var response = await RouteTable.SendAsync(anonymous, route);
            var body = await response.Content.ReadAsStringAsync().Bounded();
            if (route.AllowsAnonymous)
            {
                body.ShouldNotContain("\"unauthenticated\"", customMessage: $"{route} is documented as anonymous");
                continue;
            }

            response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized, $"{route}: {body}");
            JsonDocument.Parse(body).RootElement.GetProperty("code").GetString().ShouldBe("unauthenticated", route.ToString());
            response.Headers.WwwAuthenticate.ToString().ShouldStartWith("Bearer", customMessage: route.ToString());
        }
    }

    [Fact]
    public async Task UnknownRoute_WithoutCredentials_AnswersUnauthorizedNotNotFound()
    {
        await using var server = await WrightTestServer.StartAsync();

        using var response = await server.AnonymousClient().GetAsync("/api/no-such-thing").Bounded();

        await response.ShouldBeProblemAsync(HttpStatusCode.Unauthorized, "unauthenticated");
    }

    [Fact]
    public async Task HooksScopedToken_OnEveryOtherEndpoint_GetsInsufficientScopeButReachesHookEndpoints()
    {
        await using var server = await WrightTestServer.StartAsync(mapApi: api =>
            api.MapPost("/test/hook-events", () => TypedResults.Ok(new { accepted = true })).AcceptsScope(TokenScopes.Hooks));
        var created = await server.Client.PostAsJsonAsync("/api/tokens", new { name = "agent hooks", scopes = new[] { "hooks" } }).Bounded();
        created.StatusCode.ShouldBe(HttpStatusCode.Created);
        var token = (await created.Content.ReadFromJsonAsync<JsonElement>().Bounded()).GetProperty("token").GetString()!;
        var hooks = server.ClientWithToken(token);

        using (var allowed = await hooks.PostAsJsonAsync("/api/test/hook-events", new { }).Bounded())
        {
            allowed.StatusCode.ShouldBe(HttpStatusCode.OK);
        }

        // The agent monitor's hook routes take hooks tokens; they answer, but never insufficient_scope.
        var hookRoutes = new HashSet<(string, string)> { ("POST", "/api/hooks/{event}"), ("POST", "/api/agents"), ("POST", "/api/agents/sessions/{sessionUuid:guid}/end") };
        foreach (var route in RouteTable.Of(server).Where(r => !r.AllowsAnonymous && hookRoutes.Contains((r.Method, r.Pattern))))
        {
            using var response = await RouteTable.SendAsync(hooks, route);
            response.StatusCode.ShouldNotBe(HttpStatusCode.Forbidden, route.ToString());
        }

        foreach (var route in RouteTable.Of(server).Where(r => !r.AllowsAnonymous && r.Pattern != "/api/test/hook-events" && !hookRoutes.Contains((r.Method, r.Pattern))))
        {
            using var response = await RouteTable.SendAsync(hooks, route);
            var body = await response.Content.ReadAsStringAsync().Bounded();
            response.StatusCode.ShouldBe(HttpStatusCode.Forbidden, $"{route}: {body}");
            JsonDocument.Parse(body).RootElement.GetProperty("code").GetString().ShouldBe("insufficient_scope", route.ToString());
        }
    }
}
