using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Wright.Core.Accounts;
using Wright.Server.Tests.Events;
using Wright.Server.Tests.Infrastructure;

namespace Wright.Server.Tests.Agents;

/// <summary>The hook ingest over real HTTP: every fixture payload, the states it drives, correlation, isolation and bad input.</summary>
public sealed class HooksApiTests
{
    public static TheoryData<string> FixturePayloads()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(AgentKit.Fixture("docs"), "*.json").Concat(Directory.GetFiles(AgentKit.Fixture("captured-2.1.329"), "*.json")).Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetRelativePath(AgentKit.Fixture(""), file));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(FixturePayloads))]
    public async Task PostHook_EveryFixturePayload_IsAcceptedAndLogged(string fixture)
    {
        await using var kit = await AgentKit.StartAsync();
        var json = await File.ReadAllTextAsync(AgentKit.Fixture(fixture)).Bounded();
        var eventName = JsonNode.Parse(json)!["hook_event_name"]!.GetValue<string>();

        using var response = await AgentKit.PostHookAsync(kit.Hooks, eventName, json);

        response.StatusCode.ShouldBe(HttpStatusCode.NoContent, await response.Content.ReadAsStringAsync());
        (await response.Content.ReadAsStringAsync().Bounded()).ShouldBeEmpty();
        var agent = await kit.OnlyAgentAsync();
        var detail = await kit.GetJsonAsync($"/api/agents/{agent.GetProperty("id").GetString()}");
        detail.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("type").GetString()).ShouldContain(eventName);
    }

    [Fact]
    public async Task Hooks_DriveTheTask_ThroughEveryStateOfTheSeed()
    {
        await using var kit = await AgentKit.StartAsync();
        await using var feed = await SseStream.OpenAsync(kit.Server.Client, "/api/agents/events");
        await feed.WaitForPositionAsync();
        var session = new { session_id = "s-1", cwd = kit.Home.Path };

        await PostAsync(kit, "SessionStart", new { session.session_id, session.cwd, source = "startup" });
        await PostAsync(kit, "UserPromptSubmit", new { session.session_id, session.cwd, prompt = "fix the bug" });
        (await kit.OnlyAgentAsync()).GetProperty("state").GetString().ShouldBe("processing");
        await PostAsync(kit, "PermissionRequest", new { session.session_id, session.cwd, tool_name = "Bash" });
        var waiting = await kit.OnlyAgentAsync();
        waiting.GetProperty("state").GetString().ShouldBe("awaitingInput");
        waiting.GetProperty("currentTask").GetProperty("waitingOn").GetString().ShouldBe("permission:Bash");
        await PostAsync(kit, "PostToolUse", new { session.session_id, session.cwd, tool_name = "Bash" });
        (await kit.OnlyAgentAsync()).GetProperty("state").GetString().ShouldBe("processing");
        await PostAsync(kit, "PreToolUse", new { session.session_id, session.cwd, tool_name = "AskUserQuestion", tool_input = new { questions = new[] { new { question = "Which file?" } } } });
        (await kit.OnlyAgentAsync()).GetProperty("state").GetString().ShouldBe("awaitingInput");
        await PostAsync(kit, "UserPromptSubmit", new { session.session_id, session.cwd, prompt = "main.cs" });
        await PostAsync(kit, "Stop", new { session.session_id, session.cwd, last_assistant_message = "Fixed." });
        var done = await kit.OnlyAgentAsync();
        done.GetProperty("state").GetString().ShouldBe("idle");
        done.GetProperty("lastAgentText").GetString().ShouldBe("Fixed.");
        await PostAsync(kit, "SessionEnd", new { session.session_id, session.cwd, reason = "other" });

        var detail = await kit.GetJsonAsync($"/api/agents/{done.GetProperty("id").GetString()}");
        AgentKit.StateMoves(detail).ShouldBe(["Idle>Commanded", "Commanded>Processing", "Processing>AwaitingInput", "AwaitingInput>Processing", "Processing>AwaitingInput", "AwaitingInput>Commanded", "Commanded>Processing", "Processing>Complete"]);
        detail.GetProperty("turns").EnumerateArray().Select(t => $"{t.GetProperty("actor").GetString()}:{t.GetProperty("intent").GetString()}:{t.GetProperty("text").GetString()}")
            .ShouldBe(["user:command:fix the bug", "agent:question:Permission to use Bash", "agent:question:Which file?", "user:answer:main.cs", "agent:completion:Fixed."]);
        detail.GetProperty("tasks").GetArrayLength().ShouldBe(1);
        detail.GetProperty("agent").GetProperty("ended").GetBoolean().ShouldBeTrue();

        // The board's feed carried the same moves live, ending with the agent's end.
        var moves = new List<string>();
        while (true)
        {
            var message = await feed.NextEventAsync();
            if (message.Event == "agent.state")
            {
                moves.Add($"{message.Json.GetProperty("from").GetString()}>{message.Json.GetProperty("to").GetString()}");
            }

            if (message.Event == "agent.ended")
            {
                break;
            }
        }

        moves.ShouldBe(["idle>processing", "processing>awaitingInput", "awaitingInput>processing", "processing>awaitingInput", "awaitingInput>processing", "processing>idle"]);
    }

    [Fact]
    public async Task PromptWhileProcessing_ClosesTheInterruptedTask_AndStartsAnother()
    {
        await using var kit = await AgentKit.StartAsync();
        await PostAsync(kit, "UserPromptSubmit", new { session_id = "s", cwd = kit.Home.Path, prompt = "first" });
        await PostAsync(kit, "UserPromptSubmit", new { session_id = "s", cwd = kit.Home.Path, prompt = "second" });

        var agent = await kit.OnlyAgentAsync();
        agent.GetProperty("command").GetString().ShouldBe("second");
        var detail = await kit.GetJsonAsync($"/api/agents/{agent.GetProperty("id").GetString()}");
        var tasks = detail.GetProperty("tasks").EnumerateArray().ToList();
        tasks.Count.ShouldBe(2);
        tasks[0].GetProperty("endReason").GetString().ShouldBe("interrupted");
        tasks[1].GetProperty("state").GetString().ShouldBe("processing");
    }

    [Fact]
    public async Task Correlation_WrightSessionId_ThenAgentSessionId_ThenCwd()
    {
        await using var kit = await AgentKit.StartAsync();
        var uuid = Guid.NewGuid();
        var project = kit.Home.Combine("proj");
        using (var registered = await kit.Hooks.PostAsJsonAsync("/api/agents", new { sessionUuid = uuid, projectPath = project, branch = "main", terminalPane = "%3", name = "worker" }).Bounded())
        {
            registered.StatusCode.ShouldBe(HttpStatusCode.Created);
        }

        // The header links the agent's own session id; later hooks without the header still find it.
        await PostAsync(kit, "SessionStart", new { session_id = "claude-1", cwd = project }, uuid.ToString());
        await PostAsync(kit, "UserPromptSubmit", new { session_id = "claude-1", cwd = "/somewhere/else", prompt = "go" });
        var agent = await kit.OnlyAgentAsync();
        agent.GetProperty("agentSessionId").GetString().ShouldBe("claude-1");
        agent.GetProperty("name").GetString().ShouldBe("worker");
        agent.GetProperty("terminalPane").GetString().ShouldBe("%3");
        agent.GetProperty("project").GetProperty("branch").GetString().ShouldBe("main");
        agent.GetProperty("state").GetString().ShouldBe("processing");

        // A new session in another directory is another agent; a hook with only a cwd finds the
        // active agent there.
        await PostAsync(kit, "SessionStart", new { session_id = "claude-2", cwd = kit.Home.Path });
        await PostAsync(kit, "Notification", new { cwd = kit.Home.Path, notification_type = "idle_prompt" });
        var page = await kit.GetJsonAsync("/api/agents");
        page.GetProperty("items").GetArrayLength().ShouldBe(2);

        using (var ended = await kit.Hooks.PostAsJsonAsync($"/api/agents/sessions/{uuid}/end", new { exitCode = 0 }).Bounded())
        {
            ended.StatusCode.ShouldBe(HttpStatusCode.NoContent);
        }

        var processing = await kit.GetJsonAsync("/api/agents?state=idle");
        processing.GetProperty("items").GetArrayLength().ShouldBe(2);
        (await kit.GetJsonAsync("/api/agents?state=processing")).GetProperty("items").GetArrayLength().ShouldBe(0);
    }

    [Fact]
    public async Task Agents_AreSeenOnlyByTheUserWhoseTokenPostedThem()
    {
        await using var kit = await AgentKit.StartAsync();
        await PostAsync(kit, "SessionStart", new { session_id = "mine", cwd = kit.Home.Path });
        var agent = await kit.OnlyAgentAsync();
        var (other, _) = await kit.Server.CreateUserClientAsync("bob");

        using var list = await other.GetAsync("/api/agents").Bounded();
        JsonDocument.Parse(await list.Content.ReadAsStringAsync()).RootElement.GetProperty("items").GetArrayLength().ShouldBe(0);
        using var one = await other.GetAsync($"/api/agents/{agent.GetProperty("id").GetString()}").Bounded();
        await one.ShouldBeProblemAsync(HttpStatusCode.NotFound, "agent_not_found");

        // A hooks token reaches the hooks and nothing else.
        using var refused = await kit.Hooks.GetAsync("/api/agents").Bounded();
        await refused.ShouldBeProblemAsync(HttpStatusCode.Forbidden, "insufficient_scope");
    }

    [Theory]
    [InlineData("Stop", "{not json", "hook_payload_invalid")]
    [InlineData("Stop", "[1, 2]", "hook_payload_invalid")]
    [InlineData("Stop", "{\"session_id\": \"unknown\"}", "hook_uncorrelated")]
    [InlineData("Bad-Name", "{\"session_id\": \"x\", \"cwd\": \"/tmp\"}", "hook_payload_invalid")]
    public async Task PostHook_BadInput_IsAProblem_AndChangesNothing(string eventName, string body, string code)
    {
        await using var kit = await AgentKit.StartAsync();

        using var response = await AgentKit.PostHookAsync(kit.Hooks, eventName, body);

        await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest, code);
        (await kit.GetJsonAsync("/api/agents")).GetProperty("items").GetArrayLength().ShouldBe(0);
    }

    [Fact]
    public async Task PostHook_WithoutToken_IsUnauthenticated()
    {
        await using var kit = await AgentKit.StartAsync();
        using var response = await AgentKit.PostHookAsync(kit.Server.AnonymousClient(), "Stop", "{}");
        await response.ShouldBeProblemAsync(HttpStatusCode.Unauthorized, "unauthenticated");
    }

    private static async Task PostAsync(AgentKit kit, string eventName, object payload, string? wrightSession = null)
    {
        var json = JsonSerializer.SerializeToNode(payload)!.AsObject();
        json["hook_event_name"] = eventName;
        using var response = await AgentKit.PostHookAsync(kit.Hooks, eventName, json.ToJsonString(), wrightSession);
        response.StatusCode.ShouldBe(HttpStatusCode.NoContent, await response.Content.ReadAsStringAsync());
    }
}
