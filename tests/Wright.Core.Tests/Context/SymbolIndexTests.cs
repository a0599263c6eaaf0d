using Wright.Core.Context;

namespace Wright.Core.Tests.Context;

/// <summary>
/// The ranking's index of a workspace's symbols is reused across prompts while the symbols are
/// the same, and never once a file changed: the next prompt ranks what the files say now.
/// </summary>
public sealed class SymbolIndexTests
{
    private static FileSymbols File(string path, string[] definitions, params (string Name, int Uses)[] references) =>
        new(path, definitions.Select((d, i) => new SymbolDefinition(d, i + 1, $"class {d}")).ToList(), references.ToDictionary(r => r.Name, r => r.Uses, StringComparer.Ordinal));

    private static List<FileSymbols> Workspace() =>
    [
        File("src/Billing/Checkout.cs", ["Checkout"], ("InvoiceCalculator", 2)),
        File("src/Billing/InvoiceCalculator.cs", ["InvoiceCalculator", "TotalWithTax"]),
        File("src/Shipping/Parcel.cs", ["Parcel"], ("Label", 1)),
        File("src/Shipping/Label.cs", ["Label"]),
    ];

    [Fact]
    public void SameSymbols_ReuseTheIndex_NewListsOfAFile_BuildANewOne()
    {
        var files = Workspace();

        var first = SymbolIndex.For(files);
        SymbolIndex.For([.. files]).ShouldBeSameAs(first);

        // The same path and text as before, but read again (new lists): not trusted to be the same.
        var changed = files.ToList();
        changed[3] = File("src/Shipping/Label.cs", ["Label"]);
        SymbolIndex.For(changed).ShouldNotBeSameAs(first);
    }

    [Fact]
    public void FileRanker_AfterAFileChanged_RanksWhatItDefinesNow()
    {
        var files = Workspace();
        var prompt = "Fix TariffRounding before the parcel ships";
        var before = FileRanker.Rank(files, prompt, new Dictionary<string, double>(), CommitHistory.Empty);
        before[0].Path.ShouldBe("src/Shipping/Parcel.cs");

        // Label.cs now defines the tariff (and uses it twice): the ranking's index must see it.
        var changed = files.ToList();
        changed[3] = File("src/Shipping/Label.cs", ["Label", "TariffRounding", "RoundTariff"], ("TariffRounding", 2));
        var after = FileRanker.Rank(changed, prompt, new Dictionary<string, double>(), CommitHistory.Empty);

        after[0].Path.ShouldBe("src/Shipping/Label.cs");
        after[0].WordScore.ShouldBeGreaterThan(before.Single(r => r.Path == "src/Shipping/Label.cs").WordScore);
    }

    [Fact]
    public void RepoMap_AfterAFileStartsUsingAnother_GivesItTheEdge()
    {
        var files = Workspace();
        var chat = new HashSet<string>(StringComparer.Ordinal) { "src/Billing/Checkout.cs" };
        var before = RepoMap.Rank(files, chat, new HashSet<string>(), new HashSet<string>());
        var labelBefore = before.FileRanks["src/Shipping/Label.cs"];

        // Checkout (in the chat) now prints labels: Label gains rank from the chat's file.
        var changed = files.ToList();
        changed[0] = File("src/Billing/Checkout.cs", ["Checkout"], ("InvoiceCalculator", 2), ("Label", 3));
        var after = RepoMap.Rank(changed, chat, new HashSet<string>(), new HashSet<string>());

        after.FileRanks["src/Shipping/Label.cs"].ShouldBeGreaterThan(labelBefore);
        after.Definitions.Select(d => d.Definition.Name).Take(2).ShouldContain("Label");
    }

    [Fact]
    public void RepoMap_OneIndex_ServesPromptsThatNameDifferentIdentifiers()
    {
        var files = Workspace();
        var none = new HashSet<string>();

        var billing = RepoMap.Rank(files, none, none, new HashSet<string> { "InvoiceCalculator" });
        var shipping = RepoMap.Rank(files, none, none, new HashSet<string> { "Label" });

        billing.Definitions[0].Definition.Name.ShouldBe("InvoiceCalculator");
        shipping.Definitions[0].Definition.Name.ShouldBe("Label");
    }

    [Fact]
    public async Task ContextBuilder_FileEditedBetweenTwoPrompts_NextPromptRanksItsNewSymbols()
    {
        using var kit = await ContextTestKit.CreateAsync();
        var repo = kit.Repository;
        repo.Write("src/Billing/Invoice.cs", "namespace Billing;\n\npublic sealed class Invoice\n{\n    public decimal Net { get; init; }\n}\n");
        for (var i = 0; i < 20; i++)
        {
            repo.Write($"src/Other/Module{i}.cs", $"namespace Other;\n\npublic sealed class Module{i}\n{{\n    public int Compute{i}(int x) => x + {i};\n}}\n");
        }

        await kit.CommitAllAsync();
        var prompt = "Make the TariffSchedule round each rate";
        var before = await kit.BuildAsync(kit.Request(prompt));
        before.Record.FilesSent.ShouldNotContain(f => f.Path == "src/Other/Module7.cs");

        // Edited in the working tree (not committed) between two prompts of the same process.
        repo.Write("src/Other/Module7.cs", "namespace Other;\n\npublic sealed class TariffSchedule\n{\n    public decimal RoundRate(decimal rate) => rate;\n}\n");
        var after = await kit.BuildAsync(kit.Request(prompt));

        after.Record.FilesSent.ShouldContain(f => f.Path == "src/Other/Module7.cs" && f.Whole);
        after.Sections.ShouldContain(s => s.Kind == ContextSourceKind.RelevantFile && s.Text.Contains("class TariffSchedule", StringComparison.Ordinal));
    }
}
