using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Wright.Core.Events;
using Wright.Server.Tests.Infrastructure;

namespace Wright.Server.Tests.Files;

/// <summary>
/// One server and one project booby-trapped with symlinks out of it (to /etc, to a sibling
/// directory, to a file, dangling, into .git, in a loop); every adversarial row must be refused
/// with its code while nothing changes outside the project, in .git, or in the project itself.
/// </summary>
public sealed class JailWorld : IAsyncLifetime
{
    public WrightTestServer Server { get; private set; } = null!;

    public ProjectInfo Project { get; private set; } = null!;

    public string Outside { get; private set; } = null!;

    public string Canary { get; } = Path.Combine(Path.GetTempPath(), $"wright-jail-canary-{Guid.NewGuid():N}");

    public async Task InitializeAsync()
    {
        Server = await WrightTestServer.StartAsync(builder: b => b.Services.AddSingleton<IEventBus>(new RecordingEventBus()));
        Project = await Server.CreateProjectAsync("jail");
        Outside = Path.Combine(Server.DataDir, "work", "outside");
        Directory.CreateDirectory(Outside);
        File.WriteAllText(Path.Combine(Outside, "secret.txt"), "secret");
        var root = Project.Path;
        File.WriteAllText(Path.Combine(root, "victim.txt"), "victim");
        File.CreateSymbolicLink(Path.Combine(root, "link-etc"), "/etc");
        File.CreateSymbolicLink(Path.Combine(root, "link-sibling"), Outside);
        File.CreateSymbolicLink(Path.Combine(root, "link-sibling-relative"), "../outside");
        File.CreateSymbolicLink(Path.Combine(root, "link-secret"), Path.Combine(Outside, "secret.txt"));
        File.CreateSymbolicLink(Path.Combine(root, "dangling"), Path.Combine(Outside, "created-through-link.txt"));
        File.CreateSymbolicLink(Path.Combine(root, "link-git"), ".git");
        File.CreateSymbolicLink(Path.Combine(root, "loop1"), "loop2");
        File.CreateSymbolicLink(Path.Combine(root, "loop2"), "loop1");
    }

    /// <summary>Everything a refused request must leave alone: the sibling directory, the project (with .git), /etc/passwd and the canary path.</summary>
    public string Snapshot()
    {
        var lines = new List<string>();
        foreach (var top in new[] { Outside, Project.Path })
        {
            Walk(top, lines);
        }

        lines.Add("/etc/passwd " + Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes("/etc/passwd"))));
        lines.Add($"canary exists: {File.Exists(Canary) || Directory.Exists(Canary)}");
        return string.Join('\n', lines);
    }

    public async Task DisposeAsync() => await Server.DisposeAsync();

    /// <summary>Records every entry without following symlinks (the project holds links to /etc and loops).</summary>
    private static void Walk(string directory, List<string> lines)
    {
        foreach (var entry in Directory.EnumerateFileSystemEntries(directory, "*", new EnumerationOptions { AttributesToSkip = 0 }).Order(StringComparer.Ordinal))
        {
            var info = new FileInfo(entry);
            if (info.LinkTarget is { } target)
            {
                lines.Add($"{entry} -> {target}");
            }
            else if (Directory.Exists(entry))
            {
                lines.Add($"{entry}/");
                Walk(entry, lines);
            }
            else
            {
                lines.Add($"{entry} {Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(entry)))}");
            }
        }
    }
}

public sealed class PathJailApiTests : IClassFixture<JailWorld>
{
    private static readonly string LongPath = string.Join('/', Enumerable.Repeat("abcd", 1000));
    private static readonly string LongSegment = new('s', 300);

    private readonly JailWorld _world;

    public PathJailApiTests(JailWorld world)
    {
        _world = world;
    }

    public enum Verb
    {
        MoveFrom,
        MoveTo,
        CreateDirectory,
        Tree,
        Get,
        Put,
        Delete,
    }

