using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Wright.Server.Tests.Git;
using Wright.Server.Tests.Infrastructure;

namespace Wright.Server.Tests.Files;

/// <summary><c>GET /api/projects/{id}/search</c> on both engines and <c>POST …/files:merge</c>, over real HTTP on real files and git.</summary>
public sealed class SearchAndMergeApiTests
{
    private static Task<WrightTestServer> StartAsync(bool useRipgrep) =>
        WrightTestServer.StartAsync(builder: b => b.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Search:UseRipgrep"] = useRipgrep ? "true" : "false",
        }));

    [Theory]
    [InlineData(true, "ripgrep")]
    [InlineData(false, "managed")]
    public async Task Search_PagesThroughMatchesInPathOrder_AndLeavesOutIgnoredAndBinaryFiles(bool useRipgrep, string engine)
    {
        await using var server = await StartAsync(useRipgrep);
        var project = await server.CreateProjectAsync();
        await File.WriteAllTextAsync(Path.Combine(project.Path, ".gitignore"), "dist/\n");
        Directory.CreateDirectory(Path.Combine(project.Path, "src"));
        Directory.CreateDirectory(Path.Combine(project.Path, "dist"));
        await File.WriteAllTextAsync(Path.Combine(project.Path, "src", "a.ts"), "const needle = 1;\nneedle();\n");
        await File.WriteAllTextAsync(Path.Combine(project.Path, "src", "b.ts"), "// Needle in b\n");
        await File.WriteAllTextAsync(Path.Combine(project.Path, "dist", "bundle.js"), "needle\n");
        await File.WriteAllBytesAsync(Path.Combine(project.Path, "blob.bin"), [(byte)'n', (byte)'e', (byte)'e', (byte)'d', (byte)'l', (byte)'e', 0, 1]);

        var first = await GetJsonAsync(server, Search(project, "q=needle&limit=2"));

        first.GetProperty("engine").GetString().ShouldBe(engine);
        Matches(first).ShouldBe([("src/a.ts", 1, 7, "const needle = 1;", 6), ("src/a.ts", 2, 1, "needle();", 6)]);
        first.GetProperty("truncated").GetBoolean().ShouldBeFalse();
        var cursor = first.GetProperty("nextCursor").GetString();
        cursor.ShouldNotBeNull();

        var second = await GetJsonAsync(server, Search(project, $"q=needle&limit=2&cursor={Uri.EscapeDataString(cursor)}"));

        Matches(second).ShouldBe([("src/b.ts", 1, 4, "// Needle in b", 6)]);
        second.GetProperty("nextCursor").ValueKind.ShouldBe(JsonValueKind.Null);

        var caseSensitive = await GetJsonAsync(server, Search(project, "q=Needle&caseSensitive=true"));
        Matches(caseSensitive).Select(m => m.Path).ShouldBe(["src/b.ts"]);
        var excluded = await GetJsonAsync(server, Search(project, "q=needle&exclude=a.ts"));
        Matches(excluded).Select(m => m.Path).ShouldBe(["src/b.ts"]);
        var regex = await GetJsonAsync(server, Search(project, $"q={Uri.EscapeDataString("^needle\\(")}&regex=true"));
        Matches(regex).ShouldBe([("src/a.ts", 2, 1, "needle();", 7)]);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Search_BadRegex_AnswersInvalidRegex(bool useRipgrep)
    {
        await using var server = await StartAsync(useRipgrep);
        var project = await server.CreateProjectAsync();

        using var response = await server.Client.GetAsync(Search(project, "q=%5Bunclosed&regex=true")).Bounded();

        await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest, "invalid_regex");
    }

    [Fact]
    public async Task Search_QueryStartingWithDashes_IsTextToFind()
    {
        await using var server = await StartAsync(useRipgrep: true);
        var project = await server.CreateProjectAsync();
        await File.WriteAllTextAsync(Path.Combine(project.Path, "flags.txt"), "run with --files please\n");

        var page = await GetJsonAsync(server, Search(project, "q=--files"));

        Matches(page).ShouldBe([("flags.txt", 1, 10, "run with --files please", 7)]);
    }

    [Fact]
    public async Task Search_WithoutQueryOrWithBadLimit_IsRefused()
    {
        await using var server = await StartAsync(useRipgrep: true);
        var project = await server.CreateProjectAsync();

        using var noQuery = await server.Client.GetAsync(Search(project, "q=")).Bounded();
        using var badLimit = await server.Client.GetAsync(Search(project, "q=x&limit=5000")).Bounded();
        using var badCursor = await server.Client.GetAsync(Search(project, "q=x&cursor=%25%25")).Bounded();

        await noQuery.ShouldBeProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        await badLimit.ShouldBeProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        await badCursor.ShouldBeProblemAsync(HttpStatusCode.BadRequest, "invalid_cursor");
    }

    [Fact]
    public async Task Merge_EditsOfDifferentLines_MergeCleanlyAndTheDiskIsUntouched()
    {
        await using var server = await WrightTestServer.StartAsync();
        var project = await server.CreateProjectAsync();
        var baseText = "one\ntwo\nthree\nfour\nfive\n";
        await File.WriteAllTextAsync(Path.Combine(project.Path, "notes.txt"), "one\ntwo\nthree\nfour\nFIVE from disk\n");
        var before = Directory.GetFiles(Path.GetTempPath(), "wright-merge-*").Length;

        using var response = await server.Client.PostAsJsonAsync(Merge(project), new { path = "notes.txt", @base = baseText, mine = "ONE from mine\ntwo\nthree\nfour\nfive\n" }).Bounded();

        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        var merged = await response.Content.ReadFromJsonAsync<JsonElement>().Bounded();
        merged.GetProperty("content").GetString().ShouldBe("ONE from mine\ntwo\nthree\nfour\nFIVE from disk\n");
        merged.GetProperty("conflicts").GetInt32().ShouldBe(0);
        (await File.ReadAllTextAsync(Path.Combine(project.Path, "notes.txt"))).ShouldBe("one\ntwo\nthree\nfour\nFIVE from disk\n");
        Directory.GetFiles(Path.GetTempPath(), "wright-merge-*").Length.ShouldBeLessThanOrEqualTo(before);

        // The ETag is the disk version's: saving the merged text over it with If-Match succeeds.
        var etag = merged.GetProperty("etag").GetString()!;
        using var save = new HttpRequestMessage(HttpMethod.Put, $"/api/projects/{project.Id}/files/notes.txt") { Content = JsonContent.Create(new { content = merged.GetProperty("content").GetString() }) };
        save.Headers.IfMatch.Add(new EntityTagHeaderValue($"\"{etag}\""));
        using var saved = await server.Client.SendAsync(save).Bounded();
        saved.StatusCode.ShouldBe(HttpStatusCode.OK, await saved.Content.ReadAsStringAsync());
        (await File.ReadAllTextAsync(Path.Combine(project.Path, "notes.txt"))).ShouldBe("ONE from mine\ntwo\nthree\nfour\nFIVE from disk\n");
    }

    [Fact]
    public async Task Merge_EditsOfTheSameLine_ReportAConflictWithMarkers()
    {
        await using var server = await WrightTestServer.StartAsync();
        var project = await server.CreateProjectAsync();
        await File.WriteAllTextAsync(Path.Combine(project.Path, "app.cs"), "a\r\nb from disk\r\nc\r\n");

        using var response = await server.Client.PostAsJsonAsync(Merge(project), new { path = "app.cs", @base = "a\r\nb\r\nc\r\n", mine = "a\nb from mine\nc\n" }).Bounded();

        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        var merged = await response.Content.ReadFromJsonAsync<JsonElement>().Bounded();
        merged.GetProperty("conflicts").GetInt32().ShouldBe(1);
        merged.GetProperty("content").GetString().ShouldBe("a\n<<<<<<< mine\nb from mine\n=======\nb from disk\n>>>>>>> disk\nc\n");
        (await File.ReadAllTextAsync(Path.Combine(project.Path, "app.cs"))).ShouldBe("a\r\nb from disk\r\nc\r\n");
        (await GitCli.RunAsync(project.Path, "status", "--porcelain")).ShouldContain("app.cs");
    }

    [Fact]
    public async Task Merge_MissingFileOrPathOutside_IsRefused()
    {
        await using var server = await WrightTestServer.StartAsync();
        var project = await server.CreateProjectAsync();

        using var missing = await server.Client.PostAsJsonAsync(Merge(project), new { path = "nope.txt", @base = "", mine = "x" }).Bounded();
        using var outside = await server.Client.PostAsJsonAsync(Merge(project), new { path = "../x.txt", @base = "", mine = "x" }).Bounded();
        using var noBase = await server.Client.PostAsJsonAsync(Merge(project), new { path = "x.txt", mine = "x" }).Bounded();

        await missing.ShouldBeProblemAsync(HttpStatusCode.NotFound, "file_not_found");
        await outside.ShouldBeProblemAsync(HttpStatusCode.Forbidden, "path_outside_project");
        await noBase.ShouldBeProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
    }

    private static string Search(ProjectInfo project, string query) => $"/api/projects/{project.Id}/search?{query}";

    private static string Merge(ProjectInfo project) => $"/api/projects/{project.Id}/files:merge";

    private static async Task<JsonElement> GetJsonAsync(WrightTestServer server, string url)
    {
        using var response = await server.Client.GetAsync(url).Bounded();
        var body = await response.Content.ReadAsStringAsync().Bounded();
        response.StatusCode.ShouldBe(HttpStatusCode.OK, body);
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    private static List<(string Path, int Line, int Column, string Preview, int Length)> Matches(JsonElement page) =>
        page.GetProperty("items").EnumerateArray()
            .Select(m => (m.GetProperty("path").GetString()!, m.GetProperty("line").GetInt32(), m.GetProperty("column").GetInt32(), m.GetProperty("preview").GetString()!, m.GetProperty("matchLength").GetInt32()))
            .ToList();
}
