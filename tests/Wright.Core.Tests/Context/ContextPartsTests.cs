using Wright.Core.Actions;
using Wright.Core.Context;

namespace Wright.Core.Tests.Context;

public sealed class ContextPartsTests
{
    [Theory]
    [InlineData("a.cs", "public sealed class Cart\n{\n    public decimal Total(int x) { return x; }\n}\n", "Cart,Total")]
    [InlineData("a.ts", "export interface Item { id: string }\nexport async function loadItems() {}\nexport const API_URL = 'x';\nclass Store {\n  find(id: string): Item {\n  }\n}\n", "Item,loadItems,API_URL,Store,find")]
    [InlineData("a.py", "import os\n\nMAX_ITEMS = 10\n\nclass Cart:\n    def total(self):\n        return 0\n\ndef helper():\n    pass\n", "MAX_ITEMS,Cart,total,helper")]
    [InlineData("a.go", "package main\n\ntype Cart struct{}\n\nfunc (c *Cart) Total() int { return 0 }\n\nfunc main() {}\n", "Cart,Total,main")]
    [InlineData("a.rs", "pub struct Cart;\n\nimpl Cart {\n    pub fn total(&self) -> u32 { 0 }\n}\n\nfn helper() {}\n", "Cart,Cart,total,helper")]
    [InlineData("A.java", "public class Cart {\n    public int total(int x) { return x; }\n}\n", "Cart,total")]
    [InlineData("notes.txt", "class NotCode\n", "")]
    public void Extract_EachLanguage_FindsItsTopLevelDefinitions(string path, string text, string expected)
    {
        var symbols = SymbolExtractor.Extract(path, text);

        string.Join(',', symbols.Definitions.Select(d => d.Name)).ShouldBe(expected);
    }

    [Fact]
    public void Extract_References_CountsIdentifiersButNotKeywords()
    {
        var symbols = SymbolExtractor.Extract("a.cs", "var cart = new Cart(); cart.Total(); cart.Total();");

        symbols.References["Total"].ShouldBe(2);
        symbols.References.ContainsKey("new").ShouldBeFalse();
        symbols.References.ContainsKey("var").ShouldBeFalse();
    }

    [Fact]
    public void Estimate_AfterObservingAModel_MovesTowardItsRealCounts()
    {
        var estimator = new TokenEstimator();
        var text = new string('x', 4000);
        estimator.Estimate(text, "m").ShouldBe(1000);

        estimator.Observe("m", 4000, 1500);
        estimator.Observe("m", 4000, 1500);

        estimator.Estimate(text, "m").ShouldBe(1500);
        estimator.Estimate(text, "other").ShouldBe(1000);
        new TokenEstimator(estimator.Calibration).Estimate(text, "m").ShouldBe(1500);
    }

    [Theory]
    [InlineData("*.log", "a/b/c.log", true)]
    [InlineData("*.log", "c.log.txt", false)]
    [InlineData("secrets/", "secrets/a/b.txt", true)]
    [InlineData("secrets/", "app/secrets/b.txt", true)]
    [InlineData("/secrets/", "app/secrets/b.txt", false)]
    [InlineData("/build", "build/x.js", true)]
    [InlineData("docs/**/*.md", "docs/a/b/c.md", true)]
    [InlineData("docs/**/*.md", "src/docs/a.md", false)]
    [InlineData("data", "src/data/x.csv", true)]
    public void PathPattern_GitignoreStyle_MatchesAsGitWould(string pattern, string path, bool matches) =>
        new PathPattern(pattern).IsMatch(path).ShouldBe(matches);

    [Theory]
    [InlineData("-----BEGIN RSA PRIVATE KEY-----\nabc\n", ContextExclusion.SecretContent)]
    [InlineData("-----BEGIN PRIVATE KEY-----\nabc\n", ContextExclusion.SecretContent)]
    [InlineData("-----BEGIN CERTIFICATE-----\nabc\n", null)]
    [InlineData("plain text\n", null)]
    public void Admit_Content_RefusesPrivateKeysOnly(string content, ContextExclusion? expected)
    {
        var filter = ContextFileFilter.Create("/tmp", ["f.txt"], ProjectConfig.Default);

        var (_, exclusion) = filter.Admit("f.txt", System.Text.Encoding.UTF8.GetBytes(content));

        exclusion.ShouldBe(expected);
    }

    [Theory]
    [InlineData(".env", ContextExclusion.SecretName)]
    [InlineData("config/.env.production", ContextExclusion.SecretName)]
    [InlineData("tls/cert.pem", ContextExclusion.SecretName)]
    [InlineData("id_ed25519", ContextExclusion.SecretName)]
    [InlineData(".wright/config", ContextExclusion.Internal)]
    [InlineData("not-listed.txt", ContextExclusion.Ignored)]
    [InlineData("src/app.ts", null)]
    public void CheckName_Path_FailsTheRightFilter(string path, ContextExclusion? expected)
    {
        var filter = ContextFileFilter.Create("/tmp", [".env", "config/.env.production", "tls/cert.pem", "id_ed25519", ".wright/config", "src/app.ts"], ProjectConfig.Default);

        filter.CheckName(path).ShouldBe(expected);
    }
}