    /// <summary>Paths as a JSON body or query string delivers them (decoded once): the jail sees exactly these strings.</summary>
    public static TheoryData<string, int, string> JailRows() => new()
    {
        { "../victim.txt", 403, "path_outside_project" },
        { "a/../../x", 403, "path_outside_project" },
        { "..", 403, "path_outside_project" },
        { "..%2fx", 403, "path_outside_project" },
        { "%2e%2e/x", 403, "path_outside_project" },
        { "%2E%2E%2Fx", 403, "path_outside_project" },
        { "%252e%252e/x", 403, "path_outside_project" },
        { "%25252e%25252e%25252fx", 403, "path_outside_project" },
        { "/etc/passwd", 403, "path_outside_project" },
        { "CANARY", 403, "path_outside_project" },
        { "C:x", 403, "path_outside_project" },
        { "c:/x", 403, "path_outside_project" },
        { "C:\\x", 400, "path_invalid" },
        { "..\\x", 400, "path_invalid" },
        { "a\\b", 400, "path_invalid" },
        { "%2e%2e%5cx", 400, "path_invalid" },
        { "a\0b", 400, "path_invalid" },
        { "a%00b", 400, "path_invalid" },
        { "a\u0001b", 400, "path_invalid" },
        { "a\nb", 400, "path_invalid" },
        { "a\u007fb", 400, "path_invalid" },
        { "a\u0085b", 400, "path_invalid" },
        { " ", 400, "path_invalid" },
        { "LONGPATH", 400, "path_invalid" },
        { "LONGSEGMENT", 400, "path_invalid" },
        { "...", 400, "path_invalid" },
        { "x/.. ", 400, "path_invalid" },
        { "file.txt.", 400, "path_invalid" },
        { "./victim.txt", 400, "path_invalid" },
        { "a/./b", 400, "path_invalid" },
        { "a//b", 400, "path_invalid" },
        { ".wright-tmp-x", 400, "path_invalid" },
        { ".git/config", 403, "path_inside_git" },
        { ".GIT/HEAD", 403, "path_inside_git" },
        { "a/.git/x", 403, "path_inside_git" },
        { ".git", 403, "path_inside_git" },
        { ".git./config", 403, "path_inside_git" },
        { ".git /config", 403, "path_inside_git" },
        { ".g\u200Cit/config", 403, "path_inside_git" },
        { "GIT~1/config", 403, "path_inside_git" },
        { "%2egit/config", 403, "path_inside_git" },
        { "link-git/config", 403, "path_inside_git" },
        { "link-etc/passwd", 403, "path_outside_project" },
        { "link-etc/wright-pwned", 403, "path_outside_project" },
        { "link-sibling/secret.txt", 403, "path_outside_project" },
        { "link-sibling/new.txt", 403, "path_outside_project" },
        { "link-sibling-relative/new/deeper.txt", 403, "path_outside_project" },
        { "link-secret", 403, "path_outside_project" },
        { "dangling", 403, "path_outside_project" },
        { "loop1", 400, "path_invalid" },
        { "loop1/x", 400, "path_invalid" },
    };

    [Theory]
    [MemberData(nameof(JailRows))]
    public async Task JsonAndQueryPaths_Adversarial_AreRefusedOnEveryVerbAndTouchNothing(string row, int status, string code)
    {
        var path = Expand(row);
        foreach (var verb in Enum.GetValues<Verb>())
        {
            var before = _world.Snapshot();

            var response = await SendAsync(verb, path);

            var body = await response.Content.ReadAsStringAsync().Bounded();
            ((int)response.StatusCode).ShouldBe(status, $"{verb} {row}: {body}");
            JsonDocument.Parse(body).RootElement.GetProperty("code").GetString().ShouldBe(code, $"{verb} {row}");
            _world.Snapshot().ShouldBe(before, $"{verb} {row} changed the disk");
        }
    }

    /// <summary>
    /// Request targets sent byte for byte. Kestrel itself removes dot segments (also
    /// percent-encoded ones) and refuses NUL before routing, so those rows never reach the files
    /// endpoints: they answer 404 route_not_found or a bare 400, and still touch nothing.
    /// </summary>
    public static TheoryData<string, int, string?> RouteRows() => new()
    {
        { "..%2f..%2fvictim.txt", 403, "path_outside_project" },
        { "a/..%2F..%2F..%2Fx", 403, "path_outside_project" },
        { "%252e%252e/x", 403, "path_outside_project" },
        { "%252e%252e%252fx", 403, "path_outside_project" },
        { "%2fetc%2fpasswd", 403, "path_outside_project" },
        { "C:x", 403, "path_outside_project" },
        { "%2e%2e%5cx", 400, "path_invalid" },
        { "C:%5cx", 400, "path_invalid" },
        { "a%5cb", 400, "path_invalid" },
        { "a%01b", 400, "path_invalid" },
        { "a%0ab", 400, "path_invalid" },
        { "a%7fb", 400, "path_invalid" },
        { "LONGPATH", 400, "path_invalid" },
        { "LONGSEGMENT", 400, "path_invalid" },
        { "...", 400, "path_invalid" },
        { "a//b", 400, "path_invalid" },
        { "file.txt.", 400, "path_invalid" },
        { ".git/config", 403, "path_inside_git" },
        { ".GIT/HEAD", 403, "path_inside_git" },
        { "a/.git/x", 403, "path_inside_git" },
        { "%2egit%2fconfig", 403, "path_inside_git" },
        { ".git.%2fconfig", 403, "path_inside_git" },
        { "link-git/config", 403, "path_inside_git" },
        { "link-etc/passwd", 403, "path_outside_project" },
        { "link-sibling/secret.txt", 403, "path_outside_project" },
        { "link-sibling/new.txt", 403, "path_outside_project" },
        { "link-secret", 403, "path_outside_project" },
        { "dangling", 403, "path_outside_project" },
        { "loop1", 400, "path_invalid" },
        { "../../../../../etc/passwd", 404, "route_not_found" },
        { "%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd", 404, "route_not_found" },
        { "a%00b", 400, null },
    };

