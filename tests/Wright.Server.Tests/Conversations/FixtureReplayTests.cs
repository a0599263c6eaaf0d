using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Wright.FakeLlm;

namespace Wright.Server.Tests.Conversations;

/// <summary>
/// Every recorded Chat Completions and Messages stream of <c>../shared/fixtures/llm-streams/</c>,
/// replayed byte for byte by the fake through the production SDK clients: the stored message and
/// its provider call hold exactly what the stream carried. (openai_responses_stream.txt is the
/// Responses API, a protocol Wright does not call; it is not replayed.)
/// </summary>
public sealed class FixtureReplayTests
{
    [Theory]
    [InlineData("openai_chat_stream.txt", ChatHarness.OpenAiModel)]
    [InlineData("openai_chat_stream_tools.txt", ChatHarness.OpenAiModel)]
    [InlineData("openai_chat_stream_parallel_tools.txt", ChatHarness.OpenAiModel)]
    [InlineData("anthropic_stream.txt", ChatHarness.AnthropicModel)]
    [InlineData("anthropic_stream_tools.txt", ChatHarness.AnthropicModel)]
    public async Task ReplayedFixture_StoredMessageAndUsage_EqualWhatTheStreamCarries(string fixture, string model)
    {
        var path = SharedFixtures.LlmStream(fixture);
        var expected = Expected.Parse(await File.ReadAllTextAsync(path), fixture.StartsWith("anthropic", StringComparison.Ordinal));
        await using var harness = await ChatHarness.StartAsync();
        harness.Fake.Enqueue(FakeReply.ReplayFile(path));

        // The fixtures' tools (get_weather…) are not Wright's: the loop says so to the model, which then ends.
        harness.Fake.Enqueue(FakeReply.Text("") with { Usage = new FakeUsage(1, 1) });
        var session = await harness.CreateSessionAsync();

        var answer = await harness.PostAsync(session, "What is the weather?", model: model);

        answer.Last.Event.ShouldBe("message.completed", answer.Last.Data);
        answer.Text.ShouldBe(expected.Text);
        var stored = await harness.MessageAsync(session, answer.MessageId);
        stored.GetProperty("status").GetString().ShouldBe("complete");
        stored.GetProperty("content").GetString().ShouldBe(expected.Text);
        var calls = stored.GetProperty("toolCalls").EnumerateArray().ToList();
        calls.Count.ShouldBe(expected.ToolCalls.Count);
        for (var i = 0; i < calls.Count; i++)
        {
            calls[i].GetProperty("id").GetString().ShouldBe(expected.ToolCalls[i].Id);
            calls[i].GetProperty("name").GetString().ShouldBe(expected.ToolCalls[i].Name);
            JsonNode.DeepEquals(JsonNode.Parse(calls[i].GetProperty("arguments").GetString()!), JsonNode.Parse(expected.ToolCalls[i].Arguments)).ShouldBeTrue(calls[i].GetProperty("arguments").GetString());
        }

        answer.Events.Count(e => e.Event == "toolCall").ShouldBe(expected.ToolCalls.Count);
        var requests = (await harness.UsageAsync(session)).GetProperty("requests").EnumerateArray().ToList();
        requests.Count.ShouldBe(expected.ToolCalls.Count > 0 ? 2 : 1);
        var request = requests[0];
        request.GetProperty("inputTokens").GetInt64().ShouldBe(expected.InputTokens);
        request.GetProperty("outputTokens").GetInt64().ShouldBe(expected.OutputTokens);
        request.GetProperty("status").GetString().ShouldBe("complete");
        var usage = answer.Events.First(e => e.Event == "usage").Json;
        usage.GetProperty("inputTokens").GetInt64().ShouldBe(expected.InputTokens);
        usage.GetProperty("outputTokens").GetInt64().ShouldBe(expected.OutputTokens);
    }

    [Fact]
    public async Task ReplayedAnthropicErrorFixture_WithoutRetries_EndsInProviderOverloadedError()
    {
        await using var harness = await ChatHarness.StartAsync(new Dictionary<string, string?> { ["Llm:MaxRetries"] = "0" });
        harness.Fake.Enqueue(FakeReply.ReplayFile(SharedFixtures.LlmStream("anthropic_error_stream.txt")));
        var session = await harness.CreateSessionAsync();

        var answer = await harness.PostAsync(session, "Hello?");

        answer.Last.Event.ShouldBe("error");
        answer.ErrorCode.ShouldBe("provider_overloaded");
        (await harness.MessageAsync(session, answer.MessageId)).GetProperty("status").GetString().ShouldBe("error");
    }

