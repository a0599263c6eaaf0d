using Wright.Core.Context;

namespace Wright.Core.Tests.Context;

public sealed class RepoMapTests
{
    /// <summary>Forty files that call each other in a ring, plus one that defines the symbol the prompt names and is used by a single file.</summary>
    private static List<FileSymbols> Project()
    {
        var files = new List<FileSymbols>();
        for (var i = 0; i < 40; i++)
        {
            var next = (i + 1) % 40;
            files.Add(SymbolExtractor.Extract($"src/Service{i}.cs", $"public sealed class Service{i}\n{{\n    public int Run{i}() => new Service{next}().Run{next}() + new Service0().Run0();\n}}\n"));
        }

        files.Add(SymbolExtractor.Extract("src/Billing/InvoiceCalculator.cs", "public sealed class InvoiceCalculator\n{\n    public decimal TotalWithTax(decimal net) => net * 1.2m;\n}\n"));
        files.Add(SymbolExtractor.Extract("src/Api/InvoiceEndpoint.cs", "public static class InvoiceEndpoint\n{\n    public static decimal Handle() => new InvoiceCalculator().TotalWithTax(10m);\n}\n"));
        return files;
    }

    [Fact]
    public void Rank_SymbolMentionedInPrompt_PutsItsDefiningFileNearTheTop()
    {
        var files = Project();
        var prompt = new HashSet<string>(["Make", "InvoiceCalculator", "round", "the", "tax"], StringComparer.Ordinal);

        var ranking = RepoMap.Rank(files, new HashSet<string>(), new HashSet<string>(), prompt);

        var topFiles = ranking.Definitions.Select(d => d.Path).Distinct().Take(3).ToList();
        topFiles.ShouldContain("src/Billing/InvoiceCalculator.cs");
        ranking.Definitions[0].Definition.Name.ShouldBe("InvoiceCalculator");
    }

    [Fact]
    public void Rank_WithoutAPromptMention_PutsTheMostReferencedFileFirst()
    {
        var ranking = RepoMap.Rank(Project(), new HashSet<string>(), new HashSet<string>(), new HashSet<string>());

        ranking.Definitions.Select(d => d.Path).First().ShouldBe("src/Service0.cs");
        ranking.FileRanks["src/Service0.cs"].ShouldBeGreaterThan(ranking.FileRanks["src/Billing/InvoiceCalculator.cs"]);
    }

    [Fact]
    public void Rank_OpenFile_PullsTheFilesItUsesUp()
    {
        var files = Project();
        var open = new HashSet<string>(["src/Api/InvoiceEndpoint.cs"], StringComparer.Ordinal);

        var ranking = RepoMap.Rank(files, open, new HashSet<string>(), new HashSet<string>());

        ranking.Definitions.Where(d => d.Path != "src/Api/InvoiceEndpoint.cs").Select(d => d.Path).First().ShouldBe("src/Billing/InvoiceCalculator.cs");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(10)]
    [InlineData(60)]
    [InlineData(300)]
    [InlineData(5000)]
    public void Render_AnyBudget_StaysWithinIt(int budget)
    {
        var estimator = new TokenEstimator();
        var ranking = RepoMap.Rank(Project(), new HashSet<string>(), new HashSet<string>(), new HashSet<string>(["InvoiceCalculator"]));

        var map = RepoMap.Render(ranking, budget, estimator, null, new HashSet<string>());

        estimator.Estimate(map).ShouldBeLessThanOrEqualTo(budget);
        if (budget >= 60)
        {
            map.ShouldStartWith("src/Billing/InvoiceCalculator.cs:\n│public sealed class InvoiceCalculator\n");
        }
    }
}
