using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Wright.Core.Git;
using Wright.Server.Tests.Events;
using Wright.Server.Tests.Git;
using Wright.Server.Tests.Infrastructure;

namespace Wright.Server.Tests.Projects;

/// <summary><c>/api/clones</c>: a clone in the background with git's progress as SSE, cancellable, leaving nothing behind when it does not finish.</summary>
public sealed class CloneProgressTests
{
    [Fact]
    public async Task Clone_LocalBareRepository_StreamsReceivingProgressThenTheProject()
    {
        await using var server = await WrightTestServer.StartAsync();
        using var source = new TempDirectory();
        var bare = await BareRepositoryAsync(source.Path, files: 1500);
        var target = Path.Combine(server.DataDir, "projects", "cloned");

        var response = await server.Client.PostAsJsonAsync("/api/clones", new { url = $"file://{bare}", path = target, name = "cloned" }).Bounded();

        response.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        var started = await response.Content.ReadFromJsonAsync<JsonElement>().Bounded();
        var id = started.GetProperty("id").GetGuid();
        response.Headers.Location!.ToString().ShouldBe($"/api/clones/{id}");
        await using var stream = await SseStream.OpenAsync(server.Client, $"/api/clones/{id}/events");
        var events = new List<SseMessage>();
        while (await stream.NextAsync() is { } message)
        {
            events.Add(message);
        }

        events[^1].Event.ShouldBe("succeeded", string.Join("\n", events));
        var receiving = events.Where(e => e.Event == "progress" && e.Json.GetProperty("phase").GetString() == "Receiving objects").Select(e => e.Json.GetProperty("percent").GetInt32()).ToList();
        receiving.Count.ShouldBeGreaterThan(3, string.Join("\n", events));
        receiving.ShouldBe(receiving.Order().ToList());
        receiving[^1].ShouldBe(100);
        events.Select(e => long.Parse(e.Id!, System.Globalization.CultureInfo.InvariantCulture)).ShouldBe(Enumerable.Range(1, events.Count).Select(i => (long)i));

        var project = events[^1].Json.GetProperty("project");
        project.GetProperty("path").GetString().ShouldBe(target);
        File.Exists(Path.Combine(target, "dir7", "file0007.txt")).ShouldBeTrue();
        Directory.GetFileSystemEntries(Path.GetDirectoryName(target)!).Select(Path.GetFileName).ShouldBe(["cloned"]);
        var get = await server.Client.GetFromJsonAsync<JsonElement>($"/api/clones/{id}").Bounded();
        get.GetProperty("state").GetString().ShouldBe("succeeded");
        (await server.Client.GetAsync($"/api/projects/{project.GetProperty("id").GetGuid()}").Bounded()).StatusCode.ShouldBe(HttpStatusCode.OK);

        // Resuming after the last event id replays nothing more and ends.
        await using var again = await SseStream.OpenAsync(server.Client, $"/api/clones/{id}/events", lastEventId: events[^2].Id);
        (await again.NextAsync())!.Event.ShouldBe("succeeded");
    }

    [Fact]
    public async Task Clone_StalledRemote_CancelLeavesNoDirectoryAndNoProject()
    {
        await using var server = await WrightTestServer.StartAsync();
        // A "server" that accepts the connection and never answers: git waits on it.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var target = Path.Combine(server.DataDir, "projects", "stalled");

        var response = await server.Client.PostAsJsonAsync("/api/clones", new { url = $"http://127.0.0.1:{port}/repo.git", path = target, name = "stalled" }).Bounded();
        response.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>().Bounded()).GetProperty("id").GetGuid();
        using var connection = await listener.AcceptTcpClientAsync().Bounded();
        (await server.Client.GetFromJsonAsync<JsonElement>($"/api/clones/{id}").Bounded()).GetProperty("state").GetString().ShouldBe("running");
        await using var stream = await SseStream.OpenAsync(server.Client, $"/api/clones/{id}/events");

        var cancel = await server.Client.PostAsync($"/api/clones/{id}:cancel", null).Bounded();

