using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Wright.FakeLlm;
using Wright.Server.Tests.Events;
using Wright.Server.Tests.Infrastructure;

namespace Wright.Server.Tests.Conversations;

/// <summary>Provider faults injected by the fake, seen through the API: retries, partial answers kept, circuit breaker, timeouts, cancellation, limits.</summary>
public sealed class ProviderFaultTests
{
    [Fact]
    public async Task Overloaded529ThenSuccess_IsRetriedAndSucceeds_AndBothCallsAreAccounted()
    {
        await using var harness = await ChatHarness.StartAsync();
        harness.Fake.Enqueue(FakeReply.Overloaded(), FakeReply.Text("Hello", " world"));
        var session = await harness.CreateSessionAsync();

        var answer = await harness.PostAsync(session, "Hi");

        answer.Last.Event.ShouldBe("message.completed", answer.Last.Data);
        answer.Text.ShouldBe("Hello world");
        harness.Fake.Requests.Count.ShouldBe(2);
        var requests = (await harness.UsageAsync(session)).GetProperty("requests").EnumerateArray().ToList();
        requests.Select(r => (r.GetProperty("attempt").GetInt32(), r.GetProperty("status").GetString(), r.GetProperty("errorCode").GetString()))
            .OrderBy(r => r.Item1)
            .ShouldBe([(1, "error", "provider_overloaded"), (2, "complete", null)]);
    }

    [Fact]
    public async Task RateLimited429_WithRetryAfterBeyondTheLimit_IsNotRetriedAndReportsRateLimited()
    {
        await using var harness = await ChatHarness.StartAsync(new Dictionary<string, string?> { ["Llm:MaxRetryAfter"] = "00:00:05" });
        harness.Fake.Enqueue(FakeReply.RateLimited(120), FakeReply.Text("never sent"));
        var session = await harness.CreateSessionAsync();

        var answer = await harness.PostAsync(session, "Hi", model: ChatHarness.OpenAiModel);

        answer.ErrorCode.ShouldBe("rate_limited");
        harness.Fake.Requests.Count.ShouldBe(1);
    }

    [Fact]
    public async Task RateLimited429_WithShortRetryAfter_IsRetriedAndSucceeds()
    {
        await using var harness = await ChatHarness.StartAsync();
        harness.Fake.Enqueue(FakeReply.RateLimited(0), FakeReply.Text("ok"));
        var session = await harness.CreateSessionAsync();

        var answer = await harness.PostAsync(session, "Hi", model: ChatHarness.OpenAiModel);

        answer.Text.ShouldBe("ok");
        harness.Fake.Requests.Count.ShouldBe(2);
    }

    [Theory]
    [InlineData(ChatHarness.AnthropicModel)]
    [InlineData(ChatHarness.OpenAiModel)]
    public async Task ErrorEventMidStream_KeepsPartialTextAndMarksError_WithoutRetry(string model)
    {
        await using var harness = await ChatHarness.StartAsync();
        harness.Fake.Enqueue(FakeReply.Text("Partial ", "answer") with { Ending = FakeEnding.ErrorEvent });
        harness.Fake.Fallback = FakeReply.Text("DUPLICATE");
        var session = await harness.CreateSessionAsync();

        var answer = await harness.PostAsync(session, "Hi", model: model);

        answer.Last.Event.ShouldBe("error");
        var stored = await harness.MessageAsync(session, answer.MessageId);
        stored.GetProperty("status").GetString().ShouldBe("error");
        stored.GetProperty("content").GetString().ShouldBe("Partial answer");
        stored.GetProperty("errorCode").GetString().ShouldNotBeNull();
        harness.Fake.Requests.Count.ShouldBe(1);
    }

