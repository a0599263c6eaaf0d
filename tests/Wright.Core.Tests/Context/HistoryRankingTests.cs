using Wright.Core.Context;
using Wright.Core.Git;
using Wright.Core.Tests.Git;

namespace Wright.Core.Tests.Context;

/// <summary>
/// A first prompt's ranking learns from the history before HEAD (past commits about the same
/// words, files changed together) and puts the source that changes above its tests and docs; each
/// signal is shown to decide the order by ranking again without it.
/// </summary>
public sealed class HistoryRankingTests
{
    [Fact]
    public async Task PastCommitAboutTheSameWords_LiftsTheFileItChanged_AboveAnEqualMatchChangedMoreRecently()
    {
        using var kit = await ContextTestKit.CreateAsync();
        var repo = kit.Repository;
        repo.Write("a/totals.py", "def total(items):\n    return sum(items)\n");
        repo.Write("b/totals.py", "def total(items):\n    return sum(items)\n");
        await kit.CommitAllAsync("two modules");
        repo.Write("b/totals.py", "def total(items):\n    return round(sum(items), 2)\n");
        await kit.CommitAllAsync("Invoice amounts are rounded to whole cents");
        repo.Write("a/totals.py", "def total(items):\n    values = list(items)\n    return sum(values)\n");
        await kit.CommitAllAsync("Tidy a variable name");

        var (with, without) = await RankBothAsync(kit, "invoice total rounded to cents", RankWeights.Default with { History = 0 });

        with.Take(2).ShouldBe(["b/totals.py", "a/totals.py"]);
        without.Take(2).ShouldBe(["a/totals.py", "b/totals.py"]);
    }

    [Fact]
    public async Task FileOftenChangedWithTheBestMatch_IsRankedNextToIt_AboveFilesChangedMoreRecently()
    {
        using var kit = await ContextTestKit.CreateAsync();
        var repo = kit.Repository;
        repo.Write("src/Billing/InvoiceCalculator.cs", "namespace Billing;\n\npublic sealed class InvoiceCalculator\n{\n    public decimal TotalWithTax(decimal net) => net * 1.2m;\n}\n");
        repo.Write("src/Wiring/Registry.cs", "namespace Wiring;\n\npublic static class Registry\n{\n    public static int Count => 1;\n}\n");
        for (var i = 0; i < 6; i++)
        {
            repo.Write($"src/Other/Module{i}.cs", $"namespace Other;\n\npublic sealed class Module{i}\n{{\n    public int Compute{i}(int x) => x + {i};\n}}\n");
        }

        await kit.CommitAllAsync("start");
        for (var round = 0; round < 2; round++)
        {
            repo.Write("src/Billing/InvoiceCalculator.cs", repo.Read("src/Billing/InvoiceCalculator.cs") + $"// step {round}\n");
            repo.Write("src/Wiring/Registry.cs", repo.Read("src/Wiring/Registry.cs") + $"// step {round}\n");
            await kit.CommitAllAsync($"Step {round}");
        }

        repo.Write("src/Other/Module1.cs", repo.Read("src/Other/Module1.cs") + "// later\n");
        repo.Write("src/Other/Module2.cs", repo.Read("src/Other/Module2.cs") + "// later\n");
        await kit.CommitAllAsync("Later");

        var (with, without) = await RankBothAsync(kit, "The invoice calculator should round the total with tax", RankWeights.Default with { CoChange = 0 });

        with.Take(2).ShouldBe(["src/Billing/InvoiceCalculator.cs", "src/Wiring/Registry.cs"]);
        without[0].ShouldBe("src/Billing/InvoiceCalculator.cs");
        without[1].ShouldNotBe("src/Wiring/Registry.cs");
    }

    [Fact]
    public async Task SourceIsRankedAboveItsTestAndTheDocs_ThatMatchThePromptMoreOften()
    {
        using var kit = await ContextTestKit.CreateAsync();
        var repo = kit.Repository;
        repo.Write("src/parser.py", "def parse_header(text):\n    return text\n");
        repo.Write("tests/test_parser.py", "from src.parser import parse_header\n\ndef test_parse_header():\n    assert parse_header('header') == 'header'\n\ndef test_parse_header_with_spaces():\n    assert parse_header(' header ') == 'header'\n");
        repo.Write("web/e2e/parser.mjs", "// parse header parse header parse header\nexport const parseHeader = (header) => parseHeaderText(header);\n");
        repo.Write("docs/parser.md", "# Parser\n\nparse_header parses a header. The header parser parses headers; parse_header is the header parser.\n");
        await kit.CommitAllAsync();

        var (with, without) = await RankBothAsync(kit, "a header with spaces should parse", RankWeights.Default with { TestFactor = 1, DocFactor = 1 });

        with[0].ShouldBe("src/parser.py");
        without[0].ShouldNotBe("src/parser.py");
    }

