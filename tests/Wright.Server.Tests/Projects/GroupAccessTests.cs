using System.Net;
using System.Net.Http.Json;
using Wright.FakeLlm;
using Wright.Server.Tests.Conversations;
using Wright.Server.Tests.Infrastructure;

namespace Wright.Server.Tests.Projects;

/// <summary>
/// The sessions and files routes are guarded once, on their group: another user's project or
/// session is not found on every route, and the file routes that change a project refuse an
/// archived (read-only) one before their handler reads the body.
/// </summary>
public sealed class GroupAccessTests
{
    [Fact]
    public async Task OtherUsersProjectAndSession_OnEverySessionsAndFilesRoute_AnswerNotFoundAndChangeNothing()
    {
        await using var harness = await ChatHarness.StartAsync();
        harness.Fake.Fallback = FakeReply.Text("ok");
        var project = await harness.Server.CreateProjectAsync();
        var session = await harness.CreateSessionAsync(project.Id);
        var answer = await harness.PostAsync(session, "Hello");
        (await harness.Client.PutAsJsonAsync($"/api/projects/{project.Id}/files/notes.txt", new { content = "mine\n" }).Bounded()).EnsureSuccessStatusCode();
        var (bob, _) = await harness.Server.CreateUserClientAsync("bob");
        var p = $"/api/projects/{project.Id}";
        var s = $"/api/sessions/{session}";

        var projectRoutes = new (HttpMethod Method, string Url, object? Body)[]
        {
            (HttpMethod.Get, $"{p}/sessions", null),
            (HttpMethod.Post, $"{p}/sessions", new { title = "Bob's" }),
            (HttpMethod.Post, $"{p}/sessions:import", new { title = "x", messages = Array.Empty<object>() }),
            (HttpMethod.Get, $"{p}/tree", null),
            (HttpMethod.Get, $"{p}/files/notes.txt", null),
            (HttpMethod.Put, $"{p}/files/notes.txt", new { content = "Bob was here" }),
            (HttpMethod.Delete, $"{p}/files/notes.txt", null),
            (HttpMethod.Post, $"{p}/files:move", new { from = "notes.txt", to = "bob.txt" }),
            (HttpMethod.Post, $"{p}/dirs", new { path = "bob" }),
            (HttpMethod.Get, $"{p}/search?q=mine", null),
            (HttpMethod.Post, $"{p}/files:merge", new { path = "notes.txt", @base = "mine\n", mine = "Bob was here\n" }),
        };
        var sessionRoutes = new (HttpMethod Method, string Url, object? Body)[]
        {
            (HttpMethod.Get, s, null),
            (HttpMethod.Patch, s, new { title = "Bob was here" }),
            (HttpMethod.Delete, s, null),
            (HttpMethod.Put, $"{s}/current", new { leafId = answer.MessageId }),
            (HttpMethod.Post, $"{s}/fork", new { messageId = answer.MessageId }),
            (HttpMethod.Get, $"{s}/usage", null),
            (HttpMethod.Get, $"{s}/export", null),
            (HttpMethod.Post, $"{s}/messages", new { content = "Bob was here" }),
            (HttpMethod.Post, $"{s}/messages/{answer.MessageId}/regenerate", new { }),
            (HttpMethod.Post, $"{s}/messages/{answer.MessageId}/stop", null),
            (HttpMethod.Get, $"{s}/messages/{answer.MessageId}/stream", null),
            (HttpMethod.Post, $"{s}/merge", new { fromLeafId = answer.MessageId }),
        };

        foreach (var (routes, code) in new[] { (projectRoutes, "project_not_found"), (sessionRoutes, "session_not_found") })
        {
            foreach (var (method, url, body) in routes)
            {
                using var request = new HttpRequestMessage(method, url) { Content = body is null ? null : JsonContent.Create(body) };
                using var response = await bob.SendAsync(request).Bounded();

                await response.ShouldBeProblemAsync(HttpStatusCode.NotFound, code);
            }
        }

        // Nothing bob sent reached the owner's project or session.
        (await harness.Client.GetStringAsync($"{p}/files/notes.txt").Bounded()).ShouldContain("mine");
        (await harness.Client.GetStringAsync($"{p}/tree").Bounded()).ShouldNotContain("bob");
        var tree = await harness.TreeAsync(session);
        tree.GetProperty("session").GetProperty("title").GetString().ShouldNotBe("Bob was here");
        tree.GetProperty("messages").GetArrayLength().ShouldBe(2);
        var sessions = await harness.Client.GetStringAsync($"{p}/sessions").Bounded();
        sessions.ShouldNotContain("Bob's");
    }

    [Fact]
    public async Task ArchivedProject_FileWritesAreRefusedByTheWriteFilter_ReadsStillWork()
    {
        await using var harness = await ChatHarness.StartAsync();
        var project = await harness.Server.CreateProjectAsync();
        var p = $"/api/projects/{project.Id}";
        (await harness.Client.PutAsJsonAsync($"{p}/files/notes.txt", new { content = "kept\n" }).Bounded()).EnsureSuccessStatusCode();
        (await harness.Client.PatchAsJsonAsync(p, new { archived = true }).Bounded()).EnsureSuccessStatusCode();

        var writes = new (HttpMethod Method, string Url, HttpContent? Body)[]
        {
            (HttpMethod.Put, $"{p}/files/notes.txt", JsonContent.Create(new { content = "changed" })),
            (HttpMethod.Put, $"{p}/files/raw.bin", new ByteArrayContent([1, 2, 3])),
            (HttpMethod.Delete, $"{p}/files/notes.txt", null),
            (HttpMethod.Post, $"{p}/files:move", JsonContent.Create(new { from = "notes.txt", to = "moved.txt" })),
            (HttpMethod.Post, $"{p}/dirs", JsonContent.Create(new { path = "made" })),
        };
        foreach (var (method, url, body) in writes)
        {
            using var request = new HttpRequestMessage(method, url) { Content = body };
            using var response = await harness.Client.SendAsync(request).Bounded();

            await response.ShouldBeProblemAsync(HttpStatusCode.Conflict, "project_archived");
        }

        (await harness.Client.GetStringAsync($"{p}/files/notes.txt").Bounded()).ShouldContain("kept");
        var listing = await harness.Client.GetStringAsync($"{p}/tree").Bounded();
        listing.ShouldContain("notes.txt");
        listing.ShouldNotContain("moved.txt");
        listing.ShouldNotContain("made");
        listing.ShouldNotContain("raw.bin");
    }
}