    [Fact]
    public async Task RepeatedFailures_OpenTheCircuit_AndLaterCallsFailFastWithoutReachingTheProvider()
    {
        await using var harness = await ChatHarness.StartAsync(new Dictionary<string, string?>
        {
            ["Llm:MaxRetries"] = "0",
            ["Llm:CircuitMinimumThroughput"] = "2",
            ["Llm:CircuitFailureRatio"] = "1",
            ["Llm:CircuitBreakDuration"] = "00:10:00",
        });
        harness.Fake.Fallback = FakeReply.ServerError();
        var session = await harness.CreateSessionAsync();

        (await harness.PostAsync(session, "one")).ErrorCode.ShouldBe("provider_unavailable");
        (await harness.PostAsync(session, "two")).ErrorCode.ShouldBe("provider_unavailable");
        var third = await harness.PostAsync(session, "three");

        third.ErrorCode.ShouldBe("provider_unavailable");
        third.Last.Json.GetProperty("detail").GetString()!.ShouldContain("stopped calling it");
        harness.Fake.Requests.Count.ShouldBe(2);
    }

    [Fact]
    public async Task StalledStream_TimesOut_KeepingTheTextBeforeTheStall()
    {
        await using var harness = await ChatHarness.StartAsync(new Dictionary<string, string?> { ["Llm:StreamIdleTimeout"] = "00:00:00.300" });
        harness.Fake.Enqueue(FakeReply.Text("Before ", "the stall") with { Ending = FakeEnding.Stall });
        var session = await harness.CreateSessionAsync();

        var answer = await harness.PostAsync(session, "Hi");

        answer.ErrorCode.ShouldBe("provider_timeout");
        var stored = await harness.MessageAsync(session, answer.MessageId);
        stored.GetProperty("content").GetString().ShouldBe("Before the stall");
        stored.GetProperty("status").GetString().ShouldBe("error");
        await harness.Fake.Requests[0].Closed.Bounded();
    }

    [Fact]
    public async Task StallBeforeHeaders_TimesOut_AndIsRetriedOnlyAsConfigured()
    {
        await using var harness = await ChatHarness.StartAsync(new Dictionary<string, string?>
        {
            ["Llm:StreamIdleTimeout"] = "00:00:00.300",
            ["Llm:MaxRetries"] = "1",
        });
        harness.Fake.Fallback = new FakeReply { StallBeforeHeaders = true };
        var session = await harness.CreateSessionAsync();

        var answer = await harness.PostAsync(session, "Hi", model: ChatHarness.OpenAiModel);

        answer.ErrorCode.ShouldBe("provider_timeout");
        harness.Fake.Requests.Count.ShouldBe(2);
    }

    [Fact]
    public async Task Stop_CancelsTheProviderRequest_AndKeepsThePartialTextAsCancelled()
    {
        await using var harness = await ChatHarness.StartAsync();
        harness.Fake.Enqueue(FakeReply.Text("Some ", "text") with { Ending = FakeEnding.Stall });
        var session = await harness.CreateSessionAsync();
        await using var stream = await harness.OpenPostAsync(session, "Hi");
        var created = await stream.NextChatEventAsync();
        var messageId = created.Json.GetProperty("message").GetProperty("id").GetGuid();
        (await stream.NextChatEventAsync()).Event.ShouldBe("delta");
        (await stream.NextChatEventAsync()).Event.ShouldBe("delta");

        var stop = await harness.Client.PostAsync($"/api/sessions/{session}/messages/{messageId}/stop", null).Bounded();

        stop.EnsureSuccessStatusCode();
        var stopped = await stop.Content.ReadFromJsonAsync<JsonElement>().Bounded();
        stopped.GetProperty("status").GetString().ShouldBe("cancelled");
        stopped.GetProperty("content").GetString().ShouldBe("Some text");
        await harness.Fake.Requests[0].Closed.Bounded();
        (await stream.NextChatEventAsync()).Event.ShouldBe("message.completed");
    }

