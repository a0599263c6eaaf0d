using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Wright.Server.Tests.Git;
using Wright.Server.Tests.Infrastructure;

namespace Wright.Server.Tests.Projects;

public sealed class ProjectLifecycleTests
{
    [Fact]
    public async Task OpenProject_ExistingRepository_RegistersItWithoutNewCommits()
    {
        await using var server = await WrightTestServer.StartAsync();
        using var work = new TempDirectory();
        var repo = await GitCli.CreateRepositoryAsync(work.Path);
        var head = await GitCli.HeadAsync(repo);

        var response = await server.Client.PostAsJsonAsync("/api/projects:open", new { path = repo }).Bounded();

        response.StatusCode.ShouldBe(HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        var project = (await response.Content.ReadFromJsonAsync<ProjectInfo>(WrightTestServer.Json).Bounded())!;
        project.Name.ShouldBe("source");
        project.Path.ShouldBe(repo);
        (await GitCli.HeadAsync(repo)).ShouldBe(head);
        var got = await server.Client.GetFromJsonAsync<ProjectInfo>($"/api/projects/{project.Id}", WrightTestServer.Json).Bounded();
        got.ShouldBe(project);
    }

    [Fact]
    public async Task OpenProject_PathWithTrailingSlashAndSymlink_IsStoredCanonical()
    {
        await using var server = await WrightTestServer.StartAsync();
        using var work = new TempDirectory();
        var repo = await GitCli.CreateRepositoryAsync(work.Path);
        var link = work.Combine("link");
        Directory.CreateSymbolicLink(link, repo);

        var project = await OpenAsync(server, new { path = link + "/", name = "linked" });

        project.Path.ShouldBe(repo);
        var again = await server.Client.PostAsJsonAsync("/api/projects:open", new { path = repo }).Bounded();
        await again.ShouldBeProblemAsync(HttpStatusCode.Conflict, "project_path_taken");
    }

    [Fact]
    public async Task OpenProject_MissingPath_ReturnsProjectPathMissing()
    {
        await using var server = await WrightTestServer.StartAsync();
        using var work = new TempDirectory();

        var response = await server.Client.PostAsJsonAsync("/api/projects:open", new { path = work.Combine("does-not-exist") }).Bounded();

        await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest, "project_path_missing");
    }

    [Fact]
    public async Task OpenProject_RelativePath_ReturnsValidationFailed()
    {
        await using var server = await WrightTestServer.StartAsync();

        var response = await server.Client.PostAsJsonAsync("/api/projects:open", new { path = "relative/dir" }).Bounded();

        await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
    }

    [Fact]
    public async Task OpenProject_PlainDirectoryWithoutInitGit_ReturnsNotGitRepositoryAndTouchesNothing()
    {
        await using var server = await WrightTestServer.StartAsync();
        using var work = new TempDirectory();
        var dir = work.Combine("plain");
        Directory.CreateDirectory(dir);
        await File.WriteAllTextAsync(Path.Combine(dir, "notes.txt"), "notes\n");

        var response = await server.Client.PostAsJsonAsync("/api/projects:open", new { path = dir }).Bounded();

        await response.ShouldBeProblemAsync(HttpStatusCode.Conflict, "project_not_git_repository");
        Directory.Exists(Path.Combine(dir, ".git")).ShouldBeFalse();
        (await ListAsync(server)).ShouldBeEmpty();
    }

