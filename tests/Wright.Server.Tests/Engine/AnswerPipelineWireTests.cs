using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Wright.FakeLlm;
using Wright.Server.Tests.Conversations;
using Wright.Server.Tests.Events;
using Wright.Server.Tests.Infrastructure;
using Wright.Storage.Database;

namespace Wright.Server.Tests.Engine;

/// <summary>
/// What reaches the provider, asserted on what the fake received: the preview is the wire, a
/// failed tool is an error to every provider, Anthropic requests carry cache breakpoints, and each
/// turn's request starts with the previous turn's bytes.
/// </summary>
public sealed class AnswerPipelineWireTests
{
    private static readonly Dictionary<string, string> Files = new()
    {
        ["hello.txt"] = "Hello\nworld\n",
        ["src/app.py"] = "def greet():\n    return 'hi'\n",
    };

    [Theory]
    [InlineData(ChatHarness.OpenAiModel)]
    [InlineData(ChatHarness.AnthropicModel)]
    public async Task PromptPreview_FirstAndLaterTurnsWithTools_IsByteForByteWhatTheProviderReceives(string model)
    {
        await using var kit = await EngineKit.StartAsync(Files);

        // Turn 1: preview, then send the same prompt; a tool round and a final answer.
        var preview1 = await PreviewAsync(kit, "Read hello.txt and say hi", model);
        kit.Fake.Enqueue(EngineKit.Calls(("read_file", new { path = "hello.txt" })), FakeReply.Text("Hi."));
        var first = await kit.Harness.PostAsync(kit.Session, "Read hello.txt and say hi", null, model);
        first.Last.Event.ShouldBe("message.completed", first.Last.Data);
        Normalized(preview1.GetProperty("wire").GetProperty("body")).ShouldBe(Normalized(kit.Fake.Requests[0].Body));

        // Turn 2 (a later turn: history holds turn 1's context, tool call and result).
        var preview2 = await PreviewAsync(kit, "Now explain src/app.py", model);
        kit.Fake.Enqueue(FakeReply.Text("It greets."));
        await kit.Harness.PostAsync(kit.Session, "Now explain src/app.py", null, model);
        var sent = kit.Fake.Requests[^1];
        Normalized(preview2.GetProperty("wire").GetProperty("body")).ShouldBe(Normalized(sent.Body));
        sent.Body.ShouldContain("read_file");
        preview2.GetProperty("wire").GetProperty("path").GetString().ShouldBe(sent.Path);
    }

    [Fact]
    public async Task PromptPreview_OfAnEditedEarlierPrompt_IsWhatTheProviderReceives()
    {
        await using var kit = await EngineKit.StartAsync(Files);
        kit.Fake.Enqueue(FakeReply.Text("hello.txt\n```\n<<<<<<< SEARCH\nworld\n=======\nthere\n>>>>>>> REPLACE\n```\n"));
        var first = await kit.PostAsync("Greet there");
        kit.Fake.Enqueue(FakeReply.Text("hello.txt\n```\n<<<<<<< SEARCH\nthere\n=======\neveryone\n>>>>>>> REPLACE\n```\n"));
        await kit.PostAsync("Greet everyone in hello.txt");

        // An edit of the second prompt: a new branch from what the first answer left, which is not the workspace now.
        var preview = await kit.Client.GetFromJsonAsync<JsonElement>($"/api/sessions/{kit.Session}/prompt-preview?content={Uri.EscapeDataString("Greet the team in hello.txt")}&parentId={first.MessageId}&model={Uri.EscapeDataString(ChatHarness.OpenAiModel)}").Bounded();
        kit.Fake.Enqueue(FakeReply.Text("You're welcome."));
        var edited = await kit.PostAsync("Greet the team in hello.txt", first.MessageId);

        edited.Last.Event.ShouldBe("message.completed", edited.Last.Data);
        edited.OfType("git.branch").ShouldHaveSingleItem();
        kit.Fake.Requests[^1].Body.ShouldContain("Hello\\nthere\\n");
        (await kit.GitAsync("worktree", "list")).Trim().Split('\n').Length.ShouldBe(1, "the preview's worktree is removed");
        Normalized(preview.GetProperty("wire").GetProperty("body")).ShouldBe(Normalized(kit.Fake.Requests[^1].Body));
    }

