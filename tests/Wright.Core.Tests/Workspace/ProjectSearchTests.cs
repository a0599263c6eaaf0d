using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Wright.Core.Errors;
using Wright.Core.Projects;
using Wright.Core.Tests.Git;
using Wright.Core.Workspace;

namespace Wright.Core.Tests.Workspace;

/// <summary>ripgrep and the managed search give the same pages on the same repository.</summary>
public sealed class ProjectSearchTests : IAsyncLifetime
{
    private GitTestRepository _repository = null!;

    public async Task InitializeAsync()
    {
        _repository = await GitTestRepository.CreateAsync();
        _repository.Write(".gitignore", "build/\n*.log\n");
        _repository.Write("src/App.cs", "class App\n{\n    // TODO: wire Foo\n    void Foo() { Foo(); foobar(); }\n}\n");
        _repository.Write("src/app-helpers.ts", "export const foo = 'FOO';\r\nconst notfoo = 1;\r\n");
        _repository.Write("src/deep/nested/x.md", "Foo bar foo\n");
        _repository.Write("a-b.txt", "foo at the root\n");
        _repository.Write("build/out.txt", "foo ignored\n");
        _repository.Write("debug.log", "foo ignored too\n");
        _repository.Write("docs/café.txt", "naïve café foo ✓\n");
        _repository.Write("long.txt", new string('x', 2_000) + "foo" + new string('y', 2_000) + "\n");
        File.WriteAllBytes(_repository.PathOf("image.bin"), [0x66, 0x6F, 0x6F, 0x00, 0x01]);
        _repository.Write("-dash.txt", "--foo starts with dashes\n");
        await _repository.GitAsync("add", "--all");
        await _repository.GitAsync("commit", "--quiet", "-m", "Fixture");
        _repository.Write("untracked.txt", "foo not yet committed\n");
    }

    public Task DisposeAsync()
    {
        _repository.Dispose();
        return Task.CompletedTask;
    }

    public static TheoryData<string, bool, bool, bool, string, string> Queries => new()
    {
        { "foo", false, false, false, "", "" },
        { "foo", false, true, false, "", "" },
        { "foo", false, false, true, "", "" },
        { "fo+\\b", true, false, false, "", "" },
        { "foo", false, false, false, "*.cs,*.md", "" },
        { "foo", false, false, false, "src/**", "deep" },
        { "--foo", false, false, false, "", "" },
        { "naïve café", false, false, false, "", "" },
        { "nothing-matches-this", false, false, false, "", "" },
    };

    [Theory]
    [MemberData(nameof(Queries))]
    public async Task Search_RipgrepAndManaged_ReturnTheSameMatches(string text, bool regex, bool caseSensitive, bool wholeWord, string include, string exclude)
    {
        var query = new SearchQuery(text, regex, caseSensitive, wholeWord, SearchQuery.Globs(include), SearchQuery.Globs(exclude));

        var ripgrep = await AllAsync(Search(useRipgrep: true), query, pageSize: 3);
        var managed = await AllAsync(Search(useRipgrep: false), query, pageSize: 3);

        ripgrep.ShouldBe(managed);
    }

