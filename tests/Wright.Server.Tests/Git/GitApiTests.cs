using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Wright.Server.Tests.Infrastructure;

namespace Wright.Server.Tests.Git;

public sealed class GitApiTests
{
    [Fact]
    public async Task Commit_FileWrittenToDisk_AppearsInLogWithMessageTrailersAuthorAndFiles()
    {
        await using var server = await WrightTestServer.StartAsync();
        var project = await server.CreateProjectAsync();
        await File.WriteAllTextAsync(Path.Combine(project.Path, "hello.txt"), "one\ntwo\n");

        var response = await server.Client.PostAsJsonAsync(Git(project, "commits"), new
        {
            message = "Add hello\n\nA greeting for everyone.",
            trailers = new Dictionary<string, string> { ["Wright-Prompt"] = "say hello", ["Wright-Model"] = "fake-1" },
        }).Bounded();

        response.StatusCode.ShouldBe(HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        var created = await ReadJsonAsync(response);
        var sha = created.GetProperty("sha").GetString()!;
        response.Headers.Location!.ToString().ShouldBe($"/api/projects/{project.Id}/git/commits/{sha}");
        sha.ShouldBe(await GitCli.HeadAsync(project.Path));

        var log = await GetJsonAsync(server, Git(project, "log"));
        var commits = log.GetProperty("items");
        commits.GetArrayLength().ShouldBe(2);
        var commit = commits[0];
        commit.GetProperty("sha").GetString().ShouldBe(sha);
        commit.GetProperty("subject").GetString().ShouldBe("Add hello");
        commit.GetProperty("body").GetString()!.ShouldStartWith("A greeting for everyone.");
        commit.GetProperty("parents").GetArrayLength().ShouldBe(1);
        commit.GetProperty("parents")[0].GetString().ShouldBe(commits[1].GetProperty("sha").GetString());
        commit.GetProperty("author").GetProperty("name").GetString().ShouldNotBeNullOrWhiteSpace();
        commit.GetProperty("author").GetProperty("email").GetString()!.ShouldContain('@');
        commit.GetProperty("author").GetProperty("date").GetDateTimeOffset().ShouldBeGreaterThan(DateTimeOffset.UtcNow.AddMinutes(-5));
        var trailers = commit.GetProperty("trailers").EnumerateArray().Select(t => (t.GetProperty("key").GetString(), t.GetProperty("value").GetString())).ToList();
        trailers.ShouldBe([("Wright-Prompt", "say hello"), ("Wright-Model", "fake-1")]);
        var file = commit.GetProperty("files").EnumerateArray().ShouldHaveSingleItem();
        file.GetProperty("path").GetString().ShouldBe("hello.txt");
        file.GetProperty("change").GetString().ShouldBe("added");
        file.GetProperty("additions").GetInt32().ShouldBe(2);
        file.GetProperty("deletions").GetInt32().ShouldBe(0);
        commits[1].GetProperty("subject").GetString().ShouldBe("Initial commit");
        log.GetProperty("nextCursor").ValueKind.ShouldBe(JsonValueKind.Null);
    }

    [Fact]
    public async Task Status_BeforeAndAfterCommit_ReportsChangesThenClean()
    {
        await using var server = await WrightTestServer.StartAsync();
        var project = await server.CreateProjectAsync();
        await File.WriteAllTextAsync(Path.Combine(project.Path, "tracked.txt"), "v1\n");
        (await server.Client.PostAsJsonAsync(Git(project, "commits"), new { message = "Add tracked" }).Bounded()).EnsureSuccessStatusCode();
        await File.WriteAllTextAsync(Path.Combine(project.Path, "tracked.txt"), "v2\n");
        await File.WriteAllTextAsync(Path.Combine(project.Path, "new file.txt"), "new\n");

        var before = await GetJsonAsync(server, Git(project, "status"));

        before.GetProperty("branch").GetString().ShouldBe("main");
        before.GetProperty("detached").GetBoolean().ShouldBeFalse();
        before.GetProperty("clean").GetBoolean().ShouldBeFalse();
        before.GetProperty("head").GetString().ShouldBe(await GitCli.HeadAsync(project.Path));
        var entries = before.GetProperty("entries").EnumerateArray()
            .ToDictionary(e => e.GetProperty("path").GetString()!, e => (e.GetProperty("index").GetString(), e.GetProperty("worktree").GetString()));
        entries.Count.ShouldBe(2);
        entries["tracked.txt"].ShouldBe(("unmodified", "modified"));
        entries["new file.txt"].ShouldBe(("unmodified", "untracked"));

        (await server.Client.PostAsJsonAsync(Git(project, "commits"), new { message = "More" }).Bounded()).EnsureSuccessStatusCode();
        var after = await GetJsonAsync(server, Git(project, "status"));

        after.GetProperty("clean").GetBoolean().ShouldBeTrue();
        after.GetProperty("entries").GetArrayLength().ShouldBe(0);
    }

    [Fact]
    public async Task Commit_NothingChanged_ReturnsNothingToCommit()
    {
        await using var server = await WrightTestServer.StartAsync();
        var project = await server.CreateProjectAsync();

        var response = await server.Client.PostAsJsonAsync(Git(project, "commits"), new { message = "Nothing" }).Bounded();

        await response.ShouldBeProblemAsync(HttpStatusCode.Conflict, "nothing_to_commit");
    }

    [Fact]
    public async Task Commit_GivenPaths_CommitsOnlyThosePathsAndLeavesTheRest()
    {
        await using var server = await WrightTestServer.StartAsync();
        var project = await server.CreateProjectAsync();
        Directory.CreateDirectory(Path.Combine(project.Path, "src"));
        await File.WriteAllTextAsync(Path.Combine(project.Path, "src", "a.txt"), "a\n");
        await File.WriteAllTextAsync(Path.Combine(project.Path, "b.txt"), "b\n");

        var response = await server.Client.PostAsJsonAsync(Git(project, "commits"), new { message = "Only a", paths = new[] { "src/a.txt" } }).Bounded();

        response.StatusCode.ShouldBe(HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        var commit = await ReadJsonAsync(response);
        commit.GetProperty("files").EnumerateArray().Select(f => f.GetProperty("path").GetString()).ShouldBe(["src/a.txt"]);
        var status = await GetJsonAsync(server, Git(project, "status"));
        status.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("path").GetString()).ShouldBe(["b.txt"]);
    }

    [Theory]
    [InlineData("../outside.txt", "path_outside_project")]
    [InlineData("/etc/passwd", "path_outside_project")]
    [InlineData(".git/config", "path_inside_git")]
    [InlineData("sub/../../x", "path_outside_project")]
    public async Task Commit_PathOutsideProject_IsRefused(string path, string code)
    {
        await using var server = await WrightTestServer.StartAsync();
        var project = await server.CreateProjectAsync();
        await File.WriteAllTextAsync(Path.Combine(project.Path, "x.txt"), "x\n");
        var head = await GitCli.HeadAsync(project.Path);

        var response = await server.Client.PostAsJsonAsync(Git(project, "commits"), new { message = "Escape", paths = new[] { path } }).Bounded();

        await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest, code);
        (await GitCli.HeadAsync(project.Path)).ShouldBe(head);
    }

