using Wright.Core.Context;

namespace Wright.Core.Tests.Context;

/// <summary>A first prompt's ranking finds the files the prompt is about, and sends them whole.</summary>
public sealed class FileRankerTests
{
    [Theory]
    [InlineData("ActionRunner", new[] { "action", "runner", "actionrunner" })]
    [InlineData("max_file_bytes", new[] { "max", "byte", "maxfilebyte" })]
    [InlineData("HTTPServer2", new[] { "http", "server", "httpserver2" })]
    [InlineData("runs", new[] { "runs" })]
    public void Parts_SplitsCamelAndSnakeCase_DroppingStopWordsAndShortParts(string identifier, string[] expected)
    {
        FileRanker.Parts(identifier).ShouldBe(expected);
    }

    [Fact]
    public async Task FirstPrompt_NamingAClassInWords_RanksItsFileFirstAndSendsItWhole()
    {
        using var kit = await ContextTestKit.CreateAsync();
        var repo = kit.Repository;
        repo.Write("src/Billing/InvoiceCalculator.cs", "namespace Billing;\n\npublic sealed class InvoiceCalculator\n{\n    public decimal TotalWithTax(decimal net) => net * 1.2m;\n}\n");
        repo.Write("src/Billing/Checkout.cs", "namespace Billing;\n\npublic sealed class Checkout\n{\n    public decimal Pay(InvoiceCalculator calculator) => calculator.TotalWithTax(10);\n}\n");
        for (var i = 0; i < 30; i++)
        {
            repo.Write($"src/Other/Module{i}.cs", $"namespace Other;\n\npublic sealed class Module{i}\n{{\n    public int Compute{i}(int x) => x + {i};\n}}\n");
        }

        await kit.CommitAllAsync();

        var context = await kit.BuildAsync(kit.Request("The invoice calculator should round the total with tax"));

        var snapshot = await kit.Scanner.ScanAsync(kit.Request("x"), Git.GitTestRepository.Timeout);
        var request = kit.Request("The invoice calculator should round the total with tax");
        var ranked = ContextAssembler.RankFiles(request, snapshot, ContextAssembler.RankMap(request, snapshot, new HashSet<string>()));
        ranked[0].Path.ShouldBe("src/Billing/InvoiceCalculator.cs");
        context.Record.FilesSent.ShouldContain(new ContextFileRecord("src/Billing/InvoiceCalculator.cs", snapshot.Files["src/Billing/InvoiceCalculator.cs"].Hash, true));
        context.Sections.ShouldContain(s => s.Kind == ContextSourceKind.RelevantFile && s.Text.Contains("public decimal TotalWithTax(decimal net) => net * 1.2m;", StringComparison.Ordinal));
        context.Record.FilesSent.ShouldNotContain(f => f.Path.StartsWith("src/Other/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task FirstPrompt_WithFilesChangedByRecentCommits_RanksThemAboveEqualMatches()
    {
        using var kit = await ContextTestKit.CreateAsync();
        var repo = kit.Repository;
        repo.Write("a/parser.py", "def parse_header(text):\n    return text\n");
        repo.Write("b/parser.py", "def parse_header(text):\n    return text\n");
        await kit.CommitAllAsync("two parsers");
        repo.Write("b/parser.py", "def parse_header(text):\n    return text.strip()\n");
        await kit.CommitAllAsync("work on b");
        var request = kit.Request("parse the header");

        var snapshot = await kit.Scanner.ScanAsync(request, Git.GitTestRepository.Timeout);
        var ranked = ContextAssembler.RankFiles(request, snapshot, ContextAssembler.RankMap(request, snapshot, new HashSet<string>()));

        snapshot.RecentChanges["b/parser.py"].ShouldBe(1.0);
        ranked.Select(r => r.Path).Take(2).ShouldBe(["b/parser.py", "a/parser.py"]);
    }

    [Fact]
    public async Task FirstPrompt_ManyMatches_FillAllButTheMapAndDocsFloorsWithWholeFiles_WithinTheBudget()
    {
        using var kit = await ContextTestKit.CreateAsync();
        var repo = kit.Repository;
        repo.Write("readme.md", "# Billing\n\nInvoices for small shops.\n" + string.Concat(Enumerable.Repeat("More about the project.\n", 400)));
        for (var i = 0; i < 30; i++)
        {
            var notes = string.Concat(Enumerable.Range(0, 25).Select(n => $"    // Note {n} on how rule {i} treats discounts, credits and partial refunds.\n"));
            repo.Write($"src/Billing/InvoiceRule{i:00}.cs", $"namespace Billing;\n\npublic sealed class InvoiceRule{i:00}\n{{\n{notes}    public decimal ApplyInvoiceRule(decimal net) => net + {i}m;\n}}\n");
        }

        for (var i = 0; i < 40; i++)
        {
            repo.Write($"src/Shipping/Parcel{i}.cs", $"namespace Shipping;\n\npublic sealed class Parcel{i}\n{{\n    public int Weigh{i}(int grams) => grams + {i};\n}}\n");
        }

        await kit.CommitAllAsync();
        const int budget = 8_000;

        var context = await kit.BuildAsync(kit.Request("Every invoice rule should round its result", budget));

        var whole = context.Sections.Where(s => s.Kind == ContextSourceKind.RelevantFile).ToList();
        whole.Count.ShouldBeGreaterThan(5);
        whole.ShouldAllBe(s => s.Files[0].StartsWith("src/Billing/InvoiceRule", StringComparison.Ordinal) && !s.Truncated);
        whole.Sum(s => s.Tokens).ShouldBeGreaterThan(budget * 3 / 4);
        var map = context.Sections.Single(s => s.Kind == ContextSourceKind.RepoMap);
        map.Text.ShouldContain("src/Shipping/");
        map.Tokens.ShouldBeGreaterThan(300);
        context.Sections.Single(s => s.Kind == ContextSourceKind.Docs).Text.ShouldContain("Invoices for small shops.");
        context.Record.TokenCount.ShouldBeLessThanOrEqualTo(budget);
        kit.Estimator.Estimate(context.Text, null).ShouldBeLessThanOrEqualTo(budget);
    }
}
