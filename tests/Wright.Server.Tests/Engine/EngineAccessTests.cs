using System.Net;
using System.Net.Http.Json;
using Wright.FakeLlm;
using Wright.Server.Tests.Conversations;
using Wright.Server.Tests.Infrastructure;

namespace Wright.Server.Tests.Engine;

/// <summary>The engine's routes under a project or a session are guarded once, on their group: another user's is not found.</summary>
public sealed class EngineAccessTests
{
    [Fact]
    public async Task OtherUsersSessionAndProject_OnEveryEngineRoute_AnswerNotFoundAndChangeNothing()
    {
        await using var harness = await ChatHarness.StartAsync();
        harness.Fake.Fallback = FakeReply.Text("ok");
        var project = await harness.Server.CreateProjectAsync();
        var session = await harness.CreateSessionAsync(project.Id);
        var answer = await harness.PostAsync(session, "Hello");
        var (bob, _) = await harness.Server.CreateUserClientAsync("bob");

        var sessionRoutes = new (HttpMethod Method, string Url, object? Body)[]
        {
            (HttpMethod.Get, $"/api/sessions/{session}/approvals", null),
            (HttpMethod.Post, $"/api/sessions/{session}/approvals/{Guid.NewGuid()}", new { approve = true }),
            (HttpMethod.Get, $"/api/sessions/{session}/prompt-preview?content=hi", null),
            (HttpMethod.Get, $"/api/sessions/{session}/messages/{answer.MessageId}/answer", null),
            (HttpMethod.Get, $"/api/sessions/{session}/messages/{answer.MessageId}/context", null),
            (HttpMethod.Get, $"/api/sessions/{session}/prompt", null),
            (HttpMethod.Put, $"/api/sessions/{session}/prompt", new { content = "Bob was here" }),
            (HttpMethod.Get, $"/api/sessions/{session}/prompt/diff", null),
        };
        var projectRoutes = new (HttpMethod Method, string Url, object? Body)[]
        {
            (HttpMethod.Post, $"/api/projects/{project.Id}/git/undo", new { }),
            (HttpMethod.Get, $"/api/projects/{project.Id}/prompt", null),
            (HttpMethod.Put, $"/api/projects/{project.Id}/prompt", new { content = "Bob was here" }),
            (HttpMethod.Get, $"/api/projects/{project.Id}/prompt/diff", null),
        };

        foreach (var (routes, code) in new[] { (sessionRoutes, "session_not_found"), (projectRoutes, "project_not_found") })
        {
            foreach (var (method, url, body) in routes)
            {
                using var request = new HttpRequestMessage(method, url) { Content = body is null ? null : JsonContent.Create(body) };
                using var response = await bob.SendAsync(request).Bounded();

                await response.ShouldBeProblemAsync(HttpStatusCode.NotFound, code);
            }
        }

        // The owner still sees their own, and nothing bob sent was saved.
        var own = await harness.Client.GetStringAsync($"/api/projects/{project.Id}/prompt").Bounded();
        own.ShouldNotContain("Bob was here");
        (await harness.Client.GetStringAsync($"/api/sessions/{session}/prompt").Bounded()).ShouldNotContain("Bob was here");
    }
}
