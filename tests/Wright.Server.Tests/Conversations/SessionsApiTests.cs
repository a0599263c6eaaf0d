using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Wright.FakeLlm;
using Wright.Server.Tests.Infrastructure;

namespace Wright.Server.Tests.Conversations;

/// <summary>Sessions through the API: the message tree and its branches, titles, lists, export/import and totals.</summary>
public sealed class SessionsApiTests
{
    [Fact]
    public async Task PostMessage_StoresUserThenAssistant_AndMovesTheCurrentLeaf()
    {
        await using var harness = await ChatHarness.StartAsync();
        harness.Fake.Enqueue(FakeReply.Text("Hi ", "there"));
        var session = await harness.CreateSessionAsync();

        var answer = await harness.PostAsync(session, "Hello");

        var tree = await harness.TreeAsync(session);
        tree.GetProperty("currentLeafId").GetGuid().ShouldBe(answer.MessageId);
        var messages = tree.GetProperty("messages").EnumerateArray().ToList();
        messages.Select(m => (m.GetProperty("role").GetString(), m.GetProperty("content").GetString(), m.GetProperty("status").GetString()))
            .ShouldBe([("user", "Hello", "complete"), ("assistant", "Hi there", "complete")]);
        messages[1].GetProperty("parentId").GetGuid().ShouldBe(answer.UserMessageId!.Value);
        tree.GetProperty("activePath").EnumerateArray().Select(e => e.GetGuid()).ShouldBe([answer.UserMessageId!.Value, answer.MessageId]);
        var request = harness.Fake.Requests.Single().Json!;
        request["messages"]!.AsArray().Count.ShouldBe(1);
    }

    [Fact]
    public async Task FirstExchange_TitlesTheSession_AndARenameIsKept()
    {
        await using var harness = await ChatHarness.StartAsync();
        harness.Fake.Fallback = FakeReply.Text("ok");
        var session = await harness.CreateSessionAsync();

        await harness.PostAsync(session, "Add a login page with email and password\nand tests");

        (await harness.TreeAsync(session)).GetProperty("session").GetProperty("title").GetString().ShouldBe("Add a login page with email and password");
        (await harness.Client.PatchAsJsonAsync($"/api/sessions/{session}", new { title = "Login" }).Bounded()).EnsureSuccessStatusCode();
        await harness.PostAsync(session, "More");
        (await harness.TreeAsync(session)).GetProperty("session").GetProperty("title").GetString().ShouldBe("Login");
    }

