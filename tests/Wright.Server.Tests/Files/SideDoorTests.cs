using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Wright.Core.Hosting;
using Wright.Server.Tests.Git;
using Wright.Server.Tests.Infrastructure;

namespace Wright.Server.Tests.Files;

/// <summary>Nothing leaves a project through FIFOs, hard links or an export that follows a swapped-in symbolic link.</summary>
public sealed class SideDoorTests : IDisposable
{
    private readonly TempDirectory _outside = new("wright-outside");

    public void Dispose() => _outside.Dispose();

    [Fact]
    public async Task Fifo_IsNeverOpened_ReadAndWriteAnswerNotARegularFile()
    {
        await using var server = await WrightTestServer.StartAsync();
        var project = await server.CreateProjectAsync("fifo");
        var fifo = Path.Combine(project.Path, "pipe");
        await FileSystemTools.MakeFifoAsync(fifo);

        // Each request would block until a writer opened the FIFO if the server opened it.
        using var read = await server.Client.GetAsync($"/api/projects/{project.Id}/files/pipe").Bounded();
        using var raw = await server.Client.GetAsync($"/api/projects/{project.Id}/files/pipe?raw=1").Bounded();
        using var write = await server.Client.PutAsJsonAsync($"/api/projects/{project.Id}/files/pipe", new { content = "x" }).Bounded();
        using var export = await server.Client.GetAsync($"/api/projects/{project.Id}/export").Bounded();
        using var tree = await server.Client.GetAsync($"/api/projects/{project.Id}/tree").Bounded();

        await read.ShouldBeProblemAsync(HttpStatusCode.Conflict, "not_a_regular_file");
        await raw.ShouldBeProblemAsync(HttpStatusCode.Conflict, "not_a_regular_file");
        await write.ShouldBeProblemAsync(HttpStatusCode.Conflict, "not_a_regular_file");
        export.StatusCode.ShouldBe(HttpStatusCode.OK);
        EntryNames(await export.Content.ReadAsByteArrayAsync().Bounded()).ShouldNotContain("pipe");
        tree.StatusCode.ShouldBe(HttpStatusCode.OK);
        File.Exists(fifo).ShouldBeTrue();
    }

    [Fact]
    public async Task HardLinkToAnOutsideFile_IsRefusedForReading_UnlessAllowed()
    {
        await using var server = await WrightTestServer.StartAsync();
        var project = await server.CreateProjectAsync("hard");
        var secret = Path.Combine(_outside.Path, "secret.txt");
        await File.WriteAllTextAsync(secret, "outside secret").Bounded();
        await FileSystemTools.HardLinkAsync(secret, Path.Combine(project.Path, "linked.txt"));

        using var refused = await server.Client.GetAsync($"/api/projects/{project.Id}/files/linked.txt").Bounded();
        using var refusedRaw = await server.Client.GetAsync($"/api/projects/{project.Id}/files/linked.txt?raw=1").Bounded();
        using var export = await server.Client.GetAsync($"/api/projects/{project.Id}/export").Bounded();
        var archive = await export.Content.ReadAsByteArrayAsync().Bounded();
        server.Services.GetRequiredService<WrightOptions>().AllowHardLinks = true;
        using var allowed = await server.Client.GetAsync($"/api/projects/{project.Id}/files/linked.txt?raw=1").Bounded();

        var problem = await refused.ShouldBeProblemAsync(HttpStatusCode.Forbidden, "file_hard_linked");
        problem.GetRawText().ShouldNotContain("outside secret");
        await refusedRaw.ShouldBeProblemAsync(HttpStatusCode.Forbidden, "file_hard_linked");
        EntryNames(archive).ShouldNotContain("linked.txt");
        (await allowed.Content.ReadAsStringAsync().Bounded()).ShouldBe("outside secret");
    }

    [Fact]
    public async Task Export_CommittedPathWhoseDirectoryBecameALinkOut_LeavesTheOutsideFileOut()
    {
        await using var server = await WrightTestServer.StartAsync();
        var project = await server.CreateProjectAsync("swap");
        Directory.CreateDirectory(Path.Combine(project.Path, "docs"));
        await File.WriteAllTextAsync(Path.Combine(project.Path, "docs", "notes.txt"), "project notes").Bounded();
        await File.WriteAllTextAsync(Path.Combine(project.Path, "keep.txt"), "kept").Bounded();
        await GitCli.RunAsync(project.Path, "add", "-A").Bounded();
        await GitCli.RunAsync(project.Path, "commit", "-m", "docs").Bounded();
        await File.WriteAllTextAsync(Path.Combine(_outside.Path, "notes.txt"), "OUTSIDE CONTENT").Bounded();
        Directory.Move(Path.Combine(project.Path, "docs"), Path.Combine(project.Path, "docs-old"));
        Directory.CreateSymbolicLink(Path.Combine(project.Path, "docs"), _outside.Path);

        using var export = await server.Client.GetAsync($"/api/projects/{project.Id}/export").Bounded();

        export.StatusCode.ShouldBe(HttpStatusCode.OK);
        var contents = EntryContents(await export.Content.ReadAsByteArrayAsync().Bounded());
        contents.Values.ShouldNotContain("OUTSIDE CONTENT");
        contents.Keys.ShouldNotContain("docs/notes.txt");
        contents["keep.txt"].ShouldBe("kept");
        contents["docs-old/notes.txt"].ShouldBe("project notes");
    }

    private static List<string> EntryNames(byte[] zip)
    {
        using var archive = new ZipArchive(new MemoryStream(zip), ZipArchiveMode.Read);
        return archive.Entries.Select(e => e.FullName).ToList();
    }

    private static Dictionary<string, string> EntryContents(byte[] zip)
    {
        using var archive = new ZipArchive(new MemoryStream(zip), ZipArchiveMode.Read);
        return archive.Entries.ToDictionary(e => e.FullName, e =>
        {
            using var reader = new StreamReader(e.Open());
            return reader.ReadToEnd();
        });
    }
}
