using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Wright.FakeLlm;
using Wright.Server.Tests.Events;
using Wright.Server.Tests.Infrastructure;

namespace Wright.Server.Tests.Conversations;

/// <summary>
/// A new version of the session's very first prompt: <c>asRoot: true</c> says what an absent or
/// null parent cannot (those continue from the current leaf).
/// </summary>
public sealed class RootPromptTests
{
    [Fact]
    public async Task PostMessage_AsRoot_AddsASiblingOfTheFirstPrompt()
    {
        await using var harness = await ChatHarness.StartAsync();
        harness.Fake.Enqueue(FakeReply.Text("a1"), FakeReply.Text("b1"), FakeReply.Text("a2"));
        var session = await harness.CreateSessionAsync();
        var first = await harness.PostAsync(session, "A");
        await harness.PostAsync(session, "B");

        await using (var stream = await SseStream.PostAsync(harness.Client, $"/api/sessions/{session}/messages", new { content = "A edited", asRoot = true }))
        {
            var edited = await Answer.ReadAsync(stream);
            edited.Text.ShouldBe("a2");
        }

        var tree = await harness.TreeAsync(session);
        var byId = tree.GetProperty("messages").EnumerateArray().ToDictionary(m => m.GetProperty("id").GetGuid());
        var roots = byId.Values.Where(m => m.GetProperty("parentId").ValueKind == JsonValueKind.Null).ToList();
        roots.Select(m => m.GetProperty("content").GetString()).ShouldBe(["A", "A edited"]);
        byId[first.UserMessageId!.Value].GetProperty("siblingIds").GetArrayLength().ShouldBe(2);
        // The edited first prompt was sent alone: nothing of the old branch went with it.
        harness.Fake.Requests[2].Json!["messages"]!.AsArray().Count.ShouldBe(1);
        tree.GetProperty("activePath").GetArrayLength().ShouldBe(2);
    }

    [Fact]
    public async Task PostMessage_WithNullParent_StillContinuesFromTheCurrentLeaf()
    {
        await using var harness = await ChatHarness.StartAsync();
        harness.Fake.Fallback = FakeReply.Text("ok");
        var session = await harness.CreateSessionAsync();
        var first = await harness.PostAsync(session, "A");

        var second = await harness.PostAsync(session, "B", parentId: null);

        var tree = await harness.TreeAsync(session);
        var b = tree.GetProperty("messages").EnumerateArray().Single(m => m.GetProperty("id").GetGuid() == second.UserMessageId!.Value);
        b.GetProperty("parentId").GetGuid().ShouldBe(first.MessageId);
    }

    [Fact]
    public async Task PostMessage_AsRootWithAParent_IsRefusedStoringNothing()
    {
        await using var harness = await ChatHarness.StartAsync();
        harness.Fake.Fallback = FakeReply.Text("ok");
        var session = await harness.CreateSessionAsync();
        var first = await harness.PostAsync(session, "A");

        var response = await harness.Client.PostAsJsonAsync($"/api/sessions/{session}/messages", new { content = "X", parentId = first.MessageId, asRoot = true }).Bounded();

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await response.Content.ReadFromJsonAsync<JsonElement>().Bounded()).GetProperty("code").GetString().ShouldBe("validation_failed");
        (await harness.TreeAsync(session)).GetProperty("messages").GetArrayLength().ShouldBe(2);
    }
}
