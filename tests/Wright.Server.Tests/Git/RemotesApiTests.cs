using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Wright.Server.Tests.Infrastructure;

namespace Wright.Server.Tests.Git;

/// <summary>Remotes, fetch, pull, push and merge:abort against real bare repositories on this disk, over real HTTP.</summary>
public sealed class RemotesApiTests
{
    [Fact]
    public async Task Remotes_AddListDelete_WithNamesAndUrlsChecked()
    {
        await using var server = await WrightTestServer.StartAsync();
        var project = await server.CreateProjectAsync();
        using var temp = new TempDirectory();
        var bare = await CreateBareAsync(temp.Path);

        using (var added = await server.Client.PostAsJsonAsync(Git(project, "remotes"), new { name = "origin", url = bare }).Bounded())
        {
            added.StatusCode.ShouldBe(HttpStatusCode.Created, await added.Content.ReadAsStringAsync());
        }

        (await server.Client.PostAsJsonAsync(Git(project, "remotes"), new { name = "with-password", url = "https://alice:hunter2-secret@example.com/repo.git" }).Bounded()).EnsureSuccessStatusCode();
        var listed = await server.Client.GetStringAsync(Git(project, "remotes")).Bounded();
        listed.ShouldNotContain("hunter2-secret");
        var items = JsonDocument.Parse(listed).RootElement.GetProperty("items").EnumerateArray().ToList();
        items.Select(i => i.GetProperty("name").GetString()).ShouldBe(["origin", "with-password"]);
        items[0].GetProperty("fetchUrl").GetString().ShouldBe(bare);
        items[0].GetProperty("pushUrl").GetString().ShouldBe(bare);
        items[1].GetProperty("fetchUrl").GetString().ShouldBe("https://alice:***@example.com/repo.git");

        using var again = await server.Client.PostAsJsonAsync(Git(project, "remotes"), new { name = "origin", url = bare }).Bounded();
        await again.ShouldBeProblemAsync(HttpStatusCode.Conflict, "remote_exists");
        using var optionName = await server.Client.PostAsJsonAsync(Git(project, "remotes"), new { name = "--mirror", url = bare }).Bounded();
        await optionName.ShouldBeProblemAsync(HttpStatusCode.BadRequest, "remote_name_invalid");
        foreach (var url in new[] { "--upload-pack=touch /tmp/pwned", "ext::sh -c touch% /tmp/pwned", "relative/path", "ftp://example.com/x" })
        {
            using var bad = await server.Client.PostAsJsonAsync(Git(project, "remotes"), new { name = "bad", url }).Bounded();
            await bad.ShouldBeProblemAsync(HttpStatusCode.BadRequest, "remote_url_invalid");
        }

        using (var deleted = await server.Client.DeleteAsync(Git(project, "remotes/origin")).Bounded())
        {
            deleted.StatusCode.ShouldBe(HttpStatusCode.NoContent);
        }

        using var missing = await server.Client.DeleteAsync(Git(project, "remotes/origin")).Bounded();
        await missing.ShouldBeProblemAsync(HttpStatusCode.NotFound, "remote_not_found");
        (await GitCli.RunAsync(project.Path, "remote")).Trim().ShouldBe("with-password");
    }

