using Wright.Core.Errors;
using Wright.Core.Llm;

namespace Wright.Core.Tests.Llm;

public sealed class ModelCatalogTests
{
    [Fact]
    public void Seeded_HoldsEveryChatEntryOfTheLiteLlmExcerpt_UnderProviderSlashModel()
    {
        var seeded = ModelCatalog.Seeded;

        seeded.Count.ShouldBe(15);
        var sonnet = seeded["anthropic/claude-sonnet-4-5-20250929"];
        sonnet.ContextWindow.ShouldBe(200_000);
        sonnet.MaxOutputTokens.ShouldBe(64_000);
        sonnet.InputCostPerToken.ShouldBe(0.000003m);
        sonnet.CacheReadCostPerToken.ShouldBe(0.0000003m);
        sonnet.CacheWriteCostPerToken.ShouldBe(0.00000375m);
        seeded["openai/gpt-4o"].OutputCostPerToken.ShouldBe(0.00001m);
        seeded.ContainsKey("_source").ShouldBeFalse();
    }

    [Fact]
    public void Build_AppliesConfigurationThenApiOverrides_AndAddsUnknownModels()
    {
        var configured = new Dictionary<string, ModelOverride> { ["openai/gpt-4o"] = new() { InputCostPerToken = 1m, ContextWindow = 10 } };
        var stored = new Dictionary<string, ModelOverride>
        {
            ["openai/gpt-4o"] = new() { InputCostPerToken = 2m },
            ["ollama/llama3"] = new() { ContextWindow = 8192 },
        };

        var catalog = ModelCatalog.Build(configured, stored);

        catalog["openai/gpt-4o"].InputCostPerToken.ShouldBe(2m);
        catalog["openai/gpt-4o"].ContextWindow.ShouldBe(10);
        catalog["openai/gpt-4o"].OutputCostPerToken.ShouldBe(0.00001m);
        catalog["openai/gpt-4o"].Source.ShouldBe(ModelSources.Api);
        catalog["ollama/llama3"].ContextWindow.ShouldBe(8192);
    }

    [Fact]
    public void CostOf_PricesCachedTokensAtTheirOwnRates()
    {
        var haiku = ModelCatalog.Seeded["anthropic/claude-haiku-4-5"];

        // 1,000 prompt tokens of which 200 read from and 100 written to the cache.
        haiku.CostOf(1_000, 50, 200, 100).ShouldBe(700 * 0.000001m + 50 * 0.000005m + 200 * 0.0000001m + 100 * 0.00000125m);
    }

    [Theory]
    [InlineData("anthropic/claude-sonnet-4-6", "anthropic", "claude-sonnet-4-6")]
    [InlineData("openrouter/anthropic/claude-3.5", "openrouter", "anthropic/claude-3.5")]
    [InlineData("Ollama/llama3.1:8b", "ollama", "llama3.1:8b")]
    public void ModelName_Parse_SplitsAtTheFirstSlash(string text, string provider, string model)
    {
        ModelName.Parse(text).ShouldBe(new ModelName(provider, model));
    }

    [Theory]
    [InlineData("claude")]
    [InlineData("/model")]
    [InlineData("provider/")]
    [InlineData("bad provider/model")]
    public void ModelName_Parse_RefusesNamesWithoutProvider(string text)
    {
        Should.Throw<WrightException>(() => ModelName.Parse(text)).Code.ShouldBe(ErrorCodes.ModelUnknown);
    }
}