    [Fact]
    public async Task EditRegenerateSwitchFork_BuildTheExpectedTree()
    {
        await using var harness = await ChatHarness.StartAsync();
        harness.Fake.Enqueue(FakeReply.Text("a1"), FakeReply.Text("b1"), FakeReply.Text("b2"), FakeReply.Text("b3"));
        var session = await harness.CreateSessionAsync();
        var first = await harness.PostAsync(session, "A");
        var second = await harness.PostAsync(session, "B");

        // Edit B: a sibling of B under the same parent (the first answer).
        var edited = await harness.PostAsync(session, "B edited", parentId: first.MessageId);

        // Regenerate the answer to "B edited": an assistant sibling.
        var regenerated = await harness.RegenerateAsync(session, edited.MessageId);

        var tree = await harness.TreeAsync(session);
        var byId = tree.GetProperty("messages").EnumerateArray().ToDictionary(m => m.GetProperty("id").GetGuid());
        var b = byId[second.UserMessageId!.Value];
        b.GetProperty("siblingIds").EnumerateArray().Select(s => s.GetGuid()).ShouldBe([second.UserMessageId!.Value, edited.UserMessageId!.Value]);
        byId[edited.UserMessageId!.Value].GetProperty("siblingIndex").GetInt32().ShouldBe(1);
        var answers = byId[regenerated.MessageId].GetProperty("siblingIds").EnumerateArray().Select(s => s.GetGuid()).ToList();
        answers.ShouldBe([edited.MessageId, regenerated.MessageId]);
        regenerated.Text.ShouldBe("b3");
        tree.GetProperty("currentLeafId").GetGuid().ShouldBe(regenerated.MessageId);

        // The regenerated call saw the same conversation as the one it replaces.
        harness.Fake.Requests[3].Json!["messages"]!.ToJsonString().ShouldBe(harness.Fake.Requests[2].Json!["messages"]!.ToJsonString());

        // Switch back to the original B: the leaf is its newest descendant.
        var switched = await harness.Client.PutAsJsonAsync($"/api/sessions/{session}/current", new { leafId = second.UserMessageId }).Bounded();
        switched.EnsureSuccessStatusCode();
        (await switched.Content.ReadFromJsonAsync<JsonElement>().Bounded()).GetProperty("currentLeafId").GetGuid().ShouldBe(second.MessageId);

        // Fork at the first answer: a new session with the path root → a1.
        var fork = await harness.Client.PostAsJsonAsync($"/api/sessions/{session}/fork", new { messageId = first.MessageId }).Bounded();
        fork.StatusCode.ShouldBe(HttpStatusCode.Created);
        var forkId = (await fork.Content.ReadFromJsonAsync<JsonElement>().Bounded()).GetProperty("id").GetGuid();
        var forked = await harness.TreeAsync(forkId);
        forked.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("content").GetString()).ShouldBe(["A", "a1"]);
        forked.GetProperty("activePath").GetArrayLength().ShouldBe(2);
    }

    [Fact]
    public async Task ExportJson_ThenImport_GivesAnIdenticalTree()
    {
        await using var harness = await ChatHarness.StartAsync();
        harness.Fake.Enqueue(
            FakeReply.Text("a1") with { Usage = new FakeUsage(100, 20, 30, 5) },
            FakeReply.Overloaded(),
            FakeReply.Text("b1"),
            FakeReply.ReplayFile(SharedFixtures.LlmStream("anthropic_stream_tools.txt")),
            FakeReply.Text("There is no get_weather tool."));
        var session = await harness.CreateSessionAsync();
        var first = await harness.PostAsync(session, "A");
        await harness.PostAsync(session, "B");
        await harness.PostAsync(session, "B'", parentId: first.MessageId);
        var project = (await harness.TreeAsync(session)).GetProperty("session").GetProperty("projectId").GetGuid();

        var exported = await harness.Client.GetFromJsonAsync<JsonElement>($"/api/sessions/{session}/export?format=json").Bounded();
        var imported = await harness.Client.PostAsJsonAsync($"/api/projects/{project}/sessions:import", exported).Bounded();

        imported.StatusCode.ShouldBe(HttpStatusCode.Created);
        var importedId = (await imported.Content.ReadFromJsonAsync<JsonElement>().Bounded()).GetProperty("id").GetGuid();
        importedId.ShouldNotBe(session);
        var again = await harness.Client.GetFromJsonAsync<JsonElement>($"/api/sessions/{importedId}/export?format=json").Bounded();
        Normalize(again).ToJsonString().ShouldBe(Normalize(exported).ToJsonString());
        (await harness.UsageAsync(importedId)).GetProperty("totals").ToString().ShouldBe((await harness.UsageAsync(session)).GetProperty("totals").ToString());
    }

    [Fact]
    public async Task ExportMarkdown_WritesTheActivePath()
    {
        await using var harness = await ChatHarness.StartAsync();
        harness.Fake.Enqueue(FakeReply.Text("a1"), FakeReply.Text("b1"), FakeReply.Text("b2"));
        var session = await harness.CreateSessionAsync(title: "Plan");
        var first = await harness.PostAsync(session, "A");
        await harness.PostAsync(session, "B");
        await harness.PostAsync(session, "B2", parentId: first.MessageId);

        var markdown = await harness.Client.GetStringAsync($"/api/sessions/{session}/export?format=markdown").Bounded();

        markdown.ShouldStartWith("# Plan\n");
        markdown.ShouldContain("## You\n\nB2");
        markdown.ShouldContain("b2");
        markdown.ShouldNotContain("b1");
    }

    [Fact]
    public async Task Totals_EqualTheSumOfTheStoredRequests()
    {
        await using var harness = await ChatHarness.StartAsync();
        harness.Fake.Enqueue(
            FakeReply.Text("one") with { Usage = new FakeUsage(1000, 500) },
            FakeReply.Overloaded(),
            FakeReply.Text("two") with { Usage = new FakeUsage(2000, 100, 400, 50) },
            FakeReply.Text("three") with { Usage = new FakeUsage(300, 30, 10) });
        var session = await harness.CreateSessionAsync();
        await harness.PostAsync(session, "1");
        await harness.PostAsync(session, "2");
        await harness.PostAsync(session, "3", model: ChatHarness.OpenAiModel);

        var usage = await harness.UsageAsync(session);

        var requests = usage.GetProperty("requests").EnumerateArray().ToList();
        requests.Count.ShouldBe(4);
        var totals = usage.GetProperty("totals");
        var total = totals.GetProperty("tokenUsage").GetProperty("total");
        total.GetProperty("requests").GetInt64().ShouldBe(4);
        total.GetProperty("inputTokens").GetInt64().ShouldBe(requests.Sum(r => r.GetProperty("inputTokens").GetInt64()));
        total.GetProperty("outputTokens").GetInt64().ShouldBe(requests.Sum(r => r.GetProperty("outputTokens").GetInt64()));
        total.GetProperty("cacheReadTokens").GetInt64().ShouldBe(requests.Sum(r => r.GetProperty("cacheReadTokens").GetInt64()));
        totals.GetProperty("costs").GetProperty("totalCost").GetDecimal().ShouldBe(requests.Sum(r => r.GetProperty("cost").GetDecimal()));
        totals.GetProperty("costs").GetProperty("currency").GetString().ShouldBe("USD");

        // Anthropic reports input_tokens without the cached ones. claude-haiku-4-5: $1/M input, $5/M output, $0.10/M cache read, $1.25/M cache write (LiteLLM).
        var haiku = totals.GetProperty("costs").GetProperty("byProviderAndModel").GetProperty("anthropic").GetProperty("claude-haiku-4-5");
        var expected = (1000 * 1e-6m + 500 * 5e-6m) + (2000 * 1e-6m + 100 * 5e-6m + 400 * 1e-7m + 50 * 1.25e-6m);
        haiku.GetProperty("cost").GetDecimal().ShouldBe(expected);
        haiku.GetProperty("requests").GetInt64().ShouldBe(3);

        // gpt-4o-mini: $0.15/M input, $0.60/M output, $0.075/M cached input; OpenAI counts cached tokens inside prompt_tokens.
        var mini = totals.GetProperty("costs").GetProperty("byProviderAndModel").GetProperty("openai").GetProperty("gpt-4o-mini");
        mini.GetProperty("inputTokens").GetInt64().ShouldBe(310);
        mini.GetProperty("cost").GetDecimal().ShouldBe(300 * 1.5e-7m + 30 * 6e-7m + 10 * 7.5e-8m);
        totals.GetProperty("tokenUsage").GetProperty("byProvider").GetProperty("anthropic").GetProperty("requests").GetInt64().ShouldBe(3);
    }

    [Fact]
    public async Task ListSessions_PagesNewestFirst_AndSearchesTitlesAndContent()
    {
        await using var harness = await ChatHarness.StartAsync();
        harness.Fake.Fallback = FakeReply.Text("fine");
        var project = (await harness.Server.CreateProjectAsync()).Id;
        var alpha = await harness.CreateSessionAsync(project, "Alpha work");
        var beta = await harness.CreateSessionAsync(project, "Beta");
        var gamma = await harness.CreateSessionAsync(project, "Gamma");
        await harness.PostAsync(beta, "Please refactor the PARSER module");

        var first = await harness.Client.GetFromJsonAsync<JsonElement>($"/api/projects/{project}/sessions?limit=2").Bounded();
        var second = await harness.Client.GetFromJsonAsync<JsonElement>($"/api/projects/{project}/sessions?limit=2&cursor={first.GetProperty("nextCursor").GetString()}").Bounded();
        var found = await harness.Client.GetFromJsonAsync<JsonElement>($"/api/projects/{project}/sessions?q=parser").Bounded();
        var byTitle = await harness.Client.GetFromJsonAsync<JsonElement>($"/api/projects/{project}/sessions?q=alpha").Bounded();

        Ids(first).Concat(Ids(second)).ToHashSet().SetEquals([alpha, beta, gamma]).ShouldBeTrue();
        second.GetProperty("nextCursor").ValueKind.ShouldBe(JsonValueKind.Null);
        Ids(found).ShouldBe([beta]);
        Ids(byTitle).ShouldBe([alpha]);
    }

    [Fact]
    public async Task ArchiveAndDelete_HideAndRemoveTheSession()
    {
        await using var harness = await ChatHarness.StartAsync();
        var project = (await harness.Server.CreateProjectAsync()).Id;
        var session = await harness.CreateSessionAsync(project, "Old");

        (await harness.Client.PatchAsJsonAsync($"/api/sessions/{session}", new { archived = true }).Bounded()).EnsureSuccessStatusCode();
        Ids(await harness.Client.GetFromJsonAsync<JsonElement>($"/api/projects/{project}/sessions").Bounded()).ShouldBeEmpty();
        Ids(await harness.Client.GetFromJsonAsync<JsonElement>($"/api/projects/{project}/sessions?includeArchived=true").Bounded()).ShouldBe([session]);
        (await harness.Client.DeleteAsync($"/api/sessions/{session}").Bounded()).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        await (await harness.Client.GetAsync($"/api/sessions/{session}").Bounded()).ShouldBeProblemAsync(HttpStatusCode.NotFound, "session_not_found");
    }

    private static IEnumerable<Guid> Ids(JsonElement page) => page.GetProperty("items").EnumerateArray().Select(s => s.GetProperty("id").GetGuid()).ToList();

    /// <summary>The export with every id replaced by its order of first appearance, so two copies of one tree compare equal.</summary>
    private static JsonNode Normalize(JsonElement export)
    {
        var node = JsonNode.Parse(export.GetRawText())!;
        var ids = new Dictionary<string, string>();
        string Map(string id) => ids.TryGetValue(id, out var mapped) ? mapped : ids[id] = $"id{ids.Count}";
        void Visit(JsonNode? n)
        {
            switch (n)
            {
                case JsonObject o:
                    foreach (var key in o.Select(p => p.Key).ToList())
                    {
                        if (o[key] is JsonValue v && v.GetValueKind() == JsonValueKind.String && Guid.TryParse(v.GetValue<string>(), out _) && key is "id" or "sessionId" or "parentId" or "messageId" or "currentLeafId" or "projectId")
                        {
                            o[key] = Map(v.GetValue<string>());
                        }
                        else
                        {
                            Visit(o[key]);
                        }
                    }

                    break;
                case JsonArray a:
                    foreach (var item in a)
                    {
                        Visit(item);
                    }

                    break;
            }
        }

        Visit(node);
        return node;
    }
}
