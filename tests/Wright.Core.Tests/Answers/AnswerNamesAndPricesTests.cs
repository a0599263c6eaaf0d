using Wright.Core.Context;
using Wright.Core.Git;
using Wright.Core.Llm;

namespace Wright.Core.Tests.Answers;

public sealed class AnswerNamesAndPricesTests
{
    [Fact]
    public void GitStatusLegend_NamesEveryCodeTheSectionWrites()
    {
        var codes = Enum.GetValues<GitChange>().Select(ContextAssembler.StatusCode).ToList();

        codes.Distinct().Count().ShouldBe(codes.Count, "two changes share a code");
        foreach (var code in codes)
        {
            ContextAssembler.StatusLegend.ShouldContain($" {code} ");
        }
    }

    [Fact]
    public void ModelAlias_IsPricedFromItsNewestDatedCatalogEntry()
    {
        var entry = ModelCatalog.Dated(ModelCatalog.Seeded.Values.Where(m => m.Provider == "anthropic"), "claude-sonnet-4-5");

        entry.ShouldNotBeNull();
        entry.Model.ShouldBe("claude-sonnet-4-5-20250929");
        entry.InputCostPerToken.ShouldNotBeNull();
        ModelCatalog.Dated(ModelCatalog.Seeded.Values, "claude-sonnet-4").ShouldBeNull("a prefix of another model's name is not its alias");
    }
}
