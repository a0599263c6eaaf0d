using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Wright.Core.Llm;
using Wright.FakeLlm;
using Wright.Server.Llm;
using Wright.Server.Tests.Infrastructure;
using Wright.Storage.Database;

namespace Wright.Server.Tests.Conversations;

/// <summary><c>/api/providers</c> and <c>/api/models</c>, and how provider settings are read from configuration.</summary>
public sealed class ProvidersApiTests
{
    [Fact]
    public async Task ListProviders_ShowsConfiguredEndpointsWithAMaskedKeyOnly()
    {
        await using var harness = await ChatHarness.StartAsync();

        var body = await harness.Client.GetStringAsync("/api/providers").Bounded();

        body.ShouldNotContain("sk-ant-test-key-0123456789");
        var anthropic = JsonDocument.Parse(body).RootElement.GetProperty("items").EnumerateArray().Single(p => p.GetProperty("name").GetString() == "anthropic");
        anthropic.GetProperty("kind").GetString().ShouldBe("anthropic");
        anthropic.GetProperty("hasKey").GetBoolean().ShouldBeTrue();
        anthropic.GetProperty("keyHint").GetString().ShouldBe("sk-…6789");
        anthropic.GetProperty("source").GetString().ShouldBe("config");
    }

    [Fact]
    public async Task SaveProvider_StoresTheKeyEncrypted_AndTheNewEndpointAnswers()
    {
        await using var harness = await ChatHarness.StartAsync();
        harness.Fake.Enqueue(FakeReply.Text("from the custom endpoint"));

        var saved = await harness.Client.PutAsJsonAsync("/api/providers/local-proxy", new { kind = "openai", baseUrl = harness.Fake.OpenAiEndpoint.ToString(), apiKey = "sk-local-secret-value-9876" }).Bounded();

        saved.EnsureSuccessStatusCode();
        var dto = await saved.Content.ReadFromJsonAsync<JsonElement>().Bounded();
        dto.GetProperty("keyHint").GetString().ShouldBe("sk-…9876");
        dto.GetProperty("source").GetString().ShouldBe("api");
        var database = harness.Server.Services.GetRequiredService<WrightDatabase>();
        await using (var connection = await database.OpenAsync(CancellationToken.None).Bounded())
        {
            var stored = await connection.QuerySingleAsync<string>("SELECT api_key_protected FROM llm_providers WHERE name = 'local-proxy'").Bounded();
            stored.ShouldNotContain("sk-local-secret-value-9876");
        }

        var session = await harness.CreateSessionAsync();
        var answer = await harness.PostAsync(session, "hi", model: "local-proxy/some-model");
        answer.Text.ShouldBe("from the custom endpoint");
        harness.Fake.Requests.Single().Headers["Authorization"].ShouldBe("Bearer sk-local-secret-value-9876");
        harness.Fake.Requests.Single().Json!["model"]!.GetValue<string>().ShouldBe("some-model");

        (await harness.Client.DeleteAsync("/api/providers/local-proxy").Bounded()).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        (await harness.Client.GetStringAsync("/api/providers").Bounded()).ShouldNotContain("local-proxy");
    }

    [Fact]
    public async Task SaveProvider_WithAnUnknownNameAndNoBaseUrl_IsRefused()
    {
        await using var harness = await ChatHarness.StartAsync();

        var response = await harness.Client.PutAsJsonAsync("/api/providers/mystery", new { apiKey = "x" }).Bounded();

        await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
    }

    [Fact]
    public async Task Models_ListTheSeededCatalog_AndAnOverrideChangesPrices()
    {
        await using var harness = await ChatHarness.StartAsync();

        var models = await harness.Client.GetFromJsonAsync<JsonElement>("/api/models?provider=anthropic").Bounded();
        var haiku = models.GetProperty("items").EnumerateArray().Single(m => m.GetProperty("name").GetString() == "anthropic/claude-haiku-4-5");
        haiku.GetProperty("contextWindow").GetInt32().ShouldBe(200_000);
        haiku.GetProperty("inputCostPerToken").GetDecimal().ShouldBe(1e-6m);
        haiku.GetProperty("default").GetBoolean().ShouldBeTrue();

        var saved = await harness.Client.PutAsJsonAsync("/api/models/ollama/llama3.1:8b", new { contextWindow = 8192, inputCostPerToken = 0m, outputCostPerToken = 0m }).Bounded();
        saved.EnsureSuccessStatusCode();
        var added = await saved.Content.ReadFromJsonAsync<JsonElement>().Bounded();
        added.GetProperty("name").GetString().ShouldBe("ollama/llama3.1:8b");
        added.GetProperty("contextWindow").GetInt32().ShouldBe(8192);
        added.GetProperty("source").GetString().ShouldBe("api");
    }

    [Fact]
    public void BindLlm_MapsTheUsualEnvironmentVariables_WithoutOverridingTheSection()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ANTHROPIC_API_KEY"] = "env-anthropic",
            ["OPENAI_API_KEY"] = "env-openai",
            ["OPENAI_BASE_URL"] = "http://127.0.0.1:9/v1",
            ["OLLAMA_BASE_URL"] = "http://127.0.0.1:11434/v1",
            ["WRIGHT_DEFAULT_MODEL"] = "openai/gpt-4o",
            ["Llm:Providers:anthropic:ApiKey"] = "section-anthropic",
        }).Build();
        var options = new LlmOptions();

        LlmHosting.BindLlm(options, configuration);

        options.Providers["anthropic"].ApiKey.ShouldBe("section-anthropic");
        options.Providers["openai"].ApiKey.ShouldBe("env-openai");
        options.Providers["openai"].BaseUrl.ShouldBe("http://127.0.0.1:9/v1");
        options.Providers["ollama"].BaseUrl.ShouldBe("http://127.0.0.1:11434/v1");
        options.Providers.ContainsKey("groq").ShouldBeFalse();
        options.DefaultModel.ShouldBe("openai/gpt-4o");
    }

    [Fact]
    public async Task BadLlmConfiguration_StopsStartUpNamingTheKeys()
    {
        var error = await Should.ThrowAsync<Exception>(() => WrightTestServer.StartAsync(builder: b => b.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Llm:DefaultModel"] = "no-slash",
            ["Llm:MaxRetries"] = "99",
            ["Llm:Providers:mine:ApiKey"] = "k",
        })));

        error.Message.ShouldContain("Llm:DefaultModel");
        error.Message.ShouldContain("Llm:MaxRetries");
        error.Message.ShouldContain("Llm:Providers:mine");
    }
}