    [Fact]
    public async Task ClientDisconnect_CancelsTheProviderRequest()
    {
        await using var harness = await ChatHarness.StartAsync();
        harness.Fake.Enqueue(FakeReply.Text("Some ", "text") with { Ending = FakeEnding.Stall });
        var session = await harness.CreateSessionAsync();
        Guid messageId;
        await using (var stream = await harness.OpenPostAsync(session, "Hi"))
        {
            messageId = (await stream.NextChatEventAsync()).Json.GetProperty("message").GetProperty("id").GetGuid();
            (await stream.NextChatEventAsync()).Event.ShouldBe("delta");
        }

        await harness.Fake.Requests[0].Closed.Bounded();
        await using var reattached = await SseStream.OpenAsync(harness.Client, $"/api/sessions/{session}/messages/{messageId}/stream", lastEventId: "1000000");
        var replay = await Answer.ReadAsync(reattached);
        replay.Last.Event.ShouldBe("message.completed");
        replay.FinalMessage.GetProperty("status").GetString().ShouldBe("cancelled");
        replay.FinalMessage.GetProperty("content").GetString().ShouldBe("Some text");
    }

    [Fact]
    public async Task ReconnectWithLastEventId_GetsTheRestOfTheAnswer()
    {
        await using var harness = await ChatHarness.StartAsync(new Dictionary<string, string?> { ["Conversations:DisconnectGracePeriod"] = "00:05:00" });
        harness.Fake.Enqueue(FakeReply.Words(30));
        var session = await harness.CreateSessionAsync();
        Guid messageId;
        var firstPart = "";
        string lastId;
        await using (var stream = await harness.OpenPostAsync(session, "Count"))
        {
            messageId = (await stream.NextChatEventAsync()).Json.GetProperty("message").GetProperty("id").GetGuid();
            for (var i = 0; i < 3; i++)
            {
                firstPart += (await stream.NextChatEventAsync()).Json.GetProperty("text").GetString();
            }

            lastId = stream.LastEventId!;
        }

        await using var resumed = await SseStream.OpenAsync(harness.Client, $"/api/sessions/{session}/messages/{messageId}/stream", lastEventId: lastId);
        var rest = await Answer.ReadAsync(resumed);

        (firstPart + rest.Text).ShouldBe(string.Concat(Enumerable.Range(0, 30).Select(i => $"w{i} ")));
        rest.Events[0].Id.ShouldBe((long.Parse(lastId, System.Globalization.CultureInfo.InvariantCulture) + 1).ToString(System.Globalization.CultureInfo.InvariantCulture));
        rest.Last.Event.ShouldBe("message.completed");
    }

    [Fact]
    public async Task SecondConcurrentAnswer_OverThePerUserLimit_IsRefusedWithRateLimited()
    {
        await using var harness = await ChatHarness.StartAsync(new Dictionary<string, string?> { ["Conversations:MaxConcurrentStreamsPerUser"] = "1" });
        harness.Fake.Enqueue(FakeReply.Text("slow") with { Ending = FakeEnding.Stall });
        var session = await harness.CreateSessionAsync();
        await using var first = await harness.OpenPostAsync(session, "one");
        (await first.NextChatEventAsync()).Event.ShouldBe("message.created");

        var second = await harness.Client.PostAsJsonAsync($"/api/sessions/{session}/messages", new { content = "two" }).Bounded();

        await second.ShouldBeProblemAsync(HttpStatusCode.TooManyRequests, "rate_limited");
        second.Headers.RetryAfter.ShouldNotBeNull();
    }

    [Fact]
    public async Task UnknownProvider_IsRefusedBeforeAnythingIsStored()
    {
        await using var harness = await ChatHarness.StartAsync();
        var session = await harness.CreateSessionAsync();

        var response = await harness.Client.PostAsJsonAsync($"/api/sessions/{session}/messages", new { content = "hi", model = "nowhere/model" }).Bounded();

        await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest, "model_unknown");
        (await harness.TreeAsync(session)).GetProperty("messages").GetArrayLength().ShouldBe(0);
    }

    [Fact]
    public async Task RejectedKey_EndsWithProviderAuthFailed_WithoutRetry()
    {
        await using var harness = await ChatHarness.StartAsync();
        harness.Fake.Fallback = FakeReply.WithStatus(401, "authentication_error", "invalid x-api-key");
        var session = await harness.CreateSessionAsync();

        var answer = await harness.PostAsync(session, "Hi");

        answer.ErrorCode.ShouldBe("provider_auth_failed");
        harness.Fake.Requests.Count.ShouldBe(1);
    }
}
