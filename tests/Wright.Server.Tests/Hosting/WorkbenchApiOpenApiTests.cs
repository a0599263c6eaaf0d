using System.Net.Http.Json;
using System.Text.Json;
using Wright.Server.Tests.Infrastructure;

namespace Wright.Server.Tests.Hosting;

/// <summary>The endpoints the web workbench added are in the OpenAPI document with typed answers.</summary>
public sealed class WorkbenchApiOpenApiTests
{
    [Theory]
    [InlineData("/api/projects/{id}/search", "get", "200", "SearchPageDto")]
    [InlineData("/api/projects/{id}/files:merge", "post", "200", "MergeFileDto")]
    [InlineData("/api/projects/{id}/workbench", "get", "200", "WorkbenchDto")]
    [InlineData("/api/projects/{id}/workbench", "put", "200", "WorkbenchDto")]
    [InlineData("/api/projects/{id}/git/remotes", "get", "200", "GitRemoteListDto")]
    [InlineData("/api/projects/{id}/git/remotes", "post", "201", "GitRemoteDto")]
    [InlineData("/api/projects/{id}/git/fetch", "post", "200", "GitFetchDto")]
    [InlineData("/api/projects/{id}/git/pull", "post", "200", "GitPullDto")]
    [InlineData("/api/projects/{id}/git/push", "post", "200", "GitPushDto")]
    [InlineData("/api/projects/{id}/git/merge:abort", "post", "200", "GitStatusDto")]
    [InlineData("/api/projects/{id}/git/commits/{sha}:revert-file", "post", "201", "RevertFileDto")]
    [InlineData("/api/providers/{name}:test", "post", "200", "ProviderTestDto")]
    public async Task OpenApi_ListsTheEndpointWithItsTypedAnswer(string path, string method, string status, string schema)
    {
        await using var server = await WrightTestServer.StartAsync();

        var document = await server.Client.GetFromJsonAsync<JsonElement>("/openapi/v1.json").Bounded();

        document.GetProperty("paths").TryGetProperty(path, out var item).ShouldBeTrue(path);
        item.TryGetProperty(method, out var operation).ShouldBeTrue($"{method} {path}");
        var response = operation.GetProperty("responses").GetProperty(status);
        response.GetProperty("content").GetProperty("application/json").GetProperty("schema").GetRawText().ShouldContain(schema);
        document.GetProperty("components").GetProperty("schemas").TryGetProperty(schema, out _).ShouldBeTrue(schema);
    }
}
