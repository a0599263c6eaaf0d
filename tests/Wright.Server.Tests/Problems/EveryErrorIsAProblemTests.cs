using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using Microsoft.Extensions.Logging;
using Wright.Server.Tests.Files;
using Wright.Server.Tests.Infrastructure;

namespace Wright.Server.Tests.Problems;

/// <summary>Whatever a client accepts, an error is an RFC 9457 problem with a code, and floods of expected errors do not flood the log.</summary>
public sealed class EveryErrorIsAProblemTests
{
    public static TheoryData<string> Accepts => new() { "text/event-stream", "text/html", "*/*", "application/xml", "text/html, application/xhtml+xml;q=0.9" };

    [Theory]
    [MemberData(nameof(Accepts))]
    public async Task FourHundreds_WithAnyAcceptHeader_AreProblemJson(string accept)
    {
        var logs = new CapturingLoggerProvider();
        await using var server = await WrightTestServer.StartAsync(builder: b => b.Logging.AddProvider(logs));
        var project = await server.CreateProjectAsync();
        server.Client.DefaultRequestHeaders.Accept.ParseAdd(accept);
        var anonymous = server.AnonymousClient();
        anonymous.DefaultRequestHeaders.Accept.ParseAdd(accept);

        using var notFound = await server.Client.GetAsync($"/api/projects/{Guid.NewGuid()}").Bounded();
        using var noRoute = await server.Client.GetAsync("/api/no-such-route").Bounded();
        using var conflict = await server.Client.PostAsJsonAsync("/api/projects", new { name = "again", path = project.Path }).Bounded();
        using var events = await server.Client.GetAsync($"/api/events?projectId={Guid.NewGuid()}").Bounded();
        using var unauthenticated = await anonymous.GetAsync("/api/projects").Bounded();
        HttpResponseMessage? limited = null;
        for (var i = 0; i < 20 && limited is null; i++)
        {
            var response = await anonymous.PostAsJsonAsync("/api/auth/login", new { userName = "nobody", password = "wrong" }).Bounded();
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                limited = response;
            }
            else
            {
                response.Dispose();
            }
        }