    [Fact]
    public async Task Commit_InvalidTrailerKey_ReturnsValidationFailed()
    {
        await using var server = await WrightTestServer.StartAsync();
        var project = await server.CreateProjectAsync();
        await File.WriteAllTextAsync(Path.Combine(project.Path, "x.txt"), "x\n");

        var response = await server.Client.PostAsJsonAsync(Git(project, "commits"), new
        {
            message = "Bad trailer",
            trailers = new Dictionary<string, string> { ["Bad Key: injected"] = "v" },
        }).Bounded();

        await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
    }

    [Fact]
    public async Task GetCommit_ModifiedRenamedAndDeletedFiles_ReturnsDiffPerFile()
    {
        await using var server = await WrightTestServer.StartAsync();
        var project = await server.CreateProjectAsync();
        await File.WriteAllTextAsync(Path.Combine(project.Path, "keep.txt"), "line 1\nline 2\n");
        await File.WriteAllTextAsync(Path.Combine(project.Path, "gone.txt"), "bye\n");
        await File.WriteAllTextAsync(Path.Combine(project.Path, "old name.txt"), "same content that is long enough to be detected as a rename\n");
        (await server.Client.PostAsJsonAsync(Git(project, "commits"), new { message = "Base" }).Bounded()).EnsureSuccessStatusCode();
        await File.WriteAllTextAsync(Path.Combine(project.Path, "keep.txt"), "line 1\nline two\n");
        File.Delete(Path.Combine(project.Path, "gone.txt"));
        File.Move(Path.Combine(project.Path, "old name.txt"), Path.Combine(project.Path, "new name.txt"));
        var created = await ReadJsonAsync(await server.Client.PostAsJsonAsync(Git(project, "commits"), new { message = "Change" }).Bounded());
        var sha = created.GetProperty("sha").GetString()!;

        var diff = await GetJsonAsync(server, Git(project, $"commits/{sha}"));

        diff.GetProperty("commit").GetProperty("sha").GetString().ShouldBe(sha);
        diff.GetProperty("truncated").GetBoolean().ShouldBeFalse();
        var files = diff.GetProperty("files").EnumerateArray().ToDictionary(f => f.GetProperty("path").GetString()!);
        files.Keys.Order(StringComparer.Ordinal).ShouldBe(["gone.txt", "keep.txt", "new name.txt"]);
        files["keep.txt"].GetProperty("change").GetString().ShouldBe("modified");
        files["keep.txt"].GetProperty("patch").GetString()!.ShouldContain("-line 2\n+line two\n");
        files["keep.txt"].GetProperty("additions").GetInt32().ShouldBe(1);
        files["gone.txt"].GetProperty("change").GetString().ShouldBe("deleted");
        files["gone.txt"].GetProperty("patch").GetString()!.ShouldContain("-bye");
        files["new name.txt"].GetProperty("change").GetString().ShouldBe("renamed");
        files["new name.txt"].GetProperty("originalPath").GetString().ShouldBe("old name.txt");
        files["new name.txt"].GetProperty("patch").GetString()!.ShouldContain("rename from old name.txt");
    }