    [Fact]
    public async Task OpenProject_PlainDirectoryWithInitGit_CommitsItsContentExceptIgnoredFiles()
    {
        await using var server = await WrightTestServer.StartAsync();
        using var work = new TempDirectory();
        var dir = work.Combine("plain");
        Directory.CreateDirectory(Path.Combine(dir, "src"));
        await File.WriteAllTextAsync(Path.Combine(dir, "src", "main.c"), "int main(void) { return 0; }\n");
        await File.WriteAllTextAsync(Path.Combine(dir, ".gitignore"), "*.log\n");
        await File.WriteAllTextAsync(Path.Combine(dir, "debug.log"), "noise\n");

        var project = await OpenAsync(server, new { path = dir, initGit = true });

        project.Name.ShouldBe("plain");
        var tracked = (await GitCli.RunAsync(dir, "ls-files")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        tracked.ShouldBe([".gitignore", "src/main.c"]);
        (await GitCli.RunAsync(dir, "status", "--porcelain")).ShouldBeEmpty();
        File.Exists(Path.Combine(dir, "debug.log")).ShouldBeTrue();
    }

    [Fact]
    public async Task OpenProject_SubdirectoryOfRepository_ReturnsNotGitRepository()
    {
        await using var server = await WrightTestServer.StartAsync();
        using var work = new TempDirectory();
        var repo = await GitCli.CreateRepositoryAsync(work.Path);
        var sub = Path.Combine(repo, "sub");
        Directory.CreateDirectory(sub);

        var response = await server.Client.PostAsJsonAsync("/api/projects:open", new { path = sub }).Bounded();

        var problem = await response.ShouldBeProblemAsync(HttpStatusCode.Conflict, "project_not_git_repository");
        problem.GetProperty("detail").GetString()!.ShouldContain(repo);
    }

    [Fact]
    public async Task OpenProject_NestedInsideOrAroundAnotherProject_ReturnsPathOverlaps()
    {
        await using var server = await WrightTestServer.StartAsync();
        using var work = new TempDirectory();
        var outer = work.Combine("outer");
        Directory.CreateDirectory(outer);
        var inner = await GitCli.CreateRepositoryAsync(outer, "inner");
        await OpenAsync(server, new { path = inner });

        var around = await server.Client.PostAsJsonAsync("/api/projects:open", new { path = outer, initGit = true }).Bounded();
        await around.ShouldBeProblemAsync(HttpStatusCode.Conflict, "project_path_overlaps");
        Directory.Exists(Path.Combine(outer, ".git")).ShouldBeFalse();

        var deeper = Path.Combine(inner, "deeper");
        Directory.CreateDirectory(deeper);
        var within = await server.Client.PostAsJsonAsync("/api/projects:open", new { path = deeper, initGit = true }).Bounded();
        await within.ShouldBeProblemAsync(HttpStatusCode.Conflict, "project_path_overlaps");
        Directory.Exists(Path.Combine(deeper, ".git")).ShouldBeFalse();
    }

    [Fact]
    public async Task CloneProject_FromLocalPath_ClonesTheHistory()
    {
        await using var server = await WrightTestServer.StartAsync();
        using var work = new TempDirectory();
        var source = await GitCli.CreateRepositoryAsync(work.Path);
        var destination = work.Combine("clone");

        var project = await CloneAsync(server, new { url = source, path = destination });

        project.Path.ShouldBe(destination);
        project.Name.ShouldBe("source");
        (await GitCli.HeadAsync(destination)).ShouldBe(await GitCli.HeadAsync(source));
        File.Exists(Path.Combine(destination, "readme.md")).ShouldBeTrue();
    }

    [Fact]
    public async Task CloneProject_FromFileUrlWithoutPath_ClonesIntoTheProjectsFolder()
    {
        await using var server = await WrightTestServer.StartAsync();
        using var work = new TempDirectory();
        var source = await GitCli.CreateRepositoryAsync(work.Path, "My Lib.git");

        var project = await CloneAsync(server, new { url = new Uri(source).AbsoluteUri, name = "mylib" });

        project.Name.ShouldBe("mylib");
        project.Path.ShouldBe(Path.Combine(server.DataDir, "projects", "mylib"));
        (await GitCli.HeadAsync(project.Path)).ShouldBe(await GitCli.HeadAsync(source));
        var log = await server.Client.GetFromJsonAsync<JsonElement>($"/api/projects/{project.Id}/git/log", WrightTestServer.Json).Bounded();
        log.GetProperty("items")[0].GetProperty("subject").GetString().ShouldBe("Add readme");
    }

    [Theory]
    [InlineData("--upload-pack=touch /tmp/wright-pwned")]
    [InlineData("-x")]
    [InlineData("ext::sh -c touch% /tmp/wright-pwned")]
    [InlineData("ext::touch")]
    [InlineData("fd::17")]
    [InlineData("relative/path")]
    [InlineData("ftp://example.com/repo.git")]
    [InlineData("https://example.com/repo.git --upload-pack=x")]
    public async Task CloneProject_UnsafeOrUnsupportedUrl_ReturnsCloneUrlInvalid(string url)
    {
        await using var server = await WrightTestServer.StartAsync();
        using var work = new TempDirectory();
        var destination = work.Combine("clone");

        var response = await server.Client.PostAsJsonAsync("/api/projects:clone", new { url, path = destination }).Bounded();

        await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest, "clone_url_invalid");
        Directory.Exists(destination).ShouldBeFalse();
        File.Exists("/tmp/wright-pwned").ShouldBeFalse();
    }

