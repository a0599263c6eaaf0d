using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Wright.FakeLlm;
using Wright.Server.Tests.Conversations;
using Wright.Server.Tests.Infrastructure;

namespace Wright.Server.Tests.Engine;

/// <summary>
/// History that fits: with a small context window the older turns are sent as a model's summary,
/// made once, stored, shown in the prompt's Context and the preview, and reused by later prompts;
/// a tool call is never sent without its result.
/// </summary>
public sealed class HistorySummaryTests
{
    private const string Model = ChatHarness.OpenAiModel;
    private const int Window = 6000;
    private const int MaxOutput = 500;
    private const string SummaryMarker = "You summarize the earlier part of a conversation";

    private static readonly Dictionary<string, string> Files = new()
    {
        ["hello.txt"] = "Hello\nworld\n",
        ["src/app.py"] = "def greet():\n    return 'hi'\n",
    };

    private static readonly Dictionary<string, string?> SmallWindow = new()
    {
        // An OpenAI-family model (counted exactly, so the fake's made-up usage calibrates nothing) with a small window.
        [$"Llm:Models:{Model}:ContextWindow"] = Window.ToString(System.Globalization.CultureInfo.InvariantCulture),
        [$"Llm:Models:{Model}:MaxOutputTokens"] = MaxOutput.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    [Fact]
    public async Task LongConversation_IsSentWithAStoredSummary_UnderBudget_AndTheSummaryIsReused()
    {
        await using var kit = await EngineKit.StartAsync(Files, SmallWindow);
        var first = LongText("FIRST-ANSWER", 5000);
        var second = LongText("SECOND-ANSWER", 5000);
        kit.Fake.Enqueue(EngineKit.Calls(("read_file", new { path = "hello.txt" })), FakeReply.Text(first));
        await PostAsync(kit, "Read hello.txt and explain it at length");
        kit.Fake.Enqueue(FakeReply.Text(second));
        await PostAsync(kit, "Explain src/app.py at length");
        kit.Fake.Requests.ShouldNotContain(r => r.Body.Contains(SummaryMarker), "two turns still fit");

        // The third prompt no longer fits: the preview makes the summary (one recorded call) and shows it.
        kit.Fake.Enqueue(FakeReply.Text("SUMMARY-ONE: the user read hello.txt and src/app.py."));
        var preview = await PreviewAsync(kit, "What next?");
        SummaryCalls(kit).ShouldBe(1);
        var previewRequest = preview.GetProperty("request");
        previewRequest.GetProperty("estimatedTokens").GetInt32().ShouldBeLessThanOrEqualTo(Window - MaxOutput);
        previewRequest.GetProperty("system").GetString()!.ShouldContain("SUMMARY-ONE");
        preview.GetProperty("context").GetProperty("history").GetProperty("summarizedTurns").GetInt32().ShouldBeGreaterThan(0);

        // The real send reuses the stored summary: the fake sees no second summary call, and what it receives is the preview.
        kit.Fake.Enqueue(FakeReply.Text("Next, test it."));
        var third = await PostAsync(kit, "What next?");
        SummaryCalls(kit).ShouldBe(1);
        var sent = kit.Fake.Requests[^1];
        Normalized(preview.GetProperty("wire").GetProperty("body").GetRawText()).ShouldBe(Normalized(sent.Body));
        sent.Body.ShouldContain("SUMMARY-ONE");
        sent.Body.ShouldNotContain("FIRST-ANSWER", customMessage: "the summarized turn is not sent again");
        (sent.Body.Length / 4).ShouldBeLessThan(Window - MaxOutput, "the request fits the window");
        EveryToolCallHasItsResult(sent.Json!);

        // The summarizing model saw the turns it summarized, and its call is recorded with the session's usage.
        var summaryRequest = kit.Fake.Requests.Single(r => r.Body.Contains(SummaryMarker));
        summaryRequest.Body.ShouldContain("SECOND-ANSWER");
        summaryRequest.Body.ShouldNotContain("\"tools\"");
        var usage = await kit.Harness.UsageAsync(kit.Session);
        usage.GetProperty("requests").EnumerateArray().Count(r => r.GetProperty("messageId").ValueKind == JsonValueKind.Null).ShouldBe(1);

        // The prompt's stored Context shows the summary it was sent with.
        var context = await kit.Client.GetFromJsonAsync<JsonElement>($"/api/sessions/{kit.Session}/messages/{third.UserMessageId}/context").Bounded();
        var history = context.GetProperty("history");
        history.GetProperty("summary").GetString()!.ShouldContain("SUMMARY-ONE");
        history.GetProperty("historyTokens").GetInt32().ShouldBeLessThanOrEqualTo(history.GetProperty("historyBudgetTokens").GetInt32());

        // A fourth prompt still fits beside the summary: it is reused, not recomputed.
        kit.Fake.Enqueue(FakeReply.Text("Done."));
        await PostAsync(kit, "Thanks");
        SummaryCalls(kit).ShouldBe(1);
        kit.Fake.Requests[^1].Body.ShouldContain("SUMMARY-ONE");
        kit.Fake.Requests[^1].Body.ShouldContain("Next, test it.");
    }

    [Fact]
    public async Task ToolRounds_AreNeverSplitFromTheirResults_WhenOlderTurnsAreSummarized()
    {
        await using var kit = await EngineKit.StartAsync(Files, SmallWindow);
        for (var i = 0; i < 3; i++)
        {
            kit.Fake.Enqueue(
                EngineKit.Calls(("read_file", new { path = "hello.txt" })),
                EngineKit.Calls(("read_file", new { path = "src/app.py" })),
                FakeReply.Text(LongText($"ANSWER-{i}", 2500)));
            await PostAsync(kit, $"Round {i}: read both files");
        }

        kit.Fake.Enqueue(FakeReply.Text("SUMMARY-TOOLS"), FakeReply.Text("Ok."));
        await PostAsync(kit, "Summarize what you read");

        SummaryCalls(kit).ShouldBe(1);
        var sent = kit.Fake.Requests[^1];
        sent.Body.ShouldContain("SUMMARY-TOOLS");
        EveryToolCallHasItsResult(sent.Json!);
    }

    [Fact]
    public async Task AFileSentWholeOnlyInASummarizedTurn_IsSentWholeAgain()
    {
        await using var kit = await EngineKit.StartAsync(Files, SmallWindow);
        kit.Fake.Enqueue(FakeReply.Text(LongText("FIRST-ANSWER", 5000)));
        await PostAsync(kit, "Explain hello.txt at length");
        LastUserMessage(kit).ShouldContain("Hello\nworld", customMessage: "the first prompt sends the file it names whole");
        kit.Fake.Enqueue(FakeReply.Text(LongText("SECOND-ANSWER", 5000)));
        await PostAsync(kit, "Explain src/app.py at length");

        // The turn that carried hello.txt is summarized away, so the file is no longer in the conversation.
        kit.Fake.Enqueue(FakeReply.Text("SUMMARY-FILES"), FakeReply.Text("Ok."));
        await PostAsync(kit, "Change hello.txt to greet the moon");
        SummaryCalls(kit).ShouldBe(1);
        kit.Fake.Requests[^1].Body.ShouldContain("SUMMARY-FILES");
        LastUserMessage(kit).ShouldContain("Hello\nworld", customMessage: "a file whose whole text was only in a summarized turn is sent whole again");
    }

    private static string LastUserMessage(EngineKit kit) =>
        kit.Fake.Requests[^1].Json!["messages"]!.AsArray().Last(m => m!["role"]!.GetValue<string>() == "user")!["content"]!.GetValue<string>();

    private static int SummaryCalls(EngineKit kit) => kit.Fake.Requests.Count(r => r.Body.Contains(SummaryMarker));

    private static async Task<Answer> PostAsync(EngineKit kit, string content)
    {
        var answer = await kit.Harness.PostAsync(kit.Session, content, null, Model);
        answer.Last.Event.ShouldBe("message.completed", answer.Last.Data);
        return answer;
    }

    private static async Task<JsonElement> PreviewAsync(EngineKit kit, string content) =>
        await kit.Client.GetFromJsonAsync<JsonElement>($"/api/sessions/{kit.Session}/prompt-preview?content={Uri.EscapeDataString(content)}&model={Uri.EscapeDataString(Model)}").Bounded();

    private static string LongText(string marker, int length)
    {
        var text = new System.Text.StringBuilder(marker).Append(' ');
        for (var i = 0; text.Length < length; i++)
        {
            text.Append("line ").Append(i).Append(" of a long explanation. ");
        }

        return text.ToString();
    }

    private static string Normalized(string json) => JsonNode.Parse(json)!.ToJsonString();

    /// <summary>Every assistant tool call in an OpenAI request is answered by a tool message, and every tool message answers a call sent before it.</summary>
    private static void EveryToolCallHasItsResult(JsonNode request)
    {
        var open = new HashSet<string>(StringComparer.Ordinal);
        foreach (var message in request["messages"]!.AsArray())
        {
            var role = message!["role"]!.GetValue<string>();
            if (role == "assistant" && message["tool_calls"] is JsonArray calls)
            {
                open.ShouldBeEmpty("a new assistant turn only after every call has its result");
                foreach (var call in calls)
                {
                    open.Add(call!["id"]!.GetValue<string>());
                }
            }
            else if (role == "tool")
            {
                open.Remove(message["tool_call_id"]!.GetValue<string>()).ShouldBeTrue("a tool result follows its call");
            }
            else
            {
                open.ShouldBeEmpty("every call has its result before the next message");
            }
        }

        open.ShouldBeEmpty();
    }
}
