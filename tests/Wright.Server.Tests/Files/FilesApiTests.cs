using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Wright.Core.Events;
using Wright.Server.Tests.Infrastructure;

namespace Wright.Server.Tests.Files;

public sealed class FilesApiTests
{
    private sealed record World(WrightTestServer Server, ProjectInfo Project, RecordingEventBus Events) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => Server.DisposeAsync();
    }

    private static async Task<World> StartAsync(long? maxFileBytes = null)
    {
        var events = new RecordingEventBus();
        var server = await WrightTestServer.StartAsync(
            o =>
            {
                if (maxFileBytes is { } max)
                {
                    o.MaxFileBytes = max;
                }
            },
            b => b.Services.AddSingleton<IEventBus>(events));
        return new World(server, await server.CreateProjectAsync(), events);
    }

    private static string FileUrl(ProjectInfo project, string path) => $"/api/projects/{project.Id}/files/{path}";

    private static async Task<HttpResponseMessage> PutAsync(WrightTestServer server, ProjectInfo project, string path, string content, string? ifMatch = null, bool ifNoneMatchAny = false)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, FileUrl(project, path)) { Content = JsonContent.Create(new { content }) };
        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }

        if (ifNoneMatchAny)
        {
            request.Headers.TryAddWithoutValidation("If-None-Match", "*");
        }

        return await server.Client.SendAsync(request).Bounded();
    }

    private static async Task<JsonElement> GetFileAsync(WrightTestServer server, ProjectInfo project, string path)
    {
        var response = await server.Client.GetAsync(FileUrl(project, path)).Bounded();
        var body = await response.Content.ReadAsStringAsync().Bounded();
        response.StatusCode.ShouldBe(HttpStatusCode.OK, body);
        return JsonDocument.Parse(body).RootElement;
    }

    private static async Task<List<string>> TreePathsAsync(WrightTestServer server, ProjectInfo project, string query = "depth=5")
    {
        var tree = await server.Client.GetFromJsonAsync<JsonElement>($"/api/projects/{project.Id}/tree?{query}").Bounded();
        return tree.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("path").GetString()!).ToList();
    }

    private static string Sha256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    [Fact]
    public async Task WriteReadTree_NewProject_RoundTripsAndHidesIgnoredFilesAndGit()
    {
        await using var world = await StartAsync();
        var (server, project, _) = world;

        (await PutAsync(server, project, ".gitignore", "*.log\nbuild/\n")).StatusCode.ShouldBe(HttpStatusCode.Created);
        var write = await PutAsync(server, project, "src/app.ts", "export const x = 1;\n");
        write.StatusCode.ShouldBe(HttpStatusCode.Created);
        (await PutAsync(server, project, "debug.log", "noise")).StatusCode.ShouldBe(HttpStatusCode.Created);
        (await PutAsync(server, project, "build/out.js", "compiled")).StatusCode.ShouldBe(HttpStatusCode.Created);

        var file = await GetFileAsync(server, project, "src/app.ts");
        file.GetProperty("content").GetString().ShouldBe("export const x = 1;\n");
        file.GetProperty("lineEnding").GetString().ShouldBe("lf");
        file.GetProperty("binary").GetBoolean().ShouldBeFalse();
        file.GetProperty("etag").GetString().ShouldBe(Sha256(Encoding.UTF8.GetBytes("export const x = 1;\n")));
        write.Headers.ETag!.Tag.ShouldBe($"\"{file.GetProperty("etag").GetString()}\"");

        var paths = await TreePathsAsync(server, project);
        paths.ShouldBe(["src", "src/app.ts", ".gitignore"]);
        File.Exists(Path.Combine(project.Path, "debug.log")).ShouldBeTrue();
    }

    [Fact]
    public async Task Tree_DefaultDepth_ListsChildrenWithKindSizeAndEmptyDirectories()
    {
        await using var world = await StartAsync();
        var (server, project, _) = world;
        await PutAsync(server, project, "a/deep/file.txt", "x");
        await PutAsync(server, project, "top.txt", "hello");
        (await server.Client.PostAsJsonAsync($"/api/projects/{project.Id}/dirs", new { path = "empty" }).Bounded()).StatusCode.ShouldBe(HttpStatusCode.Created);

        var tree = await server.Client.GetFromJsonAsync<JsonElement>($"/api/projects/{project.Id}/tree").Bounded();

        tree.GetProperty("depth").GetInt32().ShouldBe(1);
        tree.GetProperty("truncated").GetBoolean().ShouldBeFalse();
        var entries = tree.GetProperty("entries").EnumerateArray().ToList();
        entries.Select(e => e.GetProperty("path").GetString()).ShouldBe(["a", "empty", "top.txt"]);
        entries[0].GetProperty("kind").GetString().ShouldBe("directory");
        entries[0].GetProperty("size").ValueKind.ShouldBe(JsonValueKind.Null);
        entries[2].GetProperty("kind").GetString().ShouldBe("file");
        entries[2].GetProperty("size").GetInt64().ShouldBe(5);
        (await TreePathsAsync(server, project, "path=a&depth=2")).ShouldBe(["a/deep", "a/deep/file.txt"]);
    }

    [Fact]
    public async Task Tree_TrackedFileUnderIgnoredDirectory_IsListedLikeGitShowsIt()
    {
        await using var world = await StartAsync();
        var (server, project, _) = world;
        await PutAsync(server, project, ".gitignore", "build/\n");
        await PutAsync(server, project, "build/keep.txt", "tracked");
        await PutAsync(server, project, "build/noise.txt", "ignored");
        using (var add = Process.Start(new ProcessStartInfo("git") { WorkingDirectory = project.Path, ArgumentList = { "add", "-f", "build/keep.txt" } })!)
        {
            await add.WaitForExitAsync().Bounded();
            add.ExitCode.ShouldBe(0);
        }

        var paths = await TreePathsAsync(server, project);

        paths.ShouldBe(["build", "build/keep.txt", ".gitignore"]);
    }

    [Fact]
    public async Task Tree_SymlinkInsideProject_IsListedAsSymlinkNotFollowed()
    {
        await using var world = await StartAsync();
        var (server, project, _) = world;
        await PutAsync(server, project, "real/file.txt", "x");
        File.CreateSymbolicLink(Path.Combine(project.Path, "alias"), Path.Combine(project.Path, "real"));

        var tree = await server.Client.GetFromJsonAsync<JsonElement>($"/api/projects/{project.Id}/tree?depth=3").Bounded();

        var alias = tree.GetProperty("entries").EnumerateArray().Single(e => e.GetProperty("path").GetString() == "alias");
        alias.GetProperty("kind").GetString().ShouldBe("symlink");
        (await GetFileAsync(server, project, "alias/file.txt")).GetProperty("content").GetString().ShouldBe("x");
    }

    [Fact]
    public async Task WriteFile_WithStaleIfMatch_ReturnsVersionConflictWithCurrentETagAndContent()
    {
        await using var world = await StartAsync();
        var (server, project, _) = world;
        var first = await PutAsync(server, project, "notes.md", "one\n");
        var staleTag = first.Headers.ETag!.Tag;
        var second = await PutAsync(server, project, "notes.md", "two\n", ifMatch: staleTag);
        second.StatusCode.ShouldBe(HttpStatusCode.OK);
        second.Headers.ETag!.Tag.ShouldNotBe(staleTag);

        var conflict = await PutAsync(server, project, "notes.md", "three\n", ifMatch: staleTag);

        var problem = await conflict.ShouldBeProblemAsync(HttpStatusCode.Conflict, "version_conflict");
        problem.GetProperty("currentETag").GetString().ShouldBe(second.Headers.ETag!.Tag.Trim('"'));
        problem.GetProperty("currentContent").GetString().ShouldBe("two\n");
        File.ReadAllText(Path.Combine(project.Path, "notes.md")).ShouldBe("two\n");
    }

    [Fact]
    public async Task WriteFile_IfNoneMatchStarOnExistingFile_ReturnsFileExists()
    {
        await using var world = await StartAsync();
        var (server, project, _) = world;
        (await PutAsync(server, project, "once.txt", "a", ifNoneMatchAny: true)).StatusCode.ShouldBe(HttpStatusCode.Created);

        var again = await PutAsync(server, project, "once.txt", "b", ifNoneMatchAny: true);

        await again.ShouldBeProblemAsync(HttpStatusCode.Conflict, "file_exists");
        File.ReadAllText(Path.Combine(project.Path, "once.txt")).ShouldBe("a");
    }

    [Fact]
    public async Task WriteFile_ExistingCrlfFileWithBom_KeepsCrlfAndBom()
    {
        await using var world = await StartAsync();
        var (server, project, _) = world;
        var path = Path.Combine(project.Path, "win.txt");
        File.WriteAllBytes(path, [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes("a\r\nb\r\n")]);
        var read = await GetFileAsync(server, project, "win.txt");
        read.GetProperty("content").GetString().ShouldBe("a\r\nb\r\n");
        read.GetProperty("bom").GetBoolean().ShouldBeTrue();
        read.GetProperty("lineEnding").GetString().ShouldBe("crlf");

        var write = await PutAsync(server, project, "win.txt", "a\nb\nc\n");

        write.StatusCode.ShouldBe(HttpStatusCode.OK);
        File.ReadAllBytes(path).ShouldBe([0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes("a\r\nb\r\nc\r\n")]);
    }

    [Fact]
    public async Task WriteFile_ExistingLfFile_ConvertsClientCrlfToLf()
    {
        await using var world = await StartAsync();
        var (server, project, _) = world;
        await PutAsync(server, project, "unix.txt", "a\nb\n");

        await PutAsync(server, project, "unix.txt", "a\r\nb\r\nc\r\n");

        File.ReadAllText(Path.Combine(project.Path, "unix.txt")).ShouldBe("a\nb\nc\n");
    }

    [Theory]
    [InlineData(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x00, 0x01 }, "image.png", "image/png")]
    [InlineData(new byte[] { 0x61, 0xFF, 0xFE, 0x62 }, "latin1.dat", "application/octet-stream")]
    public async Task ReadFile_BinaryContent_IsFlaggedAndServedRawOnly(byte[] bytes, string name, string contentType)
    {
        await using var world = await StartAsync();
        var (server, project, _) = world;
        File.WriteAllBytes(Path.Combine(project.Path, name), bytes);

        var json = await GetFileAsync(server, project, name);
        json.GetProperty("binary").GetBoolean().ShouldBeTrue();
        json.GetProperty("content").ValueKind.ShouldBe(JsonValueKind.Null);
        var raw = await server.Client.GetAsync(FileUrl(project, name) + "?raw=1").Bounded();

        raw.StatusCode.ShouldBe(HttpStatusCode.OK);
        raw.Content.Headers.ContentType!.MediaType.ShouldBe(contentType);
        (await raw.Content.ReadAsByteArrayAsync().Bounded()).ShouldBe(bytes);
        raw.Headers.ETag!.Tag.ShouldBe($"\"{Sha256(bytes)}\"");
        raw.Headers.GetValues("X-Content-Type-Options").ShouldBe(["nosniff"]);
    }

    [Fact]
    public async Task ReadRaw_WithMatchingIfNoneMatch_ReturnsNotModified()
    {
        await using var world = await StartAsync();
        var (server, project, _) = world;
        var write = await PutAsync(server, project, "cached.txt", "same");
        using var request = new HttpRequestMessage(HttpMethod.Get, FileUrl(project, "cached.txt") + "?raw=1");
        request.Headers.IfNoneMatch.Add(write.Headers.ETag!);

        var response = await server.Client.SendAsync(request).Bounded();

        response.StatusCode.ShouldBe(HttpStatusCode.NotModified);
    }

    [Fact]
    public async Task WriteFile_RawBody_WritesBytesUnchanged()
    {
        await using var world = await StartAsync();
        var (server, project, _) = world;
        byte[] bytes = [0, 1, 2, 255, 13, 10];
        using var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");

        var response = await server.Client.PutAsync(FileUrl(project, "blob.bin"), content).Bounded();

        response.StatusCode.ShouldBe(HttpStatusCode.Created);
        File.ReadAllBytes(Path.Combine(project.Path, "blob.bin")).ShouldBe(bytes);
        response.Headers.ETag!.Tag.ShouldBe($"\"{Sha256(bytes)}\"");
    }

    [Fact]
    public async Task Files_OverSizeLimit_ReturnFileTooLarge()
    {
        await using var world = await StartAsync(maxFileBytes: 1000);
        var (server, project, _) = world;
        File.WriteAllText(Path.Combine(project.Path, "big.txt"), new string('x', 1001));

        var read = await server.Client.GetAsync(FileUrl(project, "big.txt")).Bounded();
        var write = await PutAsync(server, project, "new-big.txt", new string('y', 1001));
        var huge = await PutAsync(server, project, "huge.txt", new string('z', 20_000));

        await read.ShouldBeProblemAsync(HttpStatusCode.RequestEntityTooLarge, "file_too_large");
        await write.ShouldBeProblemAsync(HttpStatusCode.RequestEntityTooLarge, "file_too_large");
        await huge.ShouldBeProblemAsync(HttpStatusCode.RequestEntityTooLarge, "file_too_large");
        File.Exists(Path.Combine(project.Path, "new-big.txt")).ShouldBeFalse();
        File.Exists(Path.Combine(project.Path, "huge.txt")).ShouldBeFalse();
    }

    [Fact]
    public async Task WriteFile_FourMegabytes_IsAcceptedAboveTheDefaultBodyLimit()
    {
        await using var world = await StartAsync();
        var (server, project, _) = world;
        var content = new string('q', 4 * 1024 * 1024);

        var response = await PutAsync(server, project, "large.txt", content);

        response.StatusCode.ShouldBe(HttpStatusCode.Created);
        new FileInfo(Path.Combine(project.Path, "large.txt")).Length.ShouldBe(content.Length);
    }

    [Fact]
    public async Task ReadFile_AfterExternalEchoAppend_ReturnsNewETag()
    {
        await using var world = await StartAsync();
        var (server, project, _) = world;
        await PutAsync(server, project, "log.txt", "first\n");
        var before = await GetFileAsync(server, project, "log.txt");

        using (var echo = Process.Start(new ProcessStartInfo("/bin/sh") { ArgumentList = { "-c", "echo second >> \"$1\"", "sh", Path.Combine(project.Path, "log.txt") } })!)
        {
            await echo.WaitForExitAsync().Bounded();
            echo.ExitCode.ShouldBe(0);
        }

        var after = await GetFileAsync(server, project, "log.txt");
        after.GetProperty("etag").GetString().ShouldNotBe(before.GetProperty("etag").GetString());
        after.GetProperty("content").GetString().ShouldBe("first\nsecond\n");
    }

    [Fact]
    public async Task WriteMoveDelete_PublishFileEventsWithApiSource()
    {
        await using var world = await StartAsync();
        var (server, project, events) = world;
        var write = await PutAsync(server, project, "a.txt", "x");

        var move = await server.Client.PostAsJsonAsync($"/api/projects/{project.Id}/files:move", new { from = "a.txt", to = "dir/b.txt" }).Bounded();
        var delete = await server.Client.DeleteAsync(FileUrl(project, "dir/b.txt")).Bounded();

        move.StatusCode.ShouldBe(HttpStatusCode.OK);
        delete.StatusCode.ShouldBe(HttpStatusCode.NoContent);
        var etag = write.Headers.ETag!.Tag.Trim('"');
        events.FileEvents(EventTypes.FileChanged).ShouldBe([new FileEventData("a.txt", etag, "api"), new FileEventData("dir/b.txt", etag, "api")]);
        events.FileEvents(EventTypes.FileDeleted).ShouldBe([new FileEventData("a.txt", null, "api"), new FileEventData("dir/b.txt", null, "api")]);
        events.Events.ShouldAllBe(e => e.ProjectId == project.Id);
    }

    [Fact]
    public async Task MoveFile_OntoExistingFile_NeedsOverwrite()
    {
        await using var world = await StartAsync();
        var (server, project, _) = world;
        await PutAsync(server, project, "from.txt", "new");
        await PutAsync(server, project, "to.txt", "old");
        var url = $"/api/projects/{project.Id}/files:move";

        var refused = await server.Client.PostAsJsonAsync(url, new { from = "from.txt", to = "to.txt" }).Bounded();
        await refused.ShouldBeProblemAsync(HttpStatusCode.Conflict, "destination_exists");
        File.ReadAllText(Path.Combine(project.Path, "to.txt")).ShouldBe("old");

        var moved = await server.Client.PostAsJsonAsync(url, new { from = "from.txt", to = "to.txt", overwrite = true }).Bounded();
        moved.StatusCode.ShouldBe(HttpStatusCode.OK);
        File.ReadAllText(Path.Combine(project.Path, "to.txt")).ShouldBe("new");
        File.Exists(Path.Combine(project.Path, "from.txt")).ShouldBeFalse();
    }

    [Fact]
    public async Task MoveDirectory_ToNewPath_MovesItsContents()
    {
        await using var world = await StartAsync();
        var (server, project, _) = world;
        await PutAsync(server, project, "old/inner/x.txt", "x");

        var moved = await server.Client.PostAsJsonAsync($"/api/projects/{project.Id}/files:move", new { from = "old", to = "new/place" }).Bounded();

        moved.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await GetFileAsync(server, project, "new/place/inner/x.txt")).GetProperty("content").GetString().ShouldBe("x");
        Directory.Exists(Path.Combine(project.Path, "old")).ShouldBeFalse();
    }

    [Fact]
    public async Task DeleteFile_WithStaleIfMatch_ReturnsVersionConflictAndKeepsFile()
    {
        await using var world = await StartAsync();
        var (server, project, _) = world;
        var first = await PutAsync(server, project, "keep.txt", "v1");
        await PutAsync(server, project, "keep.txt", "v2");
        using var request = new HttpRequestMessage(HttpMethod.Delete, FileUrl(project, "keep.txt"));
        request.Headers.TryAddWithoutValidation("If-Match", first.Headers.ETag!.Tag);

        var response = await server.Client.SendAsync(request).Bounded();

        await response.ShouldBeProblemAsync(HttpStatusCode.Conflict, "version_conflict");
        File.ReadAllText(Path.Combine(project.Path, "keep.txt")).ShouldBe("v2");
    }

    [Fact]
    public async Task DeleteDirectory_NonEmpty_NeedsRecursive()
    {
        await using var world = await StartAsync();
        var (server, project, _) = world;
        await PutAsync(server, project, "dir/file.txt", "x");

        var refused = await server.Client.DeleteAsync(FileUrl(project, "dir")).Bounded();
        await refused.ShouldBeProblemAsync(HttpStatusCode.Conflict, "directory_not_empty");
        var deleted = await server.Client.DeleteAsync(FileUrl(project, "dir") + "?recursive=true").Bounded();

        deleted.StatusCode.ShouldBe(HttpStatusCode.NoContent);
        Directory.Exists(Path.Combine(project.Path, "dir")).ShouldBeFalse();
        var missing = await server.Client.DeleteAsync(FileUrl(project, "dir")).Bounded();
        await missing.ShouldBeProblemAsync(HttpStatusCode.NotFound, "file_not_found");
    }

    [Fact]
    public async Task CreateDirectory_Twice_CreatesThenReportsExisting()
    {
        await using var world = await StartAsync();
        var (server, project, _) = world;
        var url = $"/api/projects/{project.Id}/dirs";

        var created = await server.Client.PostAsJsonAsync(url, new { path = "x/y/z" }).Bounded();
        var again = await server.Client.PostAsJsonAsync(url, new { path = "x/y/z" }).Bounded();
        await PutAsync(server, project, "file.txt", "x");
        var onFile = await server.Client.PostAsJsonAsync(url, new { path = "file.txt" }).Bounded();

        created.StatusCode.ShouldBe(HttpStatusCode.Created);
        again.StatusCode.ShouldBe(HttpStatusCode.OK);
        Directory.Exists(Path.Combine(project.Path, "x", "y", "z")).ShouldBeTrue();
        await onFile.ShouldBeProblemAsync(HttpStatusCode.Conflict, "destination_exists");
    }

    [Fact]
    public async Task ReadFile_Missing_ReturnsFileNotFound_AndDirectoryReturnsFileIsDirectory()
    {
        await using var world = await StartAsync();
        var (server, project, _) = world;
        await PutAsync(server, project, "dir/a.txt", "x");

        await (await server.Client.GetAsync(FileUrl(project, "nope.txt")).Bounded()).ShouldBeProblemAsync(HttpStatusCode.NotFound, "file_not_found");
        await (await server.Client.GetAsync(FileUrl(project, "dir")).Bounded()).ShouldBeProblemAsync(HttpStatusCode.Conflict, "file_is_directory");
        await (await server.Client.GetAsync($"/api/projects/{project.Id}/tree?path=nope").Bounded()).ShouldBeProblemAsync(HttpStatusCode.NotFound, "directory_not_found");
    }

    [Fact]
    public async Task OpenApiDocument_ListsFilesEndpoints()
    {
        await using var world = await StartAsync();

        var document = await world.Server.Client.GetFromJsonAsync<JsonElement>("/openapi/v1.json").Bounded();

        var paths = document.GetProperty("paths");
        paths.TryGetProperty("/api/projects/{id}/tree", out _).ShouldBeTrue();
        paths.TryGetProperty("/api/projects/{id}/files/{path}", out _).ShouldBeTrue();
        paths.TryGetProperty("/api/projects/{id}/files:move", out _).ShouldBeTrue();
        paths.TryGetProperty("/api/projects/{id}/dirs", out _).ShouldBeTrue();
    }

    [Fact]
    public async Task Files_UnknownProject_ReturnProjectNotFound()
    {
        await using var server = await WrightTestServer.StartAsync(builder: b => b.Services.AddSingleton<IEventBus>(new RecordingEventBus()));
        var id = Guid.NewGuid();

        await (await server.Client.GetAsync($"/api/projects/{id}/files/a.txt").Bounded()).ShouldBeProblemAsync(HttpStatusCode.NotFound, "project_not_found");
        await (await server.Client.GetAsync($"/api/projects/{id}/tree").Bounded()).ShouldBeProblemAsync(HttpStatusCode.NotFound, "project_not_found");
        await (await server.Client.PutAsJsonAsync($"/api/projects/{id}/files/a.txt", new { content = "x" }).Bounded()).ShouldBeProblemAsync(HttpStatusCode.NotFound, "project_not_found");
    }
}
