using System.Net.Http.Json;
using System.Text.Json;
using Wright.Server.Tests.Infrastructure;

namespace Wright.Server.Tests.Flows;

/// <summary>The flow endpoints are in the OpenAPI document with their typed answers (the web app's types are checked against it).</summary>
public sealed class FlowsOpenApiTests
{
    [Theory]
    [InlineData("/api/projects/{projectId}/flows", "get", "200", "FlowSummaryDto")]
    [InlineData("/api/projects/{projectId}/flows/{name}", "get", "200", "FlowTemplateDto")]
    [InlineData("/api/projects/{projectId}/flows/{name}", "put", "200", "FlowTemplateDto")]
    [InlineData("/api/projects/{projectId}/flows:validate", "post", "200", "FlowValidationDto")]
    [InlineData("/api/sessions/{sessionId}/flow-runs", "post", "202", "FlowRunDto")]
    [InlineData("/api/sessions/{sessionId}/flow-runs", "get", "200", "FlowRunDto")]
    [InlineData("/api/flow-runs/{runId}", "get", "200", "FlowRunDto")]
    [InlineData("/api/flow-runs/{runId}/input", "post", "202", "FlowRunDto")]
    [InlineData("/api/flow-runs/{runId}:cancel", "post", "200", "FlowRunDto")]
    public async Task OpenApi_ListsTheFlowEndpointWithItsTypedAnswer(string path, string method, string status, string schema)
    {
        await using var server = await WrightTestServer.StartAsync();

        var document = await server.Client.GetFromJsonAsync<JsonElement>("/openapi/v1.json").Bounded();

        document.GetProperty("paths").TryGetProperty(path, out var item).ShouldBeTrue(path);
        item.TryGetProperty(method, out var operation).ShouldBeTrue($"{method} {path}");
        var response = operation.GetProperty("responses").GetProperty(status);
        var raw = response.GetProperty("content").GetProperty("application/json").GetProperty("schema").GetRawText();
        var components = document.GetProperty("components").GetProperty("schemas");
        (raw.Contains(schema, StringComparison.Ordinal) || components.EnumerateObject().Any(c => raw.Contains(c.Name, StringComparison.Ordinal) && c.Value.GetRawText().Contains(schema, StringComparison.Ordinal))).ShouldBeTrue($"{method} {path} answers {schema}: {raw}");
        components.TryGetProperty(schema, out _).ShouldBeTrue(schema);
    }

    [Fact]
    public async Task OpenApi_ListsTheEventStream()
    {
        await using var server = await WrightTestServer.StartAsync();
        var document = await server.Client.GetFromJsonAsync<JsonElement>("/openapi/v1.json").Bounded();
        document.GetProperty("paths").GetProperty("/api/flow-runs/{runId}/events").GetProperty("get").GetProperty("responses").GetProperty("200").GetProperty("content").TryGetProperty("text/event-stream", out _).ShouldBeTrue();
    }
}
