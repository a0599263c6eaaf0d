using System.Net.Http.Json;
using System.Text.Json;
using Wright.Server.Tests.Infrastructure;

namespace Wright.Server.Tests.Engine;

/// <summary>The session merge is in the OpenAPI document with its typed answer.</summary>
public sealed class MergeOpenApiTests
{
    [Fact]
    public async Task OpenApi_ListsTheSessionMerge_WithItsRequestAndAnswer()
    {
        await using var server = await WrightTestServer.StartAsync();

        var document = await server.Client.GetFromJsonAsync<JsonElement>("/openapi/v1.json").Bounded();

        var operation = document.GetProperty("paths").GetProperty("/api/sessions/{id}/merge").GetProperty("post");
        operation.GetProperty("responses").GetProperty("200").GetProperty("content").GetProperty("application/json").GetProperty("schema").GetRawText().ShouldContain("MergeResultDto");
        operation.GetProperty("requestBody").GetRawText().ShouldContain("MergeSessionRequest");
        document.GetProperty("components").GetProperty("schemas").TryGetProperty("MergeConflict", out _).ShouldBeTrue();
    }
}
