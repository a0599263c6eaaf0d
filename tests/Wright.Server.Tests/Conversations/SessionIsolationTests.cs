using System.Net;
using System.Net.Http.Json;
using Wright.FakeLlm;
using Wright.Server.Tests.Infrastructure;

namespace Wright.Server.Tests.Conversations;

/// <summary>Sessions belong to their project: a user who cannot see the project cannot see, post to or export its sessions.</summary>
public sealed class SessionIsolationTests
{
    [Fact]
    public async Task OtherUsersSession_OnEverySessionRoute_AnswersNotFoundAndReachesNoProvider()
    {
        await using var harness = await ChatHarness.StartAsync();
        harness.Fake.Fallback = FakeReply.Text("ok");
        var session = await harness.CreateSessionAsync();
        var answer = await harness.PostAsync(session, "Hello");
        var requestsBefore = harness.Fake.Requests.Count;
        var (bob, _) = await harness.Server.CreateUserClientAsync("bob");

        var attempts = new (HttpMethod Method, string Url, object? Body)[]
        {
            (HttpMethod.Get, $"/api/sessions/{session}", null),
            (HttpMethod.Patch, $"/api/sessions/{session}", new { title = "mine now" }),
            (HttpMethod.Put, $"/api/sessions/{session}/current", new { leafId = answer.MessageId }),
            (HttpMethod.Post, $"/api/sessions/{session}/fork", new { messageId = answer.MessageId }),
            (HttpMethod.Get, $"/api/sessions/{session}/usage", null),
            (HttpMethod.Get, $"/api/sessions/{session}/export?format=json", null),
            (HttpMethod.Post, $"/api/sessions/{session}/messages", new { content = "Leak it" }),
            (HttpMethod.Post, $"/api/sessions/{session}/messages/{answer.MessageId}/regenerate", new { }),
            (HttpMethod.Post, $"/api/sessions/{session}/messages/{answer.MessageId}/stop", null),
            (HttpMethod.Get, $"/api/sessions/{session}/messages/{answer.MessageId}/stream", null),
            (HttpMethod.Delete, $"/api/sessions/{session}", null),
        };
        foreach (var (method, url, body) in attempts)
        {
            using var request = new HttpRequestMessage(method, url) { Content = body is null ? null : JsonContent.Create(body) };
            using var response = await bob.SendAsync(request).Bounded();

            await response.ShouldBeProblemAsync(HttpStatusCode.NotFound, "session_not_found");
        }

        harness.Fake.Requests.Count.ShouldBe(requestsBefore, "bob's prompts never reach the provider");
        var tree = await harness.TreeAsync(session);
        tree.GetProperty("session").GetProperty("title").GetString().ShouldNotBe("mine now");
        tree.GetProperty("messages").GetArrayLength().ShouldBe(2, "nothing was deleted, forked or added");
    }

    [Fact]
    public async Task Member_ChangingProvidersOrModels_IsRefusedAsAdminOnly()
    {
        await using var server = await WrightTestServer.StartAsync();
        var (bob, _) = await server.CreateUserClientAsync("bob");

        using var repoint = await bob.PutAsJsonAsync("/api/providers/anthropic", new { baseUrl = "http://127.0.0.1:9/steal", apiKey = "sk-bob-0123456789abcdef" }).Bounded();
        using var remove = await bob.DeleteAsync("/api/providers/anthropic").Bounded();
        using var price = await bob.PutAsJsonAsync("/api/models/openai/gpt-4o", new { inputCostPerToken = 0 }).Bounded();
        using var list = await bob.GetAsync("/api/providers").Bounded();

        await repoint.ShouldBeProblemAsync(HttpStatusCode.Forbidden, "admin_required");
        await remove.ShouldBeProblemAsync(HttpStatusCode.Forbidden, "admin_required");
        await price.ShouldBeProblemAsync(HttpStatusCode.Forbidden, "admin_required");
        list.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await list.Content.ReadAsStringAsync().Bounded()).ShouldNotContain("127.0.0.1:9/steal");
    }
}