        await notFound.ShouldBeProblemAsync(HttpStatusCode.NotFound, "project_not_found");
        await noRoute.ShouldBeProblemAsync(HttpStatusCode.NotFound, "route_not_found");
        await conflict.ShouldBeProblemAsync(HttpStatusCode.Conflict, "project_path_exists");
        await events.ShouldBeProblemAsync(HttpStatusCode.NotFound, "project_not_found");
        await unauthenticated.ShouldBeProblemAsync(HttpStatusCode.Unauthorized, "unauthenticated");
        limited.ShouldNotBeNull();
        await limited.ShouldBeProblemAsync(HttpStatusCode.TooManyRequests, "rate_limited");
        limited.Dispose();
        logs.Entries.Where(e => e.StartsWith("Error", StringComparison.Ordinal) || e.StartsWith("Critical", StringComparison.Ordinal)).ShouldBeEmpty();
    }

    [Fact]
    public async Task FloodOfRateLimitedRequests_AddsNoErrorLine_AndRepeatedLinesAreRateLimited()
    {
        var logs = new CapturingLoggerProvider();
        await using var server = await WrightTestServer.StartAsync(builder: b => b.Logging.AddProvider(logs));
        var anonymous = server.AnonymousClient();
        anonymous.DefaultRequestHeaders.Accept.ParseAdd("text/event-stream");
        var before = logs.Entries.Count;

        var statuses = new Dictionary<HttpStatusCode, int>();
        for (var i = 0; i < 1000; i++)
        {
            using var response = await anonymous.PostAsJsonAsync("/api/auth/login", new { userName = "flood", password = "wrong" }).Bounded();
            statuses[response.StatusCode] = statuses.GetValueOrDefault(response.StatusCode) + 1;
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
            }
        }

        statuses.GetValueOrDefault(HttpStatusCode.TooManyRequests).ShouldBeGreaterThan(900);
        var added = logs.Entries.Skip(before).ToList();
        added.Where(e => e.StartsWith("Error", StringComparison.Ordinal) || e.StartsWith("Critical", StringComparison.Ordinal)).ShouldBeEmpty();
        added.Count.ShouldBeLessThan(100, string.Join(Environment.NewLine, added.Take(20)));
    }

    [Fact]
    public async Task RepeatedIdenticalWarnings_AreRateLimited()
    {
        var logs = new CapturingLoggerProvider();
        await using var server = await WrightTestServer.StartAsync(builder: b => b.Logging.AddProvider(logs));
        var login = await server.LoginAsync("admin", WrightTestServer.AdminPassword);
        var cookie = server.AnonymousClient();
        cookie.DefaultRequestHeaders.Add("Cookie", $"wright_access={login.AccessToken}");

        for (var i = 0; i < 200; i++)
        {
            using var response = await cookie.PostAsJsonAsync("/api/projects", new { name = "csrf" }).Bounded();
            response.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        }

        var rejected = logs.Entries.Count(e => e.Contains("Rejected a cookie-authenticated", StringComparison.Ordinal));
        rejected.ShouldBeGreaterThan(0);
        rejected.ShouldBeLessThanOrEqualTo(10);
    }

    [Fact]
    public async Task LongQueryAndControlCharacterInPath_AnswerProblems()
    {
        await using var server = await WrightTestServer.StartAsync();
        var token = server.IssueAccessToken(server.Admin);

        var longQuery = await RawHttp.SendAsync(server.BaseAddress, "GET", "/api/projects?q=" + new string('a', 60 * 1024), bearer: token);
        var control = await RawHttp.SendAsync(server.BaseAddress, "GET", "/api/projects/%01", bearer: token);
        var controlAnonymous = await RawHttp.SendAsync(server.BaseAddress, "GET", "/health/%07");

        longQuery.Status.ShouldBe(HttpStatusCode.RequestUriTooLong, longQuery.Body);
        longQuery.ContentType.ShouldStartWith("application/problem+json");
        longQuery.Code.ShouldBe("uri_too_long");
        control.Status.ShouldBe(HttpStatusCode.BadRequest, control.Body);
        control.ContentType.ShouldStartWith("application/problem+json");
        control.Code.ShouldBe("path_invalid");
        controlAnonymous.Status.ShouldBe(HttpStatusCode.BadRequest, controlAnonymous.Body);
        controlAnonymous.Code.ShouldBe("path_invalid");
    }

    [Fact]
    public async Task BodyOfTheWrongShape_IsInvalidBodyNamingTheField()
    {
        await using var server = await WrightTestServer.StartAsync();
        var project = await server.CreateProjectAsync();

        async Task<string> PostAsync(string url, string body, string contentType = "application/json")
        {
            using var content = new ByteArrayContent(body.StartsWith("bytes:", StringComparison.Ordinal) ? [0x7B, 0x22, 0x74, 0x69, 0x74, 0x6C, 0x65, 0x22, 0x3A, 0x22, 0xC3, 0x28, 0x22, 0x7D] : Encoding.UTF8.GetBytes(body));
            content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
            using var response = await server.Client.PostAsync(url, content).Bounded();
            var problem = await response.ShouldBeProblemAsync(contentType == "application/json" ? HttpStatusCode.BadRequest : HttpStatusCode.UnsupportedMediaType, "invalid_body");
            return problem.GetProperty("detail").GetString()!;
        }

        (await PostAsync("/api/projects", """{"name": 5}""")).ShouldContain("name");
        (await PostAsync($"/api/projects/{project.Id}/sessions", """{"title": 123}""")).ShouldContain("title");
        (await PostAsync($"/api/projects/{project.Id}/sessions", """{"title": ["a"]}""")).ShouldContain("title");
        (await PostAsync($"/api/projects/{project.Id}/sessions", "bytes:")).ShouldNotBeNullOrEmpty();
        (await PostAsync($"/api/projects/{project.Id}/sessions", """{"title": "x"}""", "text/plain")).ShouldNotBeNullOrEmpty();
        (await PostAsync($"/api/projects/{project.Id}/sessions", """[1, 2]""")).ShouldNotBeNullOrEmpty();
        (await PostAsync("/api/projects:open", """{"path": "/tmp", "initGit": "yes"}""")).ShouldContain("initGit");

        using var created = await server.Client.PostAsJsonAsync($"/api/projects/{project.Id}/sessions", new { title = "t" }).Bounded();
        var session = await created.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>().Bounded();
        var sessionId = session.GetProperty("id").GetString();
        (await PostAsync($"/api/sessions/{sessionId}/messages/{Guid.NewGuid()}/regenerate", """{"model": 5}""")).ShouldContain("model");
        (await PostAsync($"/api/sessions/{sessionId}/messages", """{"content": {"text": "hi"}}""")).ShouldContain("content");

        // The file write endpoint reads its body itself; the same rule holds there.
        using var write = new StringContent("""{"content": 5}""", Encoding.UTF8, "application/json");
        using var written = await server.Client.PutAsync($"/api/projects/{project.Id}/files/a.txt", write).Bounded();
        (await written.ShouldBeProblemAsync(HttpStatusCode.BadRequest, "invalid_body")).GetProperty("field").GetString().ShouldBe("content");
        File.Exists(Path.Combine(project.Path, "a.txt")).ShouldBeFalse();
    }
}