    [Fact]
    public async Task PushThenPull_ToAndFromALocalBareRepository_FastForwardsThenMergesThenIsUpToDate()
    {
        await using var server = await WrightTestServer.StartAsync();
        var project = await server.CreateProjectAsync();
        using var temp = new TempDirectory();
        var bare = await CreateBareAsync(temp.Path);
        (await server.Client.PostAsJsonAsync(Git(project, "remotes"), new { name = "origin", url = bare }).Bounded()).EnsureSuccessStatusCode();
        await CommitAsync(server, project, "app.txt", "one\n", "Add app");

        var pushed = await PostJsonAsync(server, Git(project, "push"), new { setUpstream = true });

        var head = await GitCli.HeadAsync(project.Path);
        pushed.GetProperty("remote").GetString().ShouldBe("origin");
        pushed.GetProperty("branch").GetString().ShouldBe("main");
        pushed.GetProperty("head").GetString().ShouldBe(head);
        (await GitCli.RunAsync(bare, "rev-parse", "refs/heads/main")).Trim().ShouldBe(head);
        (await GitCli.RunAsync(project.Path, "config", "branch.main.remote")).Trim().ShouldBe("origin");

        // Someone else pushes a commit; the project pulls it as a fast-forward.
        var other = await CloneAsync(bare, temp.Combine("other"));
        await File.WriteAllTextAsync(Path.Combine(other, "theirs.txt"), "from elsewhere\n");
        await GitCli.RunAsync(other, "add", "--all");
        await GitCli.RunAsync(other, "commit", "--quiet", "-m", "Theirs");
        await GitCli.RunAsync(other, "push", "--quiet", "origin", "main");

        var fetched = await PostJsonAsync(server, Git(project, "fetch"), new { });
        fetched.GetProperty("behind").GetInt32().ShouldBe(1);
        fetched.GetProperty("ahead").GetInt32().ShouldBe(0);

        var fastForward = await PostJsonAsync(server, Git(project, "pull"), new { });
        fastForward.GetProperty("outcome").GetString().ShouldBe("fastForward");
        fastForward.GetProperty("head").GetString().ShouldBe(await GitCli.HeadAsync(other));
        (await File.ReadAllTextAsync(Path.Combine(project.Path, "theirs.txt"))).ShouldBe("from elsewhere\n");

        // Both sides commit different files: the pull makes a merge commit with both.
        await File.WriteAllTextAsync(Path.Combine(other, "theirs.txt"), "changed elsewhere\n");
        await GitCli.RunAsync(other, "commit", "--quiet", "-am", "Theirs again");
        await GitCli.RunAsync(other, "push", "--quiet", "origin", "main");
        await CommitAsync(server, project, "mine.txt", "mine\n", "Mine");

        var merged = await PostJsonAsync(server, Git(project, "pull"), new { remote = "origin", branch = "main" });
        merged.GetProperty("outcome").GetString().ShouldBe("merged");
        merged.GetProperty("conflicts").GetArrayLength().ShouldBe(0);
        (await GitCli.RunAsync(project.Path, "rev-list", "--parents", "-n", "1", "HEAD")).Trim().Split(' ').Length.ShouldBe(3);
        (await File.ReadAllTextAsync(Path.Combine(project.Path, "theirs.txt"))).ShouldBe("changed elsewhere\n");
        (await File.ReadAllTextAsync(Path.Combine(project.Path, "mine.txt"))).ShouldBe("mine\n");

        var upToDate = await PostJsonAsync(server, Git(project, "pull"), new { });
        upToDate.GetProperty("outcome").GetString().ShouldBe("upToDate");
        (await PostJsonAsync(server, Git(project, "push"), new { })).GetProperty("head").GetString().ShouldBe(await GitCli.HeadAsync(project.Path));
        (await GitCli.RunAsync(bare, "rev-parse", "refs/heads/main")).Trim().ShouldBe(await GitCli.HeadAsync(project.Path));
    }

    [Fact]
    public async Task Pull_ConflictingEdits_LeavesTheMergeInProgress_UntilMergeAbort()
    {
        await using var server = await WrightTestServer.StartAsync();
        var project = await server.CreateProjectAsync();
        using var temp = new TempDirectory();
        var bare = await CreateBareAsync(temp.Path);
        (await server.Client.PostAsJsonAsync(Git(project, "remotes"), new { name = "origin", url = bare }).Bounded()).EnsureSuccessStatusCode();
        await CommitAsync(server, project, "shared.txt", "line one\nline two\n", "Add shared");
        await PostJsonAsync(server, Git(project, "push"), new { setUpstream = true });
        var other = await CloneAsync(bare, temp.Combine("other"));
        await File.WriteAllTextAsync(Path.Combine(other, "shared.txt"), "line one\nline two (theirs)\n");
        await GitCli.RunAsync(other, "commit", "--quiet", "-am", "Theirs");
        await GitCli.RunAsync(other, "push", "--quiet", "origin", "main");
        await CommitAsync(server, project, "shared.txt", "line one\nline two (mine)\n", "Mine");
        var mine = await GitCli.HeadAsync(project.Path);

        using (var rejected = await server.Client.PostAsJsonAsync(Git(project, "push"), new { }).Bounded())
        {
            await rejected.ShouldBeProblemAsync(HttpStatusCode.Conflict, "push_rejected");
        }

        var conflict = await PostJsonAsync(server, Git(project, "pull"), new { });

        conflict.GetProperty("outcome").GetString().ShouldBe("conflict");
        conflict.GetProperty("conflicts").EnumerateArray().Select(c => c.GetString()).ShouldBe(["shared.txt"]);
        conflict.GetProperty("head").GetString().ShouldBe(mine);
        var text = await File.ReadAllTextAsync(Path.Combine(project.Path, "shared.txt"));
        text.ShouldContain("<<<<<<<");
        text.ShouldContain("line two (theirs)");
        File.Exists(Path.Combine(project.Path, ".git", "MERGE_HEAD")).ShouldBeTrue();
        using (var again = await server.Client.PostAsJsonAsync(Git(project, "pull"), new { }).Bounded())
        {
            await again.ShouldBeProblemAsync(HttpStatusCode.Conflict, "merge_in_progress");
        }

        var status = await PostJsonAsync(server, Git(project, "merge:abort"), new { });

        status.GetProperty("clean").GetBoolean().ShouldBeTrue();
        File.Exists(Path.Combine(project.Path, ".git", "MERGE_HEAD")).ShouldBeFalse();
        (await File.ReadAllTextAsync(Path.Combine(project.Path, "shared.txt"))).ShouldBe("line one\nline two (mine)\n");
        (await GitCli.HeadAsync(project.Path)).ShouldBe(mine);
        using var none = await server.Client.PostAsJsonAsync(Git(project, "merge:abort"), new { }).Bounded();
        await none.ShouldBeProblemAsync(HttpStatusCode.Conflict, "no_merge_in_progress");
    }