        cancel.StatusCode.ShouldBe(HttpStatusCode.OK);
        var cancelled = await cancel.Content.ReadFromJsonAsync<JsonElement>().Bounded();
        cancelled.GetProperty("state").GetString().ShouldBe("cancelled");
        cancelled.GetProperty("error").GetProperty("code").GetString().ShouldBe("clone_cancelled");
        (await stream.NextAsync())!.Event.ShouldBe("cancelled");
        Directory.Exists(target).ShouldBeFalse();
        var parent = Path.GetDirectoryName(target)!;
        (Directory.Exists(parent) ? Directory.GetFileSystemEntries(parent) : []).ShouldBeEmpty();
        var projects = await server.Client.GetFromJsonAsync<JsonElement>("/api/projects").Bounded();
        projects.GetProperty("items").GetArrayLength().ShouldBe(0);
    }

    [Fact]
    public async Task Clone_FailingSource_EndsFailedWithItsCode()
    {
        await using var server = await WrightTestServer.StartAsync();
        using var source = new TempDirectory();
        var target = Path.Combine(server.DataDir, "projects", "missing");

        var response = await server.Client.PostAsJsonAsync("/api/clones", new { url = $"file://{source.Path}/not-a-repo.git", path = target }).Bounded();
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>().Bounded()).GetProperty("id").GetGuid();
        await using var stream = await SseStream.OpenAsync(server.Client, $"/api/clones/{id}/events");
        SseMessage? last = null;
        while (await stream.NextAsync() is { } message)
        {
            last = message;
        }

        last!.Event.ShouldBe("failed");
        last.Json.GetProperty("error").GetProperty("code").GetString().ShouldBe("clone_failed");
        Directory.Exists(target).ShouldBeFalse();
    }

    [Fact]
    public async Task Clone_InvalidUrlOrAnotherUsersClone_AreRefused()
    {
        await using var server = await WrightTestServer.StartAsync();
        using var source = new TempDirectory();
        var bare = await BareRepositoryAsync(source.Path, files: 3);

        var invalid = await server.Client.PostAsJsonAsync("/api/clones", new { url = "ext::sh -c touch% /tmp/x" }).Bounded();
        await invalid.ShouldBeProblemAsync(HttpStatusCode.BadRequest, "clone_url_invalid");

        var response = await server.Client.PostAsJsonAsync("/api/clones", new { url = bare, path = Path.Combine(server.DataDir, "projects", "mine") }).Bounded();
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>().Bounded()).GetProperty("id").GetGuid();
        var (other, _) = await server.CreateUserClientAsync("other");
        await (await other.GetAsync($"/api/clones/{id}").Bounded()).ShouldBeProblemAsync(HttpStatusCode.NotFound, "clone_not_found");
        await (await other.PostAsync($"/api/clones/{id}:cancel", null).Bounded()).ShouldBeProblemAsync(HttpStatusCode.NotFound, "clone_not_found");
    }

    [Theory]
    [InlineData("Receiving objects:  45% (450/1000), 1.20 MiB | 2.00 MiB/s", "Receiving objects", 45, 450L, 1000L)]
    [InlineData("remote: Compressing objects: 100% (12/12), done.", "Compressing objects", 100, 12L, 12L)]
    [InlineData("Resolving deltas:   0% (0/3)", "Resolving deltas", 0, 0L, 3L)]
    public void Meter_ParsesGitProgressLines(string line, string phase, int percent, long done, long total) =>
        GitProgressMeter.Parse(line).ShouldBe(new GitTransferProgress(phase, percent, done, total));

    [Theory]
    [InlineData("Cloning into 'x'...")]
    [InlineData("warning: You appear to have cloned an empty repository.")]
    public void Meter_IgnoresOtherLines(string line) => GitProgressMeter.Parse(line).ShouldBeNull();

    /// <summary>A bare repository of <paramref name="files"/> distinct files in ten directories.</summary>
    private static async Task<string> BareRepositoryAsync(string root, int files)
    {
        var work = Path.Combine(root, "work");
        Directory.CreateDirectory(work);
        await GitCli.RunAsync(work, "init", "--quiet", "-b", "main");
        for (var i = 0; i < files; i++)
        {
            var directory = Path.Combine(work, $"dir{i % 10}");
            Directory.CreateDirectory(directory);
            await File.WriteAllTextAsync(Path.Combine(directory, $"file{i:D4}.txt"), $"file {i}\n{Guid.NewGuid()}\n{string.Concat(Enumerable.Repeat(i.ToString(System.Globalization.CultureInfo.InvariantCulture), 40))}\n");
        }

        await GitCli.RunAsync(work, "add", "--all");
        await GitCli.RunAsync(work, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "--quiet", "-m", "files");
        var bare = Path.Combine(root, "source.git");
        await GitCli.RunAsync(root, "clone", "--quiet", "--bare", work, bare);
        return bare;
    }
}