    [Fact]
    public async Task CloneProject_MissingSource_ReturnsCloneFailedAndLeavesNoDirectory()
    {
        await using var server = await WrightTestServer.StartAsync();
        using var work = new TempDirectory();
        var destination = work.Combine("clone");

        var response = await server.Client.PostAsJsonAsync("/api/projects:clone", new { url = work.Combine("no-such-repo"), path = destination }).Bounded();

        await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest, "clone_failed");
        Directory.Exists(destination).ShouldBeFalse();
        (await ListAsync(server)).ShouldBeEmpty();
    }

    [Fact]
    public async Task CloneProject_IntoNonEmptyDirectory_ReturnsProjectPathExists()
    {
        await using var server = await WrightTestServer.StartAsync();
        using var work = new TempDirectory();
        var source = await GitCli.CreateRepositoryAsync(work.Path);
        var destination = work.Combine("occupied");
        Directory.CreateDirectory(destination);
        await File.WriteAllTextAsync(Path.Combine(destination, "mine.txt"), "mine\n");

        var response = await server.Client.PostAsJsonAsync("/api/projects:clone", new { url = source, path = destination }).Bounded();

        await response.ShouldBeProblemAsync(HttpStatusCode.Conflict, "project_path_exists");
        (await File.ReadAllTextAsync(Path.Combine(destination, "mine.txt"))).ShouldBe("mine\n");
    }

    [Fact]
    public async Task RenameProject_NewName_IsStoredAndReturned()
    {
        await using var server = await WrightTestServer.StartAsync();
        var project = await server.CreateProjectAsync("before");

        var response = await server.Client.PatchAsJsonAsync($"/api/projects/{project.Id}", new { name = "  after  " }).Bounded();

        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        (await response.Content.ReadFromJsonAsync<ProjectInfo>(WrightTestServer.Json).Bounded())!.Name.ShouldBe("after");
        var got = await server.Client.GetFromJsonAsync<ProjectInfo>($"/api/projects/{project.Id}", WrightTestServer.Json).Bounded();
        got!.Name.ShouldBe("after");
        got.Path.ShouldBe(project.Path);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("tab\tname")]
    public async Task RenameProject_InvalidName_ReturnsValidationFailed(string name)
    {
        await using var server = await WrightTestServer.StartAsync();
        var project = await server.CreateProjectAsync("keep");

        var response = await server.Client.PatchAsJsonAsync($"/api/projects/{project.Id}", new { name }).Bounded();

        await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        (await server.Client.GetFromJsonAsync<ProjectInfo>($"/api/projects/{project.Id}", WrightTestServer.Json).Bounded())!.Name.ShouldBe("keep");
    }

    [Fact]
    public async Task ArchiveProject_ThenUnarchive_HidesItFromTheDefaultListMeanwhile()
    {
        await using var server = await WrightTestServer.StartAsync();
        var kept = await server.CreateProjectAsync("kept");
        var archived = await server.CreateProjectAsync("archived");

        var archive = await server.Client.PostAsync($"/api/projects/{archived.Id}:archive", null).Bounded();

        archive.StatusCode.ShouldBe(HttpStatusCode.OK, await archive.Content.ReadAsStringAsync());
        (await archive.Content.ReadFromJsonAsync<ProjectInfo>(WrightTestServer.Json).Bounded())!.Archived.ShouldBeTrue();
        (await ListAsync(server)).Select(p => p.Id).ShouldBe([kept.Id]);
        (await ListAsync(server, includeArchived: true)).Select(p => p.Id).ShouldBe([kept.Id, archived.Id]);

        var unarchive = await server.Client.PostAsync($"/api/projects/{archived.Id}:unarchive", null).Bounded();

        (await unarchive.Content.ReadFromJsonAsync<ProjectInfo>(WrightTestServer.Json).Bounded())!.Archived.ShouldBeFalse();
        (await ListAsync(server)).Select(p => p.Id).ShouldBe([kept.Id, archived.Id]);
    }

    [Fact]
    public async Task PatchProject_ArchivedFlag_ArchivesAndBlocksGitWrites()
    {
        await using var server = await WrightTestServer.StartAsync();
        var project = await server.CreateProjectAsync();
        await File.WriteAllTextAsync(Path.Combine(project.Path, "x.txt"), "x\n");

        var patch = await server.Client.PatchAsJsonAsync($"/api/projects/{project.Id}", new { archived = true }).Bounded();
        (await patch.Content.ReadFromJsonAsync<ProjectInfo>(WrightTestServer.Json).Bounded())!.Archived.ShouldBeTrue();

        var commit = await server.Client.PostAsJsonAsync($"/api/projects/{project.Id}/git/commits", new { message = "x" }).Bounded();
        await commit.ShouldBeProblemAsync(HttpStatusCode.Conflict, "project_archived");
        var status = await server.Client.GetAsync($"/api/projects/{project.Id}/git/status").Bounded();
        status.StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task DeleteProject_WithoutDeleteFiles_UnregistersAndKeepsTheDirectory()
    {
        await using var server = await WrightTestServer.StartAsync();
        var project = await server.CreateProjectAsync();

        var response = await server.Client.DeleteAsync($"/api/projects/{project.Id}").Bounded();

        response.StatusCode.ShouldBe(HttpStatusCode.NoContent);
        Directory.Exists(Path.Combine(project.Path, ".git")).ShouldBeTrue();
        var get = await server.Client.GetAsync($"/api/projects/{project.Id}").Bounded();
        await get.ShouldBeProblemAsync(HttpStatusCode.NotFound, "project_not_found");

        // Unregistered, the directory can be opened again.
        var reopened = await OpenAsync(server, new { path = project.Path });
        reopened.Path.ShouldBe(project.Path);
    }

    [Fact]
    public async Task DeleteProject_WithDeleteFiles_RemovesTheRootButNeverFollowsSymlinks()
    {
        await using var server = await WrightTestServer.StartAsync();
        using var outside = new TempDirectory("wright-outside");
        var precious = Path.Combine(outside.Path, "precious.txt");
        await File.WriteAllTextAsync(precious, "keep me\n");
        var project = await server.CreateProjectAsync();
        Directory.CreateDirectory(Path.Combine(project.Path, "nested", "deep"));
        await File.WriteAllTextAsync(Path.Combine(project.Path, "nested", "deep", "f.txt"), "f\n");
        Directory.CreateSymbolicLink(Path.Combine(project.Path, "nested", "dir-link"), outside.Path);
        File.CreateSymbolicLink(Path.Combine(project.Path, "file-link"), precious);

        var response = await server.Client.DeleteAsync($"/api/projects/{project.Id}?deleteFiles=true").Bounded();

        response.StatusCode.ShouldBe(HttpStatusCode.NoContent, await response.Content.ReadAsStringAsync());
        Directory.Exists(project.Path).ShouldBeFalse();
        (await File.ReadAllTextAsync(precious)).ShouldBe("keep me\n");
        Directory.EnumerateFileSystemEntries(outside.Path).ShouldBe([precious]);
        (await server.Client.GetAsync($"/api/projects/{project.Id}").Bounded()).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task DeleteProject_UnknownId_ReturnsProjectNotFound()
    {
        await using var server = await WrightTestServer.StartAsync();

        var response = await server.Client.DeleteAsync($"/api/projects/{Guid.NewGuid()}?deleteFiles=true").Bounded();

        await response.ShouldBeProblemAsync(HttpStatusCode.NotFound, "project_not_found");
    }

    [Fact]
    public async Task ExportProject_Zip_HoldsTheWorkingTreeWithoutGitOrIgnoredFiles()
    {
        await using var server = await WrightTestServer.StartAsync();
        var project = await server.CreateProjectAsync("Export Me");
        Directory.CreateDirectory(Path.Combine(project.Path, "src"));
        await File.WriteAllTextAsync(Path.Combine(project.Path, ".gitignore"), "build/\n*.tmp\n");
        await File.WriteAllTextAsync(Path.Combine(project.Path, "src", "app.cs"), "class App {}\n");
        (await server.Client.PostAsJsonAsync($"/api/projects/{project.Id}/git/commits", new { message = "App" }).Bounded()).EnsureSuccessStatusCode();
        await File.WriteAllTextAsync(Path.Combine(project.Path, "src", "app.cs"), "class App { } // edited, not committed\n");
        await File.WriteAllTextAsync(Path.Combine(project.Path, "untracked.md"), "draft\n");
        await File.WriteAllTextAsync(Path.Combine(project.Path, "scratch.tmp"), "ignored\n");
        Directory.CreateDirectory(Path.Combine(project.Path, "build"));
        await File.WriteAllTextAsync(Path.Combine(project.Path, "build", "out.bin"), "ignored\n");

        var response = await server.Client.GetAsync($"/api/projects/{project.Id}/export?format=zip", HttpCompletionOption.ResponseHeadersRead).Bounded();

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/zip");
        response.Content.Headers.ContentDisposition!.FileName.ShouldBe("export-me.zip");
        using var buffer = new MemoryStream();
        await (await response.Content.ReadAsStreamAsync().Bounded()).CopyToAsync(buffer).Bounded();
        buffer.Position = 0;
        using var zip = new ZipArchive(buffer, ZipArchiveMode.Read);
        zip.Entries.Select(e => e.FullName).Order(StringComparer.Ordinal).ShouldBe([".gitignore", "src/app.cs", "untracked.md"]);
        using var reader = new StreamReader(zip.GetEntry("src/app.cs")!.Open());
        (await reader.ReadToEndAsync().Bounded()).ShouldBe("class App { } // edited, not committed\n");
    }

    [Fact]
    public async Task ExportProject_Bundle_ClonesToTheSameHead()
    {
        await using var server = await WrightTestServer.StartAsync();
        using var work = new TempDirectory();
        var project = await server.CreateProjectAsync();
        await File.WriteAllTextAsync(Path.Combine(project.Path, "a.txt"), "a\n");
        (await server.Client.PostAsJsonAsync($"/api/projects/{project.Id}/git/commits", new { message = "A" }).Bounded()).EnsureSuccessStatusCode();
        (await server.Client.PostAsJsonAsync($"/api/projects/{project.Id}/git/branches", new { name = "side" }).Bounded()).EnsureSuccessStatusCode();
        (await server.Client.PostAsync($"/api/projects/{project.Id}/git/safety-points", null).Bounded()).EnsureSuccessStatusCode();

        var response = await server.Client.GetAsync($"/api/projects/{project.Id}/export?format=bundle", HttpCompletionOption.ResponseHeadersRead).Bounded();

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var bundle = work.Combine("project.bundle");
        await using (var file = File.Create(bundle))
        {
            await (await response.Content.ReadAsStreamAsync().Bounded()).CopyToAsync(file).Bounded();
        }

        await GitCli.RunAsync(work.Path, "clone", "--quiet", "--", bundle, "restored");
        var restored = work.Combine("restored");
        (await GitCli.HeadAsync(restored)).ShouldBe(await GitCli.HeadAsync(project.Path));
        (await File.ReadAllTextAsync(Path.Combine(restored, "a.txt"))).ShouldBe("a\n");
        var heads = await GitCli.RunAsync(work.Path, "bundle", "list-heads", bundle);
        heads.ShouldContain("refs/heads/side");
        heads.ShouldNotContain("refs/wright/");
    }

    [Fact]
    public async Task ExportProject_UnknownFormat_ReturnsValidationFailed()
    {
        await using var server = await WrightTestServer.StartAsync();
        var project = await server.CreateProjectAsync();

        var response = await server.Client.GetAsync($"/api/projects/{project.Id}/export?format=tar").Bounded();

        await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
    }

    private static async Task<ProjectInfo> OpenAsync(WrightTestServer server, object body)
    {
        var response = await server.Client.PostAsJsonAsync("/api/projects:open", body).Bounded();
        response.StatusCode.ShouldBe(HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<ProjectInfo>(WrightTestServer.Json).Bounded())!;
    }

    private static async Task<ProjectInfo> CloneAsync(WrightTestServer server, object body)
    {
        var response = await server.Client.PostAsJsonAsync("/api/projects:clone", body).Bounded();
        response.StatusCode.ShouldBe(HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<ProjectInfo>(WrightTestServer.Json).Bounded())!;
    }

    private static async Task<List<ProjectInfo>> ListAsync(WrightTestServer server, bool includeArchived = false)
    {
        var page = await server.Client.GetFromJsonAsync<JsonElement>($"/api/projects?includeArchived={includeArchived}", WrightTestServer.Json).Bounded();
        return page.GetProperty("items").Deserialize<List<ProjectInfo>>(WrightTestServer.Json)!;
    }
}