    [Fact]
    public async Task Pull_OverUncommittedChangesItWouldOverwrite_IsRefusedAndKeepsThem_AndBodiesAreOptional()
    {
        await using var server = await WrightTestServer.StartAsync();
        var project = await server.CreateProjectAsync();
        using var temp = new TempDirectory();
        var bare = await CreateBareAsync(temp.Path);
        (await server.Client.PostAsJsonAsync(Git(project, "remotes"), new { name = "origin", url = bare }).Bounded()).EnsureSuccessStatusCode();
        await CommitAsync(server, project, "page.txt", "v1\n", "Add page");
        using (var push = await server.Client.PostAsync(Git(project, "push"), null).Bounded())
        {
            push.StatusCode.ShouldBe(HttpStatusCode.OK, await push.Content.ReadAsStringAsync());
        }

        var other = await CloneAsync(bare, temp.Combine("other"));
        await File.WriteAllTextAsync(Path.Combine(other, "page.txt"), "v2 from elsewhere\n");
        await GitCli.RunAsync(other, "commit", "--quiet", "-am", "Theirs");
        await GitCli.RunAsync(other, "push", "--quiet", "origin", "main");
        await File.WriteAllTextAsync(Path.Combine(project.Path, "page.txt"), "unsaved local edit\n");
        var head = await GitCli.HeadAsync(project.Path);

        using var pull = await server.Client.PostAsync(Git(project, "pull"), null).Bounded();

        await pull.ShouldBeProblemAsync(HttpStatusCode.Conflict, "uncommitted_changes");
        (await File.ReadAllTextAsync(Path.Combine(project.Path, "page.txt"))).ShouldBe("unsaved local edit\n");
        (await GitCli.HeadAsync(project.Path)).ShouldBe(head);
        using var missing = await server.Client.PostAsJsonAsync(Git(project, "fetch"), new { remote = "upstream" }).Bounded();
        await missing.ShouldBeProblemAsync(HttpStatusCode.NotFound, "remote_not_found");
        using var noBranch = await server.Client.PostAsJsonAsync(Git(project, "pull"), new { branch = "no-such-branch" }).Bounded();
        await noBranch.ShouldBeProblemAsync(HttpStatusCode.NotFound, "branch_not_found");
    }