    [Fact]
    public async Task FailedTool_ReachesAnthropicAsIsError_AndOpenAiAsAnErrorResult()
    {
        await using var kit = await EngineKit.StartAsync(Files);
        foreach (var model in new[] { ChatHarness.AnthropicModel, ChatHarness.OpenAiModel })
        {
            kit.Fake.Enqueue(
                EngineKit.Calls(("read_file", new { path = "missing.txt" }), ("read_file", new { path = "hello.txt" })),
                FakeReply.Text("Done."));
            await kit.Harness.PostAsync(kit.Session, "Read two files", null, model);
        }

        var anthropic = kit.Fake.Requests[1].Json!["messages"]!.AsArray();
        var results = anthropic.SelectMany(m => m!["content"] is JsonArray blocks ? blocks : []).Where(b => b!["type"]?.GetValue<string>() == "tool_result").ToList();
        results.Count.ShouldBe(2);
        results[0]!["is_error"]!.GetValue<bool>().ShouldBeTrue();
        (results[1]!["is_error"]?.GetValue<bool>() ?? false).ShouldBeFalse();

        var openAi = kit.Fake.Requests[3].Json!["messages"]!.AsArray().Where(m => m!["role"]!.GetValue<string>() == "tool").ToList();
        openAi.Count.ShouldBeGreaterThanOrEqualTo(2);
        openAi[^2]!["content"]!.ToJsonString().ShouldContain("Error (");
        openAi[^1]!["content"]!.ToJsonString().ShouldNotContain("Error (");
    }

    [Fact]
    public async Task AnthropicRequests_CarryCacheBreakpoints_AndEachTurnStartsWithThePreviousRequest()
    {
        await using var kit = await EngineKit.StartAsync(Files);
        kit.Fake.Enqueue(EngineKit.Calls(("read_file", new { path = "hello.txt" })), FakeReply.Text("Read it."));
        await kit.Harness.PostAsync(kit.Session, "Read hello.txt", null, ChatHarness.AnthropicModel);
        kit.Fake.Enqueue(FakeReply.Text("Sure."));
        await kit.Harness.PostAsync(kit.Session, "And now?", null, ChatHarness.AnthropicModel);

        var requests = kit.Fake.Requests.Select(r => r.Json!).ToList();
        requests.Count.ShouldBe(3);
        foreach (var request in requests)
        {
            request["system"]!.AsArray()[^1]!["cache_control"]!["type"]!.GetValue<string>().ShouldBe("ephemeral");
            var last = request["messages"]!.AsArray()[^1]!["content"]!.AsArray()[^1]!;
            last["cache_control"]!["type"]!.GetValue<string>().ShouldBe("ephemeral");
        }

        // Turn 2's request starts with turn 1's last request (messages as sent, breakpoints aside).
        var before = StripCache(requests[1]["messages"]!.AsArray());
        var after = StripCache(requests[2]["messages"]!.AsArray());
        after.Count.ShouldBeGreaterThan(before.Count);
        for (var i = 0; i < before.Count; i++)
        {
            after[i]!.ToJsonString().ShouldBe(before[i]!.ToJsonString(), $"message {i}");
        }

        // Turning caching off removes the breakpoints.
        await using var off = await EngineKit.StartAsync(Files, new Dictionary<string, string?> { ["Engine:PromptCaching"] = "false" });
        off.Fake.Enqueue(FakeReply.Text("Ok."));
        await off.Harness.PostAsync(off.Session, "Hi", null, ChatHarness.AnthropicModel);
        off.Fake.Requests[0].Body.ShouldNotContain("cache_control");
    }

