using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Wright.FakeLlm;
using Wright.Server.Tests.Infrastructure;

namespace Wright.Server.Tests.Conversations;

/// <summary><c>POST /api/providers/{name}:test</c> against the loopback fake provider.</summary>
public sealed class ProviderTestApiTests
{
    [Theory]
    [InlineData("anthropic", "claude-haiku-4-5", "/v1/messages")]
    [InlineData("openai", "gpt-4o-mini", "/v1/chat/completions")]
    public async Task Test_AWorkingProvider_MakesOneTinyCallAndSaysOk(string provider, string model, string path)
    {
        await using var harness = await ChatHarness.StartAsync();
        harness.Fake.Enqueue(FakeReply.Text("ok"));

        var result = await PostAsync(harness, provider, new { model });

        result.GetProperty("ok").GetBoolean().ShouldBeTrue();
        result.GetProperty("model").GetString().ShouldBe($"{provider}/{model}");
        result.GetProperty("latencyMs").GetInt64().ShouldBeGreaterThanOrEqualTo(0);
        result.GetProperty("error").ValueKind.ShouldBe(JsonValueKind.Null);
        var request = harness.Fake.Requests.ShouldHaveSingleItem();
        request.Path.ShouldBe(path);
        var json = request.Json!;
        (json["max_tokens"] ?? json["max_completion_tokens"])!.GetValue<int>().ShouldBe(1);
        json["model"]!.GetValue<string>().ShouldBe(model);
    }

    [Fact]
    public async Task Test_WithoutAModel_UsesTheDefaultModelOfThatProvider()
    {
        await using var harness = await ChatHarness.StartAsync();
        harness.Fake.Enqueue(FakeReply.Text("ok"));

        var result = await PostAsync(harness, "anthropic", new { });

        result.GetProperty("ok").GetBoolean().ShouldBeTrue();
        result.GetProperty("model").GetString().ShouldBe(ChatHarness.AnthropicModel);
    }

    [Fact]
    public async Task Test_AKeyTheProviderRefuses_SaysProviderAuthFailedWithoutTheKey()
    {
        await using var harness = await ChatHarness.StartAsync();
        harness.Fake.Enqueue(FakeReply.WithStatus(401, "authentication_error", "invalid x-api-key sk-ant-test-key-0123456789"));

        using var response = await harness.Client.PostAsJsonAsync("/api/providers/anthropic:test", new { }).Bounded();

        var body = await response.Content.ReadAsStringAsync().Bounded();
        response.StatusCode.ShouldBe(HttpStatusCode.OK, body);
        body.ShouldNotContain("sk-ant-test-key-0123456789");
        var result = JsonDocument.Parse(body).RootElement;
        result.GetProperty("ok").GetBoolean().ShouldBeFalse();
        result.GetProperty("error").GetProperty("code").GetString().ShouldBe("provider_auth_failed");
        result.GetProperty("error").GetProperty("detail").GetString()!.ShouldContain("key");
        harness.Fake.Requests.Count.ShouldBe(1, "a test makes one call, never retries");
    }

    [Fact]
    public async Task Test_AnEndpointNobodyListensOn_SaysProviderUnavailable()
    {
        await using var harness = await ChatHarness.StartAsync();
        using var closed = new TcpListener(IPAddress.Loopback, 0);
        closed.Start();
        var port = ((IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop();
        (await harness.Client.PutAsJsonAsync("/api/providers/nowhere", new { kind = "openai", baseUrl = $"http://127.0.0.1:{port}/v1", apiKey = "sk-nowhere-secret-0000" }).Bounded()).EnsureSuccessStatusCode();

        using var response = await harness.Client.PostAsJsonAsync("/api/providers/nowhere:test", new { model = "some-model" }).Bounded();

        var body = await response.Content.ReadAsStringAsync().Bounded();
        body.ShouldNotContain("sk-nowhere-secret-0000");
        var result = JsonDocument.Parse(body).RootElement;
        result.GetProperty("ok").GetBoolean().ShouldBeFalse();
        result.GetProperty("model").GetString().ShouldBe("nowhere/some-model");
        result.GetProperty("error").GetProperty("code").GetString().ShouldBe("provider_unavailable");
    }

    [Fact]
    public async Task Test_UnknownProviderOrAMember_IsRefused()
    {
        await using var harness = await ChatHarness.StartAsync();
        var (member, _) = await harness.Server.CreateUserClientAsync("bob");

        using var unknown = await harness.Client.PostAsJsonAsync("/api/providers/mystery:test", new { }).Bounded();
        using var notAdmin = await member.PostAsJsonAsync("/api/providers/anthropic:test", new { }).Bounded();

        await unknown.ShouldBeProblemAsync(HttpStatusCode.NotFound, "provider_unknown");
        await notAdmin.ShouldBeProblemAsync(HttpStatusCode.Forbidden, "admin_required");
        harness.Fake.Requests.ShouldBeEmpty();
    }

    private static async Task<JsonElement> PostAsync(ChatHarness harness, string provider, object body)
    {
        using var response = await harness.Client.PostAsJsonAsync($"/api/providers/{provider}:test", body).Bounded();
        var text = await response.Content.ReadAsStringAsync().Bounded();
        response.StatusCode.ShouldBe(HttpStatusCode.OK, text);
        return JsonDocument.Parse(text).RootElement.Clone();
    }
}