    [Fact]
    public async Task Fetch_FromARemoteThatWantsCredentials_FailsWithACodeInsteadOfPrompting_AndNamesNoSecret()
    {
        await using var server = await WrightTestServer.StartAsync();
        var project = await server.CreateProjectAsync();
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        using var stop = new CancellationTokenSource(TestTimeouts.Default);
        var answering = AnswerUnauthorizedAsync(listener, stop.Token);
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        (await server.Client.PostAsJsonAsync(Git(project, "remotes"), new { name = "private", url = $"http://127.0.0.1:{port}/repo.git" }).Bounded()).EnsureSuccessStatusCode();
        (await server.Client.PostAsJsonAsync(Git(project, "remotes"), new { name = "keyed", url = $"http://bot:tok-very-secret-1234@127.0.0.1:{port}/repo.git" }).Bounded()).EnsureSuccessStatusCode();

        using var prompted = await server.Client.PostAsJsonAsync(Git(project, "fetch"), new { remote = "private" }).Bounded();
        using var refused = await server.Client.PostAsJsonAsync(Git(project, "fetch"), new { remote = "keyed" }).Bounded();

        var problem = await prompted.ShouldBeProblemAsync(HttpStatusCode.BadGateway, "remote_auth_failed");
        problem.GetProperty("detail").GetString()!.ShouldContain("credential");
        var keyed = await refused.Content.ReadAsStringAsync().Bounded();
        keyed.ShouldNotContain("tok-very-secret-1234");
        JsonDocument.Parse(keyed).RootElement.GetProperty("code").GetString().ShouldBe("remote_auth_failed");
        await stop.CancelAsync();
        await answering;
    }

    [Fact]
    public async Task LocalRemote_OfAMember_IsRefusedInsideAnotherUsersProjectButAllowedOutside()
    {
        await using var server = await WrightTestServer.StartAsync();
        var alices = await server.CreateProjectAsync("alices");
        var (bob, _) = await server.CreateUserClientAsync("bob");
        var created = await bob.PostAsJsonAsync("/api/projects", new { name = "bobs", path = Path.Combine(server.DataDir, "projects", "bobs") }).Bounded();
        var bobs = (await created.Content.ReadFromJsonAsync<ProjectInfo>(WrightTestServer.Json).Bounded())!;
        using var temp = new TempDirectory();
        var bare = await CreateBareAsync(temp.Path);

        using var intoAlices = await bob.PostAsJsonAsync(Git(bobs, "remotes"), new { name = "steal", url = alices.Path }).Bounded();
        using var intoData = await bob.PostAsJsonAsync(Git(bobs, "remotes"), new { name = "data", url = "file://" + server.DataDir }).Bounded();
        using var outside = await bob.PostAsJsonAsync(Git(bobs, "remotes"), new { name = "origin", url = bare }).Bounded();

        var link = temp.Combine("link-to-alice");
        File.CreateSymbolicLink(link, alices.Path);
        using var throughLink = await bob.PostAsJsonAsync(Git(bobs, "remotes"), new { name = "link", url = Path.Combine(link, ".git") }).Bounded();
        var gitFile = temp.Combine("gitfile");
        Directory.CreateDirectory(gitFile);
        await File.WriteAllTextAsync(Path.Combine(gitFile, ".git"), $"gitdir: {Path.Combine(alices.Path, ".git")}\n");
        using var throughGitFile = await bob.PostAsJsonAsync(Git(bobs, "remotes"), new { name = "gitfile", url = gitFile }).Bounded();

        await throughLink.ShouldBeProblemAsync(HttpStatusCode.BadRequest, "remote_url_invalid");
        await throughGitFile.ShouldBeProblemAsync(HttpStatusCode.BadRequest, "remote_url_invalid");
        await intoAlices.ShouldBeProblemAsync(HttpStatusCode.BadRequest, "remote_url_invalid");
        await intoData.ShouldBeProblemAsync(HttpStatusCode.BadRequest, "remote_url_invalid");
        outside.StatusCode.ShouldBe(HttpStatusCode.Created, await outside.Content.ReadAsStringAsync());

        // A remote written into .git/config behind Wright's back is checked when it is used.
        await GitCli.RunAsync(bobs.Path, "remote", "add", "sneaky", alices.Path);
        using var sneaky = await bob.PostAsJsonAsync(Git(bobs, "fetch"), new { remote = "sneaky" }).Bounded();
        await sneaky.ShouldBeProblemAsync(HttpStatusCode.BadRequest, "remote_url_invalid");
    }

