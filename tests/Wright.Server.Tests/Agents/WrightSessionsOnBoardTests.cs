using System.Text.Json;
using Wright.Core.Agents;
using Wright.FakeLlm;
using Wright.Server.Tests.Conversations;
using Wright.Server.Tests.Events;
using Wright.Server.Tests.Infrastructure;

namespace Wright.Server.Tests.Agents;

/// <summary>Wright's own sessions on the board: each prompt a command, each answer a completion with its cost.</summary>
public sealed class WrightSessionsOnBoardTests
{
    [Fact]
    public async Task AnAnswer_AppearsAsATurnOfAnAgentOfKindWright_WithItsCost()
    {
        await using var harness = await ChatHarness.StartAsync();
        var session = await harness.CreateSessionAsync();
        await using var feed = await SseStream.OpenAsync(harness.Client, "/api/agents/events");
        await feed.WaitForPositionAsync();
        harness.Fake.Enqueue(FakeReply.Text("Hi ", "there") with { Usage = new FakeUsage(1000, 200) });

        await harness.PostAsync(session, "Hello");

        while ((await feed.NextEventAsync()).Event != "agent.usage")
        {
        }

        using var response = await harness.Client.GetAsync("/api/agents").Bounded();
        var agent = JsonDocument.Parse(await response.Content.ReadAsStringAsync().Bounded()).RootElement.GetProperty("items").EnumerateArray().Single();
        agent.GetProperty("kind").GetString().ShouldBe(AgentKinds.Wright);
        agent.GetProperty("sessionUuid").GetString().ShouldBe(session.ToString());
        agent.GetProperty("state").GetString().ShouldBe("idle");
        agent.GetProperty("command").GetString().ShouldBe("Hello");
        agent.GetProperty("lastAgentText").GetString().ShouldBe("Hi there");
        agent.GetProperty("usage").GetProperty("inputTokens").GetInt64().ShouldBe(1000);
        agent.GetProperty("usage").GetProperty("outputTokens").GetInt64().ShouldBe(200);
        var sessionCost = (await harness.UsageAsync(session)).ToString();
        agent.GetProperty("usage").GetProperty("cost").GetDecimal().ShouldBeGreaterThan(0m, sessionCost);
    }
}
