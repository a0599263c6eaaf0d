using System.Net;
using System.Text.Json;

namespace Wright.Server.Tests.Infrastructure;

/// <summary>Checks that a response is an RFC 9457 problem with the expected status and code.</summary>
public static class ProblemAssertions
{
    public static async Task<JsonElement> ShouldBeProblemAsync(this HttpResponseMessage response, HttpStatusCode status, string code)
    {
        var body = await response.Content.ReadAsStringAsync().Bounded();
        response.StatusCode.ShouldBe(status, body);
        response.Content.Headers.ContentType?.MediaType.ShouldBe("application/problem+json", body);
        var json = JsonDocument.Parse(body).RootElement;
        json.GetProperty("code").GetString().ShouldBe(code, body);
        json.GetProperty("detail").GetString().ShouldNotBeNullOrWhiteSpace();
        return json;
    }
}
