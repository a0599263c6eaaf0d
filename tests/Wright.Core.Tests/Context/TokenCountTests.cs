using Microsoft.ML.Tokenizers;
using Wright.Core.Context;

namespace Wright.Core.Tests.Context;

/// <summary>OpenAI-family models are counted with their own tiktoken encoding; other models are estimated and calibrated.</summary>
public sealed class TokenCountTests
{
    private const string Code = "public sealed class Greeter\n{\n    public string Greet(string name) => $\"Hello, {name}!\"; // naïve 👋\n}\n";

    [Theory]
    [InlineData("openai/gpt-4o-mini", "o200k_base")]
    [InlineData("openai/gpt-4.1", "o200k_base")]
    [InlineData("openai/o3-mini", "o200k_base")]
    [InlineData("gpt-5", "o200k_base")]
    [InlineData("openai/gpt-4-turbo", "cl100k_base")]
    [InlineData("azure/gpt-3.5-turbo", "cl100k_base")]
    public void OpenAiFamilyModels_AreCountedExactly_WithTheirEncoding(string model, string encoding)
    {
        var tokenizer = TiktokenTokenizer.CreateForEncoding(encoding);
        var estimator = new TokenEstimator();
        var text = string.Concat(Enumerable.Repeat(Code, 40));

        estimator.Estimate(text, model).ShouldBe(tokenizer.CountTokens(text));
        estimator.Estimate("Hello world", model).ShouldBe(2);

        // Calibration does not move an exact count.
        estimator.Observe(model, text.Length, 1);
        estimator.Estimate(text, model).ShouldBe(tokenizer.CountTokens(text));
    }

    [Fact]
    public void TheTwoEncodings_CountDifferently_SoTheRightOneMatters()
    {
        var text = string.Concat(Enumerable.Repeat("Übergrößenträger — ありがとう — 👋 ", 50));

        TiktokenTokenizer.CreateForEncoding("o200k_base").CountTokens(text).ShouldNotBe(TiktokenTokenizer.CreateForEncoding("cl100k_base").CountTokens(text));
        new TokenEstimator().Estimate(text, "openai/gpt-4o").ShouldBe(TiktokenTokenizer.CreateForEncoding("o200k_base").CountTokens(text));
        new TokenEstimator().Estimate(text, "openai/gpt-4").ShouldBe(TiktokenTokenizer.CreateForEncoding("cl100k_base").CountTokens(text));
    }

    [Theory]
    [InlineData("anthropic/claude-haiku-4-5")]
    [InlineData("ollama/llama3.1")]
    [InlineData(null)]
    public void OtherModels_AreEstimated(string? model)
    {
        TokenEstimator.ExactTokenizerFor(model).ShouldBeNull();
        new TokenEstimator().Estimate(new string('x', 4000), model).ShouldBe(1000);
    }

    [Fact]
    public void Load_TakesStoredFactors_ButAFactorLearnedSinceWins()
    {
        var estimator = new TokenEstimator();
        estimator.Observe("learned", 4000, 2000);
        var learned = estimator.FactorFor("learned");

        estimator.Load(new Dictionary<string, double> { ["stored"] = 1.5, ["learned"] = 3.0, ["wild"] = 99 });

        estimator.FactorFor("stored").ShouldBe(1.5);
        estimator.FactorFor("learned").ShouldBe(learned);
        estimator.FactorFor("wild").ShouldBe(4.0);
    }
}