    [Fact]
    public async Task GetCommit_DiffLargerThanCap_IsTruncatedAndSaysSo()
    {
        await using var server = await WrightTestServer.StartAsync();
        var project = await server.CreateProjectAsync();
        for (var i = 0; i < 5; i++)
        {
            await File.WriteAllTextAsync(Path.Combine(project.Path, $"big{i}.txt"), string.Concat(Enumerable.Repeat($"line of file {i}\n", 2000)));
        }

        var sha = (await ReadJsonAsync(await server.Client.PostAsJsonAsync(Git(project, "commits"), new { message = "Big" }).Bounded())).GetProperty("sha").GetString();

        var diff = await GetJsonAsync(server, Git(project, $"commits/{sha}?maxPatchChars=10000"));

        diff.GetProperty("truncated").GetBoolean().ShouldBeTrue();
        var files = diff.GetProperty("files").EnumerateArray().ToList();
        files.Count.ShouldBe(5);
        files.Sum(f => f.GetProperty("patch").ValueKind == JsonValueKind.String ? f.GetProperty("patch").GetString()!.Length : 0).ShouldBeLessThanOrEqualTo(10000);
        files[^1].GetProperty("patch").ValueKind.ShouldBe(JsonValueKind.Null);
        files[^1].GetProperty("truncated").GetBoolean().ShouldBeTrue();
        files[^1].GetProperty("additions").GetInt32().ShouldBe(2000);
    }

    [Fact]
    public async Task GetCommit_UnknownSha_ReturnsCommitNotFound()
    {
        await using var server = await WrightTestServer.StartAsync();
        var project = await server.CreateProjectAsync();

        var response = await server.Client.GetAsync(Git(project, "commits/0123456789abcdef0123456789abcdef01234567")).Bounded();

        await response.ShouldBeProblemAsync(HttpStatusCode.NotFound, "commit_not_found");
    }