    [Fact]
    public async Task ReplayedAnthropicErrorFixture_BeforeAnyToken_IsRetriedAndTheRetrySucceeds()
    {
        await using var harness = await ChatHarness.StartAsync();
        harness.Fake.Enqueue(FakeReply.ReplayFile(SharedFixtures.LlmStream("anthropic_error_stream.txt")), FakeReply.Text("Back ", "again"));
        var session = await harness.CreateSessionAsync();

        var answer = await harness.PostAsync(session, "Hello?");

        answer.Last.Event.ShouldBe("message.completed", answer.Last.Data);
        answer.Text.ShouldBe("Back again");
        harness.Fake.Requests.Count.ShouldBe(2);
    }

    /// <summary>What a recorded stream carries, read straight from its bytes (independently of the SDKs).</summary>
    private sealed record Expected(string Text, IReadOnlyList<(string Id, string Name, string Arguments)> ToolCalls, long InputTokens, long OutputTokens)
    {
        public static Expected Parse(string recording, bool anthropic)
        {
            var text = new StringBuilder();
            var calls = new SortedDictionary<int, (string Id, string Name, StringBuilder Arguments)>();
            long input = 0;
            long output = 0;
            foreach (var line in recording.Split('\n'))
            {
                if (!line.StartsWith("data: ", StringComparison.Ordinal) || line == "data: [DONE]")
                {
                    continue;
                }

                var data = JsonNode.Parse(line["data: ".Length..])!;
                if (anthropic)
                {
                    switch (data["type"]!.GetValue<string>())
                    {
                        case "message_start":
                            var usage = data["message"]!["usage"]!;
                            input = usage["input_tokens"]!.GetValue<long>() + (usage["cache_read_input_tokens"]?.GetValue<long>() ?? 0) + (usage["cache_creation_input_tokens"]?.GetValue<long>() ?? 0);
                            output = usage["output_tokens"]!.GetValue<long>();
                            break;
                        case "content_block_start" when data["content_block"]!["type"]!.GetValue<string>() == "tool_use":
                            calls[data["index"]!.GetValue<int>()] = (data["content_block"]!["id"]!.GetValue<string>(), data["content_block"]!["name"]!.GetValue<string>(), new StringBuilder());
                            break;
                        case "content_block_delta" when data["delta"]!["type"]!.GetValue<string>() == "text_delta":
                            text.Append(data["delta"]!["text"]!.GetValue<string>());
                            break;
                        case "content_block_delta" when data["delta"]!["type"]!.GetValue<string>() == "input_json_delta":
                            calls[data["index"]!.GetValue<int>()].Arguments.Append(data["delta"]!["partial_json"]!.GetValue<string>());
                            break;
                        case "message_delta":
                            output = data["usage"]!["output_tokens"]!.GetValue<long>();
                            break;
                    }

                    continue;
                }

                if (data["usage"] is JsonObject openAiUsage)
                {
                    input = openAiUsage["prompt_tokens"]!.GetValue<long>();
                    output = openAiUsage["completion_tokens"]!.GetValue<long>();
                }

                foreach (var choice in data["choices"]!.AsArray())
                {
                    var delta = choice!["delta"]!;
                    if (delta["content"] is JsonValue content && content.GetValueKind() == JsonValueKind.String)
                    {
                        text.Append(content.GetValue<string>());
                    }

                    foreach (var call in delta["tool_calls"]?.AsArray() ?? [])
                    {
                        var index = call!["index"]!.GetValue<int>();
                        if (!calls.ContainsKey(index))
                        {
                            calls[index] = (call["id"]!.GetValue<string>(), call["function"]!["name"]!.GetValue<string>(), new StringBuilder());
                        }

                        calls[index].Arguments.Append(call["function"]?["arguments"]?.GetValue<string>() ?? "");
                    }
                }
            }

            return new Expected(text.ToString(), calls.Values.Select(c => (c.Id, c.Name, c.Arguments.Length == 0 ? "{}" : c.Arguments.ToString())).ToList(), input, output);
        }
    }
}