    [Theory]
    [MemberData(nameof(RouteRows))]
    public async Task RoutePaths_Adversarial_AreRefusedOnGetPutDeleteAndTouchNothing(string row, int status, string? code)
    {
        var target = $"/api/projects/{_world.Project.Id}/files/{Expand(row)}";
        foreach (var method in new[] { "GET", "PUT", "DELETE" })
        {
            var before = _world.Snapshot();

            var response = await RawHttp.SendAsync(_world.Server.BaseAddress, method, target, method == "PUT" ? """{"content":"pwned"}""" : null, _world.Server.Client.DefaultRequestHeaders.Authorization!.Parameter);

            ((int)response.Status).ShouldBe(status, $"{method} {row}: {response.Body}");
            response.Code.ShouldBe(code, $"{method} {row}: {response.Body}");
            _world.Snapshot().ShouldBe(before, $"{method} {row} changed the disk");
        }
    }

    [Fact]
    public void AdversarialRows_NumberAtLeastThirtyPerTransport()
    {
        JailRows().Count().ShouldBeGreaterThanOrEqualTo(30);
        RouteRows().Count().ShouldBeGreaterThanOrEqualTo(30);
    }

    [Fact]
    public async Task SymlinkInsideProject_ToInsideTarget_IsAllowed()
    {
        File.WriteAllText(Path.Combine(_world.Project.Path, "target.txt"), "inside");
        var link = Path.Combine(_world.Project.Path, "inside-link");
        if (!File.Exists(link))
        {
            File.CreateSymbolicLink(link, "target.txt");
        }

        var read = await _world.Server.Client.GetFromJsonAsync<JsonElement>($"/api/projects/{_world.Project.Id}/files/inside-link").Bounded();

        read.GetProperty("content").GetString().ShouldBe("inside");
    }

    private string Expand(string row) => row switch
    {
        "LONGPATH" => LongPath,
        "LONGSEGMENT" => LongSegment,
        "CANARY" => _world.Canary,
        _ => row,
    };

    private async Task<HttpResponseMessage> SendAsync(Verb verb, string path)
    {
        var client = _world.Server.Client;
        var project = $"/api/projects/{_world.Project.Id}";
        return verb switch
        {
            Verb.MoveFrom => await client.PostAsJsonAsync($"{project}/files:move", new { from = path, to = "moved.txt" }).Bounded(),
            Verb.MoveTo => await client.PostAsJsonAsync($"{project}/files:move", new { from = "victim.txt", to = path, overwrite = true }).Bounded(),
            Verb.CreateDirectory => await client.PostAsJsonAsync($"{project}/dirs", new { path }).Bounded(),
            Verb.Tree => await client.GetAsync($"{project}/tree?path={Uri.EscapeDataString(path)}").Bounded(),
            Verb.Get => await ThroughRouteAsync("GET", project, path),
            Verb.Put => await ThroughRouteAsync("PUT", project, path),
            Verb.Delete => await ThroughRouteAsync("DELETE", project, path),
            _ => throw new ArgumentOutOfRangeException(nameof(verb)),
        };
    }

    /// <summary>The same string through the route: every character escaped, so Kestrel decodes it back to exactly this path (dot segments aside, which the route rows cover).</summary>
    private async Task<HttpResponseMessage> ThroughRouteAsync(string method, string project, string path)
    {
        if (path.Split('/').Any(s => s is "." or "..") || path.Contains('\0', StringComparison.Ordinal))
        {
            // Kestrel resolves these before routing (see RouteRows); the JSON verbs cover them here.
            return await _world.Server.Client.PostAsJsonAsync($"{project}/dirs", new { path }).Bounded();
        }

        var escaped = string.Join('/', path.Split('/').Select(Uri.EscapeDataString));
        var raw = await RawHttp.SendAsync(_world.Server.BaseAddress, method, $"{project}/files/{escaped}", method == "PUT" ? """{"content":"pwned"}""" : null, _world.Server.Client.DefaultRequestHeaders.Authorization!.Parameter);
        return new HttpResponseMessage(raw.Status) { Content = new StringContent(raw.Body) };
    }
}