    [Fact]
    public async Task TestBesideItsSubject_RanksJustBehindIt_ATestInAnotherTreeDoesNot()
    {
        using var kit = await ContextTestKit.CreateAsync();
        var repo = kit.Repository;
        repo.Write("web/lib/graph.ts", "export function changeNodeType(graph, id, type) {\n  return graph;\n}\n\nexport function undoEdit(graph) {\n  return graph;\n}\n");
        repo.Write("web/lib/graph.test.ts", "import { changeNodeType } from './graph';\n\ntest('a node type changes in place', () => {\n  expect(changeNodeType({}, 'a', 'end')).toEqual({});\n});\n");
        repo.Write("tests/graph.test.ts", "import { changeNodeType } from '../web/lib/graph';\n\ntest('node type', () => {\n  expect(changeNodeType({}, 'a', 'end')).toEqual({});\n});\n");
        repo.Write("web/lib/nodes.ts", "export function nodeLabel(node) {\n  return node.type;\n}\n");
        repo.Write("web/lib/history.ts", "export function undoStack(edits) {\n  return edits;\n}\n");
        repo.Write("web/lib/types.ts", "export type NodeType = 'start' | 'end';\n");
        await kit.CommitAllAsync();

        var (with, without) = await RankBothAsync(kit, "Flow editor: change a node's type in place, with undo", RankWeights.Default with { TestBesideSubject = 0 });

        // Behind its subject (and the type file that matches as well), above the weaker matches it fell below alone.
        with.IndexOf("web/lib/graph.test.ts").ShouldBe(2);
        without.IndexOf("web/lib/graph.test.ts").ShouldBeGreaterThan(without.IndexOf("web/lib/nodes.ts"));
        without.IndexOf("web/lib/graph.test.ts").ShouldBeGreaterThan(without.IndexOf("web/lib/history.ts"));
        with.IndexOf("tests/graph.test.ts").ShouldBeGreaterThan(with.IndexOf("web/lib/nodes.ts"));
    }

    [Theory]
    [InlineData("graph.test", "graph")]
    [InlineData("BranchMap.spec", "BranchMap")]
    [InlineData("server_test", "server")]
    [InlineData("test_parser", "parser")]
    [InlineData("FileRankerTests", "FileRanker")]
    [InlineData("ParserTest", "Parser")]
    [InlineData("graph", null)]
    [InlineData("Contest", null)]
    [InlineData("Tests", null)]
    public void SubjectName_RemovesTheTestMarker(string testName, string? expected)
    {
        FileRanker.SubjectName(testName).ShouldBe(expected);
    }

    [Theory]
    [InlineData("tests/Wright.Core.Tests/Context/FileRankerTests.cs", true)]
    [InlineData("src/Foo.Tests/Bar.cs", true)]
    [InlineData("web/src/lib/graph.test.ts", true)]
    [InlineData("web/e2e/run.mjs", true)]
    [InlineData("pkg/server_test.go", true)]
    [InlineData("lib/test_parser.py", true)]
    [InlineData("spec/models/user_spec.rb", true)]
    [InlineData("src/Wright.Core/Context/FileRanker.cs", false)]
    [InlineData("src/Testing/Contest.cs", false)]
    [InlineData("web/src/lib/latest.ts", false)]
    public void IsTest_FollowsTheCommonConventions(string path, bool expected)
    {
        FileRanker.IsTest(path).ShouldBe(expected);
    }

    [Fact]
    public async Task History_IsReadOncePerHead_ExtendedWhenHeadMovesOn_AndReadAgainWhenItMovesBack()
    {
        using var repo = await GitTestRepository.CreateAsync();
        var reader = new CommitHistoryReader(new GitRunner());
        repo.Write("a.txt", "one\n");
        await repo.GitAsync("add", "--all");
        await repo.GitAsync("commit", "--quiet", "-m", "First");
        var first = await repo.HeadAsync();
        repo.Write("b.txt", "two\n");
        await repo.GitAsync("add", "--all");
        await repo.GitAsync("commit", "--quiet", "-m", "Second");
        var second = await repo.HeadAsync();

        var atSecond = await reader.ReadAsync(repo.Root, second, GitTestRepository.Timeout);
        (await reader.ReadAsync(repo.Root, second, GitTestRepository.Timeout)).ShouldBeSameAs(atSecond);
        atSecond.Commits.Select(c => c.Message).ShouldBe(["Second", "First", "Initial commit"]);
        atSecond.Commits[0].Files.ShouldBe(["b.txt"]);

        repo.Write("a.txt", "three\n");
        await repo.GitAsync("add", "--all");
        await repo.GitAsync("commit", "--quiet", "-m", "Third\n\nWith a body.");
        var third = await repo.HeadAsync();
        var atThird = await reader.ReadAsync(repo.Root, third, GitTestRepository.Timeout);
        atThird.Commits.Select(c => c.Message).ShouldBe(["Third\n\nWith a body.", "Second", "First", "Initial commit"]);
        atThird.RecentChanges["a.txt"].ShouldBe(1.0);

        // Back at an older commit (a reset, a checkout): nothing of what came after may count.
        var atFirst = await reader.ReadAsync(repo.Root, first, GitTestRepository.Timeout);
        atFirst.Commits.Select(c => c.Message).ShouldBe(["First", "Initial commit"]);
        (await reader.ReadAsync(repo.Root, null, GitTestRepository.Timeout)).Commits.ShouldBeEmpty();
    }

    private static async Task<(List<string> With, List<string> Without)> RankBothAsync(ContextTestKit kit, string prompt, RankWeights without)
    {
        var request = kit.Request(prompt);
        var snapshot = await kit.Scanner.ScanAsync(request, GitTestRepository.Timeout);
        var map = ContextAssembler.RankMap(request, snapshot, new HashSet<string>());
        var with = ContextAssembler.RankFiles(request, snapshot, map).Select(r => r.Path).ToList();
        var other = FileRanker.Rank(snapshot.Symbols, prompt, map.FileRanks, snapshot.History, without).Select(r => r.Path).ToList();
        return (with, other);
    }
}
