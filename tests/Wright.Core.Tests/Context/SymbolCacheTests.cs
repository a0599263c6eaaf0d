using Wright.Core.Context;

namespace Wright.Core.Tests.Context;

/// <summary>What the scanner learned from each blob outlives the process: a restarted scan knows unchanged files by their blob id.</summary>
public sealed class SymbolCacheTests : IDisposable
{
    private readonly string _store = Path.Combine(Path.GetTempPath(), $"wright-symbols-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_store))
        {
            Directory.Delete(_store, recursive: true);
        }
    }

    [Fact]
    public async Task Build_AfterARestart_GivesTheSameContextFromTheStoredSymbols()
    {
        using var kit = await ContextTestKit.CreateAsync(_store);
        kit.Repository.Write("README.md", "# Shop\n\nSells things.\n");
        kit.Repository.Write("src/Invoice.cs", "public sealed class InvoiceCalculator\n{\n    public decimal TotalWithTax(decimal net) => net * 1.2m;\n}\n");
        kit.Repository.Write("src/Checkout.cs", "public sealed class Checkout\n{\n    public decimal Pay(InvoiceCalculator c) => c.TotalWithTax(10);\n}\n");
        await kit.CommitAllAsync();
        var request = kit.Request("Round TotalWithTax in InvoiceCalculator");

        var first = await kit.BuildAsync(request);
        var stored = Directory.GetFiles(_store).ShouldHaveSingleItem();
        var restarted = kit.Restarted(_store);
        var loaded = new SymbolCache(_store);
        var again = await restarted.BuildAsync(request);

        new FileInfo(stored).Length.ShouldBeGreaterThan(0);
        loaded.For(Wright.Core.Workspace.PathJail.ResolveReal(kit.Repository.Root)).Count.ShouldBe(first.Record.Workspace.Count);
        again.Text.ShouldBe(first.Text);
        again.Record.Workspace.ShouldBe(first.Record.Workspace, ignoreOrder: true);
        again.Record.FilesSent.ShouldBe(first.Record.FilesSent);
    }

    [Fact]
    public async Task Build_AfterARestartWithAFileChangedMeanwhile_ReadsThatFileAgain()
    {
        using var kit = await ContextTestKit.CreateAsync(_store);
        kit.Repository.Write("src/Invoice.cs", "public sealed class InvoiceCalculator\n{\n}\n");
        await kit.CommitAllAsync();
        await kit.BuildAsync(kit.Request("anything"));

        kit.Repository.Write("src/Invoice.cs", "public sealed class ReceiptPrinter\n{\n}\n");
        var restarted = kit.Restarted(_store);
        var context = await restarted.BuildAsync(kit.Request("Print a ReceiptPrinter"));
        var snapshot = await restarted.Scanner.ScanAsync(kit.Request("Print a ReceiptPrinter"), Git.GitTestRepository.Timeout);

        snapshot.Symbols.Single(s => s.Path == "src/Invoice.cs").Definitions.Select(d => d.Name).ShouldBe(["ReceiptPrinter"]);
        context.Record.Workspace["src/Invoice.cs"].ShouldBe(Wright.Core.Workspace.FileETag.Compute(File.ReadAllBytes(kit.Repository.PathOf("src/Invoice.cs"))));
    }

    [Fact]
    public async Task Build_WithADamagedStore_RebuildsFromTheFiles()
    {
        using var kit = await ContextTestKit.CreateAsync(_store);
        kit.Repository.Write("src/Invoice.cs", "public sealed class InvoiceCalculator\n{\n}\n");
        await kit.CommitAllAsync();
        var first = await kit.BuildAsync(kit.Request("InvoiceCalculator"));
        var stored = Directory.GetFiles(_store).ShouldHaveSingleItem();
        var bytes = File.ReadAllBytes(stored);
        File.WriteAllBytes(stored, bytes[..(bytes.Length / 2)]);

        var again = await kit.Restarted(_store).BuildAsync(kit.Request("InvoiceCalculator"));

        again.Text.ShouldBe(first.Text);
        new FileInfo(stored).Length.ShouldBe(bytes.Length);
    }
}