    [Fact]
    public async Task SiblingPrompt_OverUncommittedEdits_Answers409BeforeAnyStream_AndCommitFirstCommitsThem()
    {
        await using var kit = await EngineKit.StartAsync(Files);
        kit.Fake.Enqueue(FakeReply.Text("hello.txt\n```\n<<<<<<< SEARCH\nworld\n=======\nthere\n>>>>>>> REPLACE\n```\n"));
        var first = await kit.PostAsync("Greet there");
        kit.Fake.Enqueue(FakeReply.Text("Fine."));
        await kit.PostAsync("Thanks");
        await kit.WriteAsync("src/app.py", "def greet():\n    return 'mine'\n");
        var before = await kit.Harness.TreeAsync(kit.Session);

        // A sibling of the second prompt starts a new branch of the conversation: refused over the edits.
        var refused = await kit.Client.PostAsJsonAsync($"/api/sessions/{kit.Session}/messages", new { content = "Thanks again", parentId = first.MessageId, model = ChatHarness.OpenAiModel }).Bounded();

        refused.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        refused.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        (await refused.Content.ReadFromJsonAsync<JsonElement>().Bounded()).GetProperty("code").GetString().ShouldBe("uncommitted_changes");
        var after = await kit.Harness.TreeAsync(kit.Session);
        after.GetProperty("messages").GetArrayLength().ShouldBe(before.GetProperty("messages").GetArrayLength());
        after.GetProperty("currentLeafId").GetString().ShouldBe(before.GetProperty("currentLeafId").GetString());
        kit.Fake.Requests.Count.ShouldBe(2);

        // With commitFirst the edits are committed, then the answer runs on its new branch.
        kit.Fake.Enqueue(FakeReply.Text("You're welcome."));
        await using var stream = await SseStream.PostAsync(kit.Client, $"/api/sessions/{kit.Session}/messages", new { content = "Thanks again", parentId = first.MessageId, model = ChatHarness.OpenAiModel, commitFirst = true });
        var answer = await Answer.ReadAsync(stream);
        answer.Last.Event.ShouldBe("message.completed", answer.Last.Data);
        (await kit.GitAsync("log", "--all", "--format=%s")).ShouldContain("Save your edits before switching to");
        (await kit.GitAsync("status", "--porcelain")).Trim().ShouldBeEmpty();
    }

    [Fact]
    public async Task APromptWhoseTurnTheDatabaseRefuses_RecordsNothing_AndItsCallDoesNotRunOn()
    {
        await using var kit = await EngineKit.StartAsync(Files);
        kit.Fake.Enqueue(FakeReply.Text("Fine."));
        await kit.PostAsync("Hello");
        var before = await kit.Harness.TreeAsync(kit.Session);
        var database = kit.Harness.Server.Services.GetRequiredService<WrightDatabase>();
        async Task<long> RequestRowsAsync()
        {
            await using var connection = await database.OpenAsync(CancellationToken.None).Bounded();
            return await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM ai_requests").Bounded();
        }

        var rowsBefore = await RequestRowsAsync();
        await using (var connection = await database.OpenAsync(CancellationToken.None).Bounded())
        {
            // A real constraint of the database refuses the prompt as its turn is stored, which
            // happens beside the provider call (the call may already be out).
            await connection.ExecuteAsync("CREATE TRIGGER refuse_turn BEFORE INSERT ON chat_messages WHEN NEW.content = 'Refused' BEGIN SELECT RAISE(ABORT, 'turn refused by the test'); END").Bounded();
        }

        // A provider that has not answered yet: the call is still waiting when the turn fails.
        // (The fallback, not a queued reply: the call may not have gone out when the turn fails.)
        kit.Fake.Fallback = FakeReply.Text("Never sent.") with { StallBeforeHeaders = true };
        var requestsBefore = kit.Fake.Requests.Count;
        using var refused = await kit.Client.PostAsJsonAsync($"/api/sessions/{kit.Session}/messages", new { content = "Refused" }).Bounded();

        // Refused before any stream: a problem, not an event stream with an empty answer in it.
        ((int)refused.StatusCode).ShouldBeGreaterThanOrEqualTo(500, await refused.Content.ReadAsStringAsync());
        refused.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        var after = await kit.Harness.TreeAsync(kit.Session);
        after.GetProperty("messages").GetArrayLength().ShouldBe(before.GetProperty("messages").GetArrayLength());
        after.GetProperty("currentLeafId").GetString().ShouldBe(before.GetProperty("currentLeafId").GetString());
        (await RequestRowsAsync()).ShouldBe(rowsBefore);
        if (kit.Fake.Requests.Count > requestsBefore)
        {
            // A call that went out is cancelled, not left waiting for an answer no one will see.
            await kit.Fake.Requests[requestsBefore].Closed.Bounded();
        }

        // Without the fault the next prompt is answered and stored as usual.
        await using (var connection = await database.OpenAsync(CancellationToken.None).Bounded())
        {
            await connection.ExecuteAsync("DROP TRIGGER refuse_turn").Bounded();
        }

        kit.Fake.Fallback = null;
        kit.Fake.Enqueue(FakeReply.Text("Stored."));
        var next = await kit.PostAsync("Refused");
        next.Last.Event.ShouldBe("message.completed", next.Last.Data);
        (await kit.Harness.TreeAsync(kit.Session)).GetProperty("messages").GetArrayLength().ShouldBe(before.GetProperty("messages").GetArrayLength() + 2);
        (await RequestRowsAsync()).ShouldBe(rowsBefore + 1);
    }