    [Fact]
    public async Task Search_Foo_FindsEveryVisibleTextFileAndSkipsIgnoredBinaryAndGit()
    {
        foreach (var useRipgrep in new[] { true, false })
        {
            var page = await Search(useRipgrep).SearchAsync(Project, new SearchQuery("foo", false, false, false, [], []), 1_000, null, GitTestRepository.Timeout);

            page.Engine.ShouldBe(useRipgrep ? "ripgrep" : "managed");
            var paths = page.Items.Select(i => i.Path).Distinct().ToList();
            paths.ShouldBe(["-dash.txt", "a-b.txt", "docs/café.txt", "long.txt", "src/App.cs", "src/app-helpers.ts", "src/deep/nested/x.md", "untracked.txt"]);
            var app = page.Items.Where(i => i.Path == "src/App.cs").ToList();
            app.Select(i => (i.Line, i.Column)).ShouldBe([(3, 19), (4, 10), (4, 18), (4, 25)]);
            app[0].Preview.ShouldBe("    // TODO: wire Foo");
            app[0].MatchLength.ShouldBe(3);
            var crlf = page.Items.First(i => i.Path == "src/app-helpers.ts");
            crlf.Preview.ShouldBe("export const foo = 'FOO';");
            var cafe = page.Items.Single(i => i.Path == "docs/café.txt");
            cafe.Column.ShouldBe(12);
            cafe.Preview.Substring(cafe.Column - 1, cafe.MatchLength).ShouldBe("foo");
            var longLine = page.Items.Single(i => i.Path == "long.txt");
            longLine.Preview.Length.ShouldBe(ProjectSearch.MaxPreviewChars);
            (longLine.PreviewOffset + longLine.Column).ShouldBe(2_001);
            longLine.Preview.Substring(longLine.Column - 1, longLine.MatchLength).ShouldBe("foo");
            page.NextCursor.ShouldBeNull();
            page.Truncated.ShouldBeFalse();
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Search_BadRegex_IsInvalidRegex(bool useRipgrep)
    {
        var error = await Should.ThrowAsync<WrightException>(() =>
            Search(useRipgrep).SearchAsync(Project, new SearchQuery("foo(", true, false, false, [], []), null, null, GitTestRepository.Timeout));

        error.Code.ShouldBe(ErrorCodes.InvalidRegex);
    }

    [Fact]
    public void RipgrepArguments_PutThePatternAfterTheEndOfOptions()
    {
        var arguments = Search(true).RipgrepArguments(new SearchQuery("--files", false, false, false, ["*.cs"], ["node_modules"]));

        arguments[^3].ShouldBe("--");
        arguments[^2].ShouldBe("--files");
        arguments.ShouldContain("!node_modules");
    }

    [Fact]
    public void SearchOptions_BadSettings_AreNamedByKey_AndTheDefaultsPass()
    {
        new SearchOptionsValidation().Validate(null, new SearchOptions()).Succeeded.ShouldBeTrue();

        var result = new SearchOptionsValidation().Validate(null, new SearchOptions { RipgrepPath = " ", MaxFileBytes = 0, MaxLinesPerFile = 0, Timeout = TimeSpan.Zero });

        result.Failures!.Count().ShouldBe(4);
        result.Failures!.ShouldContain(f => f.Contains("Search:Timeout", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Search_RipgrepMissing_FallsBackToTheManagedSearch()
    {
        var search = new ProjectSearch(_repository.Service, Options.Create(new SearchOptions { RipgrepPath = "/nonexistent/rg-" + Guid.NewGuid().ToString("N") }), NullLogger<ProjectSearch>.Instance);

        var page = await search.SearchAsync(Project, new SearchQuery("wire", false, false, false, [], []), null, null, GitTestRepository.Timeout);

        page.Engine.ShouldBe("managed");
        page.Items.ShouldHaveSingleItem().Path.ShouldBe("src/App.cs");
    }

    private Project Project => new(Guid.NewGuid(), "search", _repository.Root, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, null);

    private ProjectSearch Search(bool useRipgrep) =>
        new(_repository.Service, Options.Create(new SearchOptions { UseRipgrep = useRipgrep }), NullLogger<ProjectSearch>.Instance);

    private async Task<List<SearchMatch>> AllAsync(ProjectSearch search, SearchQuery query, int pageSize)
    {
        var all = new List<SearchMatch>();
        string? cursor = null;
        for (var pages = 0; pages < 100; pages++)
        {
            var page = await search.SearchAsync(Project, query, pageSize, cursor, GitTestRepository.Timeout);
            all.AddRange(page.Items);
            page.Items.Count.ShouldBeLessThanOrEqualTo(pageSize);
            cursor = page.NextCursor;
            if (cursor is null)
            {
                return all;
            }
        }

        throw new InvalidOperationException("The search never ended.");
    }
}
