using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.Configuration;
using Wright.Server.Tests.Git;
using Wright.Server.Tests.Infrastructure;

namespace Wright.Server.Tests.Projects;

/// <summary>Where projects may live: workspace roots for members, never the data directory or a system directory for anyone.</summary>
public sealed class WorkspaceRootsTests : IDisposable
{
    private readonly TempDirectory _root = new("wright-root");
    private readonly TempDirectory _outside = new("wright-outside");

    public void Dispose()
    {
        _root.Dispose();
        _outside.Dispose();
    }

    private Task<WrightTestServer> StartWithRootAsync() =>
        WrightTestServer.StartAsync(builder: b => b.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Wright:Workspace:Roots:0"] = _root.Path }));

    [Fact]
    public async Task OpenKeyRing_ByMemberWithInitGit_IsReservedAndNothingIsCreated()
    {
        await using var server = await StartWithRootAsync();
        var (bob, _) = await server.CreateUserClientAsync("bob");
        var keys = Path.Combine(server.DataDir, "keys");
        Directory.Exists(keys).ShouldBeTrue("the SQLite server keeps its key ring in <data dir>/keys");

        using var response = await bob.PostAsJsonAsync("/api/projects:open", new { path = keys, initGit = true }).Bounded();

        await response.ShouldBeProblemAsync(HttpStatusCode.Forbidden, "project_path_reserved");
        Directory.Exists(Path.Combine(keys, ".git")).ShouldBeFalse();
    }

    [Fact]
    public async Task KeyRing_IsUnreadableThroughEveryRoute()
    {
        await using var server = await StartWithRootAsync();
        var (bob, _) = await server.CreateUserClientAsync("bob");
        var keys = Path.Combine(server.DataDir, "keys");
        var keyFile = Directory.EnumerateFiles(keys).First();

        foreach (var client in new[] { bob, server.Client })
        {
            using var open = await client.PostAsJsonAsync("/api/projects:open", new { path = keys, initGit = true }).Bounded();
            await open.ShouldBeProblemAsync(HttpStatusCode.Forbidden, "project_path_reserved");
            using var openData = await client.PostAsJsonAsync("/api/projects:open", new { path = server.DataDir, initGit = true }).Bounded();
            await openData.ShouldBeProblemAsync(HttpStatusCode.Forbidden, "project_path_reserved");
            using var create = await client.PostAsJsonAsync("/api/projects", new { name = "k", path = Path.Combine(keys, "inner") }).Bounded();
            await create.ShouldBeProblemAsync(HttpStatusCode.Forbidden, "project_path_reserved");
            using var clone = await client.PostAsJsonAsync("/api/projects:clone", new { url = keys, path = Path.Combine(_root.Path, $"copy-{Guid.NewGuid():N}") }).Bounded();
            await clone.ShouldBeProblemAsync(HttpStatusCode.Forbidden, "project_path_reserved");
            using var cloneUrl = await client.PostAsJsonAsync("/api/projects:clone", new { url = new Uri(server.DataDir).AbsoluteUri }).Bounded();
            await cloneUrl.ShouldBeProblemAsync(HttpStatusCode.Forbidden, "project_path_reserved");
            using var cloneInto = await client.PostAsJsonAsync("/api/projects:clone", new { url = "https://example.invalid/x.git", path = Path.Combine(keys, "x") }).Bounded();
            await cloneInto.ShouldBeProblemAsync(HttpStatusCode.Forbidden, "project_path_reserved");
        }

        // A link inside the caller's own project (or its parent) leads nowhere either.
        var link = Path.Combine(_root.Path, "keys-link");
        Directory.CreateSymbolicLink(link, keys);
        using var openLink = await bob.PostAsJsonAsync("/api/projects:open", new { path = link, initGit = true }).Bounded();
        await openLink.ShouldBeProblemAsync(HttpStatusCode.Forbidden, "project_path_reserved");

        using var created = await bob.PostAsJsonAsync("/api/projects", new { name = "mine", path = Path.Combine(_root.Path, "mine") }).Bounded();
        var project = (await created.Content.ReadFromJsonAsync<ProjectInfo>(WrightTestServer.Json).Bounded())!;
        Directory.CreateSymbolicLink(Path.Combine(project.Path, "keys"), keys);
        using var read = await bob.GetAsync($"/api/projects/{project.Id}/files/keys/{Path.GetFileName(keyFile)}").Bounded();
        await read.ShouldBeProblemAsync(HttpStatusCode.Forbidden, "path_outside_project");
        File.CreateSymbolicLink(Path.Combine(project.Path, "key.xml"), keyFile);
        using var readFile = await bob.GetAsync($"/api/projects/{project.Id}/files/key.xml?raw=1").Bounded();
        await readFile.ShouldBeProblemAsync(HttpStatusCode.Forbidden, "path_outside_project");
        await FileSystemTools.HardLinkAsync(keyFile, Path.Combine(project.Path, "hard.xml"));
        using var readHard = await bob.GetAsync($"/api/projects/{project.Id}/files/hard.xml").Bounded();
        await readHard.ShouldBeProblemAsync(HttpStatusCode.Forbidden, "file_hard_linked");
        using var export = await bob.GetAsync($"/api/projects/{project.Id}/export").Bounded();
        export.StatusCode.ShouldBe(HttpStatusCode.OK);
        var keyContent = await File.ReadAllTextAsync(keyFile).Bounded();
        using var archive = new System.IO.Compression.ZipArchive(new MemoryStream(await export.Content.ReadAsByteArrayAsync().Bounded()));
        foreach (var entry in archive.Entries)
        {
            using var reader = new StreamReader(entry.Open());
            (await reader.ReadToEndAsync().Bounded()).ShouldNotBe(keyContent, entry.FullName);
        }

        archive.Entries.Select(e => e.FullName).ShouldNotContain("hard.xml");
    }

    [Fact]
    public async Task OpenOutsideRoots_MemberIsRefused_AdminMay()
    {
        await using var server = await StartWithRootAsync();
        var (bob, _) = await server.CreateUserClientAsync("bob");
        var target = Path.Combine(_outside.Path, "code");
        Directory.CreateDirectory(target);

        using var refused = await bob.PostAsJsonAsync("/api/projects:open", new { path = target, initGit = true }).Bounded();
        using var admin = await server.Client.PostAsJsonAsync("/api/projects:open", new { path = target, initGit = true }).Bounded();

        await refused.ShouldBeProblemAsync(HttpStatusCode.Forbidden, "project_path_not_allowed");
        admin.StatusCode.ShouldBe(HttpStatusCode.Created);
    }

    [Fact]
    public async Task MemberInsideRoot_MayCreateOpenAndCloneLocally()
    {
        await using var server = await StartWithRootAsync();
        var (bob, _) = await server.CreateUserClientAsync("bob");
        var existing = Path.Combine(_root.Path, "existing");
        Directory.CreateDirectory(existing);

        using var create = await bob.PostAsJsonAsync("/api/projects", new { name = "one", path = Path.Combine(_root.Path, "one") }).Bounded();
        using var open = await bob.PostAsJsonAsync("/api/projects:open", new { path = existing, initGit = true }).Bounded();
        using var clonePath = await bob.PostAsJsonAsync("/api/projects:clone", new { url = Path.Combine(_root.Path, "one"), path = Path.Combine(_root.Path, "two") }).Bounded();
        using var cloneUrl = await bob.PostAsJsonAsync("/api/projects:clone", new { url = new Uri(Path.Combine(_root.Path, "one")).AbsoluteUri, path = Path.Combine(_root.Path, "three") }).Bounded();
        using var byDefault = await bob.PostAsJsonAsync("/api/projects", new { name = "in the data dir" }).Bounded();

        create.StatusCode.ShouldBe(HttpStatusCode.Created, await create.Content.ReadAsStringAsync());
        open.StatusCode.ShouldBe(HttpStatusCode.Created, await open.Content.ReadAsStringAsync());
        clonePath.StatusCode.ShouldBe(HttpStatusCode.Created, await clonePath.Content.ReadAsStringAsync());
        cloneUrl.StatusCode.ShouldBe(HttpStatusCode.Created, await cloneUrl.Content.ReadAsStringAsync());
        byDefault.StatusCode.ShouldBe(HttpStatusCode.Created, await byDefault.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task SystemDirectories_AreReservedForAdminsToo()
    {
        await using var server = await StartWithRootAsync();

        foreach (var path in new[] { "/", "/etc", "/usr/local/wright-test-project", "/proc/self", "/var/tmp/x", "/dev" })
        {
            using var open = await server.Client.PostAsJsonAsync("/api/projects:open", new { path, initGit = true }).Bounded();
            await open.ShouldBeProblemAsync(HttpStatusCode.Forbidden, "project_path_reserved");
        }

        using var create = await server.Client.PostAsJsonAsync("/api/projects", new { name = "sys", path = "/usr/local/wright-test-project" }).Bounded();
        await create.ShouldBeProblemAsync(HttpStatusCode.Forbidden, "project_path_reserved");
        Directory.Exists("/usr/local/wright-test-project").ShouldBeFalse();
    }

    [Fact]
    public async Task AnotherUsersProject_IsRefusedExactlyLikeAPathOutsideTheRoots()
    {
        await using var server = await StartWithRootAsync();
        var (alice, _) = await server.CreateUserClientAsync("alice");
        var (bob, _) = await server.CreateUserClientAsync("bob");
        var alicePath = Path.Combine(_root.Path, "alice");
        using var created = await alice.PostAsJsonAsync("/api/projects", new { name = "alice", path = alicePath }).Bounded();
        created.StatusCode.ShouldBe(HttpStatusCode.Created);
        Directory.CreateDirectory(Path.Combine(alicePath, "src"));
        Directory.CreateSymbolicLink(Path.Combine(_root.Path, "to-alice"), alicePath);
        var outside = Path.Combine(_outside.Path, "elsewhere");
        Directory.CreateDirectory(outside);
        var gitFileRepo = Path.Combine(_root.Path, "gitfile");
        Directory.CreateDirectory(gitFileRepo);
        await File.WriteAllTextAsync(Path.Combine(gitFileRepo, ".git"), $"gitdir: {Path.Combine(alicePath, ".git")}\n").Bounded();
        var borrowing = Path.Combine(_root.Path, "borrowing");
        await GitCli.RunAsync(_root.Path, "init", "--quiet", borrowing).Bounded();
        await File.WriteAllTextAsync(Path.Combine(borrowing, ".git", "objects", "info", "alternates"), Path.Combine(alicePath, ".git", "objects") + "\n").Bounded();

        var answers = new List<string>();
        foreach (var request in new object[]
        {
            new { url = alicePath, path = Path.Combine(_root.Path, "b1") },
            new { url = new Uri(alicePath).AbsoluteUri, path = Path.Combine(_root.Path, "b2") },
            new { url = Path.Combine(_root.Path, "to-alice"), path = Path.Combine(_root.Path, "b3") },
            new { url = gitFileRepo, path = Path.Combine(_root.Path, "b4") },
            new { url = borrowing, path = Path.Combine(_root.Path, "b6") },
            new { url = outside, path = Path.Combine(_root.Path, "b5") },
        })
        {
            using var clone = await bob.PostAsJsonAsync("/api/projects:clone", request).Bounded();
            await clone.ShouldBeProblemAsync(HttpStatusCode.Forbidden, "project_path_not_allowed");
            answers.Add(await clone.Content.ReadAsStringAsync().Bounded());
        }

        foreach (var path in new[] { alicePath, Path.Combine(alicePath, "src"), Path.Combine(alicePath, "does-not-exist"), outside, Path.Combine(_outside.Path, "does-not-exist") })
        {
            using var open = await bob.PostAsJsonAsync("/api/projects:open", new { path, initGit = true }).Bounded();
            await open.ShouldBeProblemAsync(HttpStatusCode.Forbidden, "project_path_not_allowed");
            answers.Add(await open.Content.ReadAsStringAsync().Bounded());
        }

        using var createInside = await bob.PostAsJsonAsync("/api/projects", new { name = "x", path = Path.Combine(alicePath, "new") }).Bounded();
        await createInside.ShouldBeProblemAsync(HttpStatusCode.Forbidden, "project_path_not_allowed");
        answers.Add(await createInside.Content.ReadAsStringAsync().Bounded());

        answers.Distinct().Count().ShouldBe(1, string.Join(Environment.NewLine, answers));
        answers[0].ShouldNotContain("alice");
        Directory.Exists(Path.Combine(alicePath, "does-not-exist")).ShouldBeFalse();
        Directory.Exists(Path.Combine(alicePath, "new")).ShouldBeFalse();
        (await GitCli.RunAsync(alicePath, "status", "--porcelain").Bounded()).ShouldNotContain("new");
    }

    [Fact]
    public async Task DefaultRoots_AreTheProjectsFolderAndTheHomeDirectory()
    {
        await using var server = await WrightTestServer.StartAsync();
        var (bob, _) = await server.CreateUserClientAsync("bob");

        using var byDefault = await bob.PostAsJsonAsync("/api/projects", new { name = "default place" }).Bounded();
        using var outside = await bob.PostAsJsonAsync("/api/projects", new { name = "outside", path = Path.Combine(_outside.Path, "p") }).Bounded();
        using var home = await bob.PostAsJsonAsync("/api/projects", new { name = "home", path = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile) }).Bounded();

        byDefault.StatusCode.ShouldBe(HttpStatusCode.Created, await byDefault.Content.ReadAsStringAsync());
        await outside.ShouldBeProblemAsync(HttpStatusCode.Forbidden, "project_path_not_allowed");
        await home.ShouldBeProblemAsync(HttpStatusCode.Forbidden, "project_path_reserved");
    }
}