    [Fact]
    public async Task ModelWithoutAKnownPrice_IsReportedUnpriced_NeverCostedAtZero()
    {
        await using var kit = await EngineKit.StartAsync(Files);
        kit.Fake.Enqueue(FakeReply.Text("Hi.") with { Usage = new FakeUsage(1000, 10) });

        var answer = await kit.Harness.PostAsync(kit.Session, "Say hi", null, "openai/house-model-7");

        var usage = answer.OfType("usage").Single().Json;
        usage.GetProperty("unpriced").GetBoolean().ShouldBeTrue();
        usage.GetProperty("cost").ValueKind.ShouldBe(JsonValueKind.Null);
        var stopped = answer.OfType("answer.stopped").Single().Json;
        stopped.GetProperty("unpriced").GetBoolean().ShouldBeTrue();
        var record = await kit.RunAsync(answer.MessageId);
        record.GetProperty("unpriced").GetBoolean().ShouldBeTrue();
        record.GetProperty("cost").ValueKind.ShouldBe(JsonValueKind.Null);

        // A priced model is not.
        kit.Fake.Enqueue(FakeReply.Text("Hi.") with { Usage = new FakeUsage(1000, 10) });
        var priced = await kit.Harness.PostAsync(kit.Session, "Say hi again", null, ChatHarness.OpenAiModel);
        priced.OfType("usage").Single().Json.GetProperty("unpriced").GetBoolean().ShouldBeFalse();
        priced.OfType("usage").Single().Json.GetProperty("cost").GetDecimal().ShouldBeGreaterThan(0m);
    }

    [Fact]
    public async Task WholeFileAnswer_IsAppliedAsOneCommit()
    {
        await using var kit = await EngineKit.StartAsync(Files);
        kit.Fake.Enqueue(FakeReply.Text("Here is the new file.\n\nsrc/app.py\n```python\ndef greet():\n    return 'hello'\n```\n"));
        var before = await kit.CommitCountAsync();

        var answer = await kit.PostAsync("Make greet say hello in src/app.py");

        answer.OfType("action.committed").ShouldHaveSingleItem();
        (await kit.CommitCountAsync()).ShouldBe(before + 1);
        (await kit.ReadAsync("src/app.py")).ShouldBe("def greet():\n    return 'hello'\n");
    }

    [Fact]
    public async Task ChangedSinceTheLastPrompt_HoldsTheUsersChanges_NotTheModelsOwnCommit()
    {
        await using var kit = await EngineKit.StartAsync(Files);
        kit.Fake.Enqueue(FakeReply.Text("hello.txt\n```\n<<<<<<< SEARCH\nworld\n=======\nthere\n>>>>>>> REPLACE\n```\n"));
        await kit.PostAsync("Greet there");
        await kit.WriteAsync("src/app.py", "def greet():\n    return 'mine'\n");
        kit.Fake.Enqueue(FakeReply.Text("Noted."));

        await kit.PostAsync("What did I change?");

        var prompt = kit.Fake.Requests[^1].Json!["messages"]!.AsArray()[^1]!["content"]!.ToJsonString();
        prompt.ShouldContain("Changed since the last prompt");
        prompt.ShouldContain("M src/app.py");
        prompt.ShouldNotContain("M hello.txt");
    }

    private static async Task<JsonElement> PreviewAsync(EngineKit kit, string content, string model) =>
        await kit.Client.GetFromJsonAsync<JsonElement>($"/api/sessions/{kit.Session}/prompt-preview?content={Uri.EscapeDataString(content)}&model={Uri.EscapeDataString(model)}").Bounded();

    private static string Normalized(JsonElement element) => Normalized(element.GetRawText());

    private static string Normalized(string json) => JsonNode.Parse(json)!.ToJsonString();

    private static JsonArray StripCache(JsonArray messages)
    {
        var copy = JsonNode.Parse(messages.ToJsonString())!.AsArray();
        foreach (var message in copy)
        {
            if (message!["content"] is JsonArray blocks)
            {
                foreach (var block in blocks)
                {
                    block!.AsObject().Remove("cache_control");
                }
            }
        }

        return copy;
    }
}