    [Theory]
    [InlineData("--output=%2Ftmp%2Fwright-pwned")]
    [InlineData("-x")]
    [InlineData("--upload-pack=touch")]
    [InlineData("HEAD..main")]
    public async Task GetCommit_OptionLikeRevision_ReturnsRefInvalid(string revision)
    {
        await using var server = await WrightTestServer.StartAsync();
        var project = await server.CreateProjectAsync();

        var response = await server.Client.GetAsync(Git(project, $"commits/{revision}")).Bounded();

        await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest, "ref_invalid");
        File.Exists("/tmp/wright-pwned").ShouldBeFalse();
    }

    [Fact]
    public async Task GetCommit_BranchNameWithSlash_ResolvesIt()
    {
        await using var server = await WrightTestServer.StartAsync();
        var project = await server.CreateProjectAsync();
        await GitCli.RunAsync(project.Path, "branch", "feature/x");

        var diff = await GetJsonAsync(server, Git(project, "commits/feature/x"));

        diff.GetProperty("commit").GetProperty("sha").GetString().ShouldBe(await GitCli.HeadAsync(project.Path));
    }

    [Fact]
    public async Task Log_PagedByTwo_ReturnsEveryCommitOnceNewestFirst()
    {
        await using var server = await WrightTestServer.StartAsync();
        var project = await server.CreateProjectAsync();
        for (var i = 1; i <= 4; i++)
        {
            await File.WriteAllTextAsync(Path.Combine(project.Path, "counter.txt"), $"{i}\n");
            (await server.Client.PostAsJsonAsync(Git(project, "commits"), new { message = $"Commit {i}" }).Bounded()).EnsureSuccessStatusCode();
        }

        var subjects = new List<string>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await GetJsonAsync(server, Git(project, "log?limit=2" + (cursor is null ? "" : "&cursor=" + cursor)));
            page.GetProperty("items").GetArrayLength().ShouldBeLessThanOrEqualTo(2);
            subjects.AddRange(page.GetProperty("items").EnumerateArray().Select(c => c.GetProperty("subject").GetString()!));
            cursor = page.GetProperty("nextCursor").GetString();
            pages++;

            // A commit made after the first page must not shift the pages that follow.
            if (pages == 1)
            {
                await File.WriteAllTextAsync(Path.Combine(project.Path, "counter.txt"), "late\n");
                (await server.Client.PostAsJsonAsync(Git(project, "commits"), new { message = "Late" }).Bounded()).EnsureSuccessStatusCode();
            }
        }
        while (cursor is not null && pages < 10);

        subjects.ShouldBe(["Commit 4", "Commit 3", "Commit 2", "Commit 1", "Initial commit"]);
        pages.ShouldBe(3);
    }

    [Fact]
    public async Task Log_RefParameter_StartsFromThatBranch()
    {
        await using var server = await WrightTestServer.StartAsync();
        var project = await server.CreateProjectAsync();
        await GitCli.RunAsync(project.Path, "branch", "before");
        await File.WriteAllTextAsync(Path.Combine(project.Path, "a.txt"), "a\n");
        (await server.Client.PostAsJsonAsync(Git(project, "commits"), new { message = "On main" }).Bounded()).EnsureSuccessStatusCode();

        var log = await GetJsonAsync(server, Git(project, "log?ref=before"));

        log.GetProperty("items").EnumerateArray().Select(c => c.GetProperty("subject").GetString()).ShouldBe(["Initial commit"]);
    }

    [Theory]
    [InlineData("log?cursor=not-a-cursor", "invalid_cursor")]
    [InlineData("log?ref=--all", "ref_invalid")]
    [InlineData("log?ref=-n", "ref_invalid")]
    [InlineData("log?limit=0", "validation_failed")]
    public async Task Log_BadParameters_AreRefused(string query, string code)
    {
        await using var server = await WrightTestServer.StartAsync();
        var project = await server.CreateProjectAsync();

        var response = await server.Client.GetAsync(Git(project, query)).Bounded();

        await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest, code);
    }

    [Fact]
    public async Task CreateBranch_WithSwitch_CreatesItAtHeadAndMakesItCurrent()
    {
        await using var server = await WrightTestServer.StartAsync();
        var project = await server.CreateProjectAsync();
        var head = await GitCli.HeadAsync(project.Path);

        var response = await server.Client.PostAsJsonAsync(Git(project, "branches"), new { name = "wright/session/1", @switch = true }).Bounded();

        response.StatusCode.ShouldBe(HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        var branch = await ReadJsonAsync(response);
        branch.GetProperty("name").GetString().ShouldBe("wright/session/1");
        branch.GetProperty("sha").GetString().ShouldBe(head);
        branch.GetProperty("current").GetBoolean().ShouldBeTrue();
        (await GitCli.RunAsync(project.Path, "symbolic-ref", "--short", "HEAD")).Trim().ShouldBe("wright/session/1");
        var list = await GetJsonAsync(server, Git(project, "branches"));
        list.GetProperty("items").EnumerateArray().Select(b => (b.GetProperty("name").GetString(), b.GetProperty("current").GetBoolean()))
            .ShouldBe([("main", false), ("wright/session/1", true)]);
    }

    [Fact]
    public async Task CreateBranch_AtStartPointWithoutSwitch_StaysOnCurrentBranch()
    {
        await using var server = await WrightTestServer.StartAsync();
        var project = await server.CreateProjectAsync();
        var first = await GitCli.HeadAsync(project.Path);
        await File.WriteAllTextAsync(Path.Combine(project.Path, "a.txt"), "a\n");
        (await server.Client.PostAsJsonAsync(Git(project, "commits"), new { message = "Second" }).Bounded()).EnsureSuccessStatusCode();

        var branch = await ReadJsonAsync(await server.Client.PostAsJsonAsync(Git(project, "branches"), new { name = "from-first", startPoint = first }).Bounded());

        branch.GetProperty("sha").GetString().ShouldBe(first);
        branch.GetProperty("current").GetBoolean().ShouldBeFalse();
        (await GitCli.RunAsync(project.Path, "symbolic-ref", "--short", "HEAD")).Trim().ShouldBe("main");
    }

    [Fact]
    public async Task CreateBranch_ExistingName_ReturnsBranchExists()
    {
        await using var server = await WrightTestServer.StartAsync();
        var project = await server.CreateProjectAsync();

        var response = await server.Client.PostAsJsonAsync(Git(project, "branches"), new { name = "main" }).Bounded();

        await response.ShouldBeProblemAsync(HttpStatusCode.Conflict, "branch_exists");
    }

    [Theory]
    [InlineData("-x")]
    [InlineData("--upload-pack=touch")]
    [InlineData("a..b")]
    [InlineData("has space")]
    [InlineData("ends.lock")]
    [InlineData("@{-1}")]
    [InlineData("HEAD")]
    [InlineData("a:b")]
    public async Task CreateBranch_InvalidName_ReturnsBranchNameInvalid(string name)
    {
        await using var server = await WrightTestServer.StartAsync();
        var project = await server.CreateProjectAsync();

        var response = await server.Client.PostAsJsonAsync(Git(project, "branches"), new { name }).Bounded();

        await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest, "branch_name_invalid");
        (await GitCli.RunAsync(project.Path, "for-each-ref", "--format=%(refname)", "refs/heads/")).Trim().ShouldBe("refs/heads/main");
    }

    [Fact]
    public async Task CreateBranch_OptionLikeStartPoint_ReturnsRefInvalid()
    {
        await using var server = await WrightTestServer.StartAsync();
        var project = await server.CreateProjectAsync();

        var response = await server.Client.PostAsJsonAsync(Git(project, "branches"), new { name = "ok", startPoint = "--orphan" }).Bounded();

        await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest, "ref_invalid");
    }

    [Fact]
    public async Task Checkout_OtherBranch_SwitchesAndReturnsStatus()
    {
        await using var server = await WrightTestServer.StartAsync();
        var project = await server.CreateProjectAsync();
        (await server.Client.PostAsJsonAsync(Git(project, "branches"), new { name = "feature" }).Bounded()).EnsureSuccessStatusCode();

        var response = await server.Client.PostAsJsonAsync(Git(project, "checkout"), new { branch = "feature" }).Bounded();

        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        (await ReadJsonAsync(response)).GetProperty("branch").GetString().ShouldBe("feature");
        (await GitCli.RunAsync(project.Path, "symbolic-ref", "--short", "HEAD")).Trim().ShouldBe("feature");
    }

    [Fact]
    public async Task Checkout_OverUncommittedChanges_ReturnsUncommittedChangesAndKeepsTheEdit()
    {
        await using var server = await WrightTestServer.StartAsync();
        var project = await server.CreateProjectAsync();
        var file = Path.Combine(project.Path, "shared.txt");
        await File.WriteAllTextAsync(file, "base\n");
        (await server.Client.PostAsJsonAsync(Git(project, "commits"), new { message = "Base" }).Bounded()).EnsureSuccessStatusCode();
        (await server.Client.PostAsJsonAsync(Git(project, "branches"), new { name = "other", @switch = true }).Bounded()).EnsureSuccessStatusCode();
        await File.WriteAllTextAsync(file, "other\n");
        (await server.Client.PostAsJsonAsync(Git(project, "commits"), new { message = "Other" }).Bounded()).EnsureSuccessStatusCode();
        (await server.Client.PostAsJsonAsync(Git(project, "checkout"), new { branch = "main" }).Bounded()).EnsureSuccessStatusCode();
        await File.WriteAllTextAsync(file, "my unsaved work\n");

        var response = await server.Client.PostAsJsonAsync(Git(project, "checkout"), new { branch = "other" }).Bounded();

        var problem = await response.ShouldBeProblemAsync(HttpStatusCode.Conflict, "uncommitted_changes");
        problem.GetProperty("paths").EnumerateArray().Select(p => p.GetString()).ShouldBe(["shared.txt"]);
        (await File.ReadAllTextAsync(file)).ShouldBe("my unsaved work\n");
        (await GitCli.RunAsync(project.Path, "symbolic-ref", "--short", "HEAD")).Trim().ShouldBe("main");
    }

    [Theory]
    [InlineData("nope", HttpStatusCode.NotFound, "branch_not_found")]
    [InlineData("-f", HttpStatusCode.BadRequest, "branch_name_invalid")]
    [InlineData("--orphan=x", HttpStatusCode.BadRequest, "branch_name_invalid")]
    public async Task Checkout_BadBranch_IsRefused(string branch, HttpStatusCode status, string code)
    {
        await using var server = await WrightTestServer.StartAsync();
        var project = await server.CreateProjectAsync();

        var response = await server.Client.PostAsJsonAsync(Git(project, "checkout"), new { branch }).Bounded();

        await response.ShouldBeProblemAsync(status, code);
    }

    [Fact]
    public async Task SafetyPoint_CreatedThenReset_RestoresTheWorkingTreeOverHttp()
    {
        await using var server = await WrightTestServer.StartAsync();
        var project = await server.CreateProjectAsync();
        var file = Path.Combine(project.Path, "draft.txt");
        await File.WriteAllTextAsync(file, "uncommitted draft\n");
        var head = await GitCli.HeadAsync(project.Path);

        var created = await server.Client.PostAsync(Git(project, "safety-points"), null).Bounded();
        created.StatusCode.ShouldBe(HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        var point = await ReadJsonAsync(created);
        point.GetProperty("head").GetString().ShouldBe(head);
        point.GetProperty("branch").GetString().ShouldBe("main");
        var id = point.GetProperty("id").GetString()!;

        await File.WriteAllTextAsync(file, "an edit that failed\n");
        await File.WriteAllTextAsync(Path.Combine(project.Path, "stray.txt"), "created by a failed run\n");
        (await server.Client.PostAsJsonAsync(Git(project, "commits"), new { message = "Bad edit" }).Bounded()).EnsureSuccessStatusCode();

        var reset = await server.Client.PostAsync(Git(project, $"safety-points/{id}:reset"), null).Bounded();

        reset.StatusCode.ShouldBe(HttpStatusCode.OK, await reset.Content.ReadAsStringAsync());
        (await GitCli.HeadAsync(project.Path)).ShouldBe(head);
        (await File.ReadAllTextAsync(file)).ShouldBe("uncommitted draft\n");
        File.Exists(Path.Combine(project.Path, "stray.txt")).ShouldBeFalse();
        (await server.Client.DeleteAsync(Git(project, $"safety-points/{id}")).Bounded()).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        var again = await server.Client.PostAsync(Git(project, $"safety-points/{id}:reset"), null).Bounded();
        await again.ShouldBeProblemAsync(HttpStatusCode.NotFound, "safety_point_not_found");
    }

    [Fact]
    public async Task GitEndpoints_UnknownProject_ReturnProjectNotFound()
    {
        await using var server = await WrightTestServer.StartAsync();

        var response = await server.Client.GetAsync($"/api/projects/{Guid.NewGuid()}/git/status").Bounded();

        await response.ShouldBeProblemAsync(HttpStatusCode.NotFound, "project_not_found");
    }

    [Fact]
    public async Task GitEndpoints_ProjectDirectoryRemoved_ReturnProjectPathMissing()
    {
        await using var server = await WrightTestServer.StartAsync();
        var project = await server.CreateProjectAsync();
        Directory.Delete(project.Path, recursive: true);

        var response = await server.Client.GetAsync(Git(project, "status")).Bounded();

        await response.ShouldBeProblemAsync(HttpStatusCode.Conflict, "project_path_missing");
    }

    private static string Git(ProjectInfo project, string path) => $"/api/projects/{project.Id}/git/{path}";

    private static async Task<JsonElement> GetJsonAsync(WrightTestServer server, string url)
    {
        var response = await server.Client.GetAsync(url).Bounded();
        var body = await response.Content.ReadAsStringAsync().Bounded();
        response.StatusCode.ShouldBe(HttpStatusCode.OK, body);
        return JsonDocument.Parse(body).RootElement;
    }

    private static async Task<JsonElement> ReadJsonAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync().Bounded()).RootElement;
}