    [Fact]
    public async Task RevertFile_RestoresOneFileOfACommitAsANewCommit_LeavingTheOthers()
    {
        await using var server = await WrightTestServer.StartAsync();
        var project = await server.CreateProjectAsync();
        await CommitAsync(server, project, "a.txt", "a v1\n", "Add a");
        await File.WriteAllTextAsync(Path.Combine(project.Path, "a.txt"), "a v2\n");
        await File.WriteAllTextAsync(Path.Combine(project.Path, "b.txt"), "b new\n");
        var both = await PostJsonAsync(server, Git(project, "commits"), new { message = "Change a, add b" }, HttpStatusCode.Created);
        var sha = both.GetProperty("sha").GetString()!;

        var reverted = await PostJsonAsync(server, Git(project, $"commits/{sha}:revert-file"), new { path = "a.txt" }, HttpStatusCode.Created);

        var commit = reverted.GetProperty("commit");
        commit.GetProperty("sha").GetString().ShouldBe(await GitCli.HeadAsync(project.Path));
        commit.GetProperty("files").EnumerateArray().Select(f => f.GetProperty("path").GetString()).ShouldBe(["a.txt"]);
        commit.GetProperty("trailers").EnumerateArray().ShouldContain(t => t.GetProperty("key").GetString() == "Wright-Reverts" && t.GetProperty("value").GetString() == sha);
        (await File.ReadAllTextAsync(Path.Combine(project.Path, "a.txt"))).ShouldBe("a v1\n");
        (await File.ReadAllTextAsync(Path.Combine(project.Path, "b.txt"))).ShouldBe("b new\n");

        var created = await PostJsonAsync(server, Git(project, $"commits/{sha}:revert-file"), new { path = "b.txt" }, HttpStatusCode.Created);
        created.GetProperty("commit").GetProperty("files")[0].GetProperty("change").GetString().ShouldBe("deleted");
        File.Exists(Path.Combine(project.Path, "b.txt")).ShouldBeFalse();

        using var untouched = await server.Client.PostAsJsonAsync(Git(project, $"commits/{sha}:revert-file"), new { path = "readme.md" }).Bounded();
        await untouched.ShouldBeProblemAsync(HttpStatusCode.NotFound, "file_not_found");
        await File.WriteAllTextAsync(Path.Combine(project.Path, "a.txt"), "unsaved work\n");
        using var dirty = await server.Client.PostAsJsonAsync(Git(project, $"commits/{sha}:revert-file"), new { path = "a.txt" }).Bounded();
        await dirty.ShouldBeProblemAsync(HttpStatusCode.Conflict, "uncommitted_changes");
        (await File.ReadAllTextAsync(Path.Combine(project.Path, "a.txt"))).ShouldBe("unsaved work\n");
        using var outside = await server.Client.PostAsJsonAsync(Git(project, $"commits/{sha}:revert-file"), new { path = "../x" }).Bounded();
        await outside.ShouldBeProblemAsync(HttpStatusCode.BadRequest, "path_outside_project");
    }

    private static string Git(ProjectInfo project, string rest) => $"/api/projects/{project.Id}/git/{rest}";

    private static async Task<string> CreateBareAsync(string parent)
    {
        var bare = Path.Combine(parent, "remote.git");
        Directory.CreateDirectory(bare);
        await GitCli.RunAsync(bare, "init", "--quiet", "--bare", "--initial-branch=main");
        return bare;
    }

    private static async Task<string> CloneAsync(string bare, string destination)
    {
        await GitCli.RunAsync(Path.GetDirectoryName(destination)!, "clone", "--quiet", bare, destination);
        return destination;
    }

    private static async Task CommitAsync(WrightTestServer server, ProjectInfo project, string path, string content, string message)
    {
        await File.WriteAllTextAsync(Path.Combine(project.Path, path), content);
        using var response = await server.Client.PostAsJsonAsync(Git(project, "commits"), new { message }).Bounded();
        response.StatusCode.ShouldBe(HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
    }

    private static async Task<JsonElement> PostJsonAsync(WrightTestServer server, string url, object body, HttpStatusCode expected = HttpStatusCode.OK)
    {
        using var response = await server.Client.PostAsJsonAsync(url, body).Bounded();
        var text = await response.Content.ReadAsStringAsync().Bounded();
        response.StatusCode.ShouldBe(expected, text);
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>A smart-HTTP remote that wants credentials: every request gets 401 with a Basic challenge.</summary>
    private static async Task AnswerUnauthorizedAsync(TcpListener listener, CancellationToken cancellationToken)
    {
        var reply = Encoding.ASCII.GetBytes("HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"wright-test\"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                using var client = await listener.AcceptTcpClientAsync(cancellationToken);
                var stream = client.GetStream();
                var buffer = new byte[8192];
                var request = new StringBuilder();
                while (!request.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
                {
                    var read = await stream.ReadAsync(buffer, cancellationToken);
                    if (read == 0)
                    {
                        break;
                    }

                    request.Append(Encoding.ASCII.GetString(buffer, 0, read));
                }

                await stream.WriteAsync(reply, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The test is over: stop answering.
        }
    }
}
