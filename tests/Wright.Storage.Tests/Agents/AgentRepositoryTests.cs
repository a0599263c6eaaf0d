using Wright.Core.Agents;
using Wright.Core.Paging;
using Wright.Storage.Agents;
using Wright.Storage.Tests.Infrastructure;

namespace Wright.Storage.Tests.Agents;

public sealed class SqliteAgentRepositoryTests : AgentRepositoryTests<SqliteProvider>;

public sealed class PostgresAgentRepositoryTests : AgentRepositoryTests<PostgresProvider>;

/// <summary>The agent monitor's repository, the same on every engine.</summary>
public abstract class AgentRepositoryTests<TProvider> : StorageTestBase<TProvider>
    where TProvider : IStorageProvider
{
    private static readonly DateTimeOffset Start = DateTimeOffset.FromUnixTimeMilliseconds(1_750_000_000_000);
    private static readonly Guid Owner = Guid.NewGuid();

    private AgentRepository Repository => new(Database);

    [StorageFact]
    public async Task Save_ThenRead_RoundTripsAgentTaskTurnsEventsAndSummary()
    {
        var (project, agent, task) = await SeedAsync();
        var turn = new AgentTurn(Guid.NewGuid(), agent.Id, task.Id, TurnActor.User, TurnIntent.Command, "fix it", null, Start);
        var answer = new AgentTurn(Guid.NewGuid(), agent.Id, task.Id, TurnActor.Agent, TurnIntent.Question, "which file?", null, Start);
        var changes = new AgentChanges { UpdatedAgent = agent with { CurrentTaskId = task.Id, AgentSessionId = "claude-1", LastSeenAt = Start.AddSeconds(2) } };
        changes.UpdatedTasks.Add(task with { State = AgentTaskState.AwaitingInput, WaitingOn = "permission:Bash" });
        changes.Turns.AddRange([turn, answer]);
        changes.Events.Add(new AgentEvent(Guid.NewGuid(), agent.Id, project.Id, task.Id, turn.Id, "UserPromptSubmit", "{\"prompt\":\"fix it\"}", Start));
        await Repository.SaveAsync(changes, CancellationToken.None).Bounded();

        var summary = await Repository.GetSummaryAsync(Owner, agent.Id, CancellationToken.None).Bounded();
        summary.ShouldNotBeNull();
        summary.Agent.AgentSessionId.ShouldBe("claude-1");
        summary.Project.ShouldBe(project);
        summary.CurrentTask!.State.ShouldBe(AgentTaskState.AwaitingInput);
        summary.CurrentTask.WaitingOn.ShouldBe("permission:Bash");
        summary.CurrentCommand!.Text.ShouldBe("fix it");
        summary.LastAgentTurn!.Text.ShouldBe("which file?");
        (await Repository.GetSummaryAsync(Guid.NewGuid(), agent.Id, CancellationToken.None).Bounded()).ShouldBeNull("another user does not see it");
        (await Repository.FindByAgentSessionIdAsync(Owner, "claude-1", CancellationToken.None).Bounded())!.Id.ShouldBe(agent.Id);
        (await Repository.FindBySessionUuidAsync(Owner, agent.SessionUuid!.Value, CancellationToken.None).Bounded())!.Id.ShouldBe(agent.Id);
        (await Repository.ListTurnsAsync(agent.Id, CancellationToken.None).Bounded()).ShouldBe([turn, answer]);
        (await Repository.ListEventsAsync(agent.Id, 10, CancellationToken.None).Bounded()).Single().Payload.ShouldBe("{\"prompt\":\"fix it\"}");
    }

    [StorageFact]
    public async Task List_FiltersByDerivedStateAndProject_AndPages()
    {
        var (_, busy, task) = await SeedAsync();
        var idle = busy with { Id = Guid.NewGuid(), SessionUuid = Guid.NewGuid(), StartedAt = Start.AddSeconds(1) };
        await Repository.SaveAsync(new AgentChanges { NewAgent = idle }, CancellationToken.None).Bounded();
        await Repository.SaveAsync(new AgentChanges { UpdatedAgent = busy with { CurrentTaskId = task.Id } }, CancellationToken.None).Bounded();

        var processing = await Repository.ListAsync(Owner, AgentTaskState.Processing, null, new PageRequest(10, null), CancellationToken.None).Bounded();
        processing.Items.Select(s => s.Agent.Id).ShouldBe([busy.Id]);
        var idleOnes = await Repository.ListAsync(Owner, AgentTaskState.Idle, busy.ProjectId, new PageRequest(10, null), CancellationToken.None).Bounded();
        idleOnes.Items.Select(s => s.Agent.Id).ShouldBe([idle.Id]);

        var first = await Repository.ListAsync(Owner, null, null, new PageRequest(1, null), CancellationToken.None).Bounded();
        first.Items.Single().Agent.Id.ShouldBe(idle.Id, "newest first");
        var second = await Repository.ListAsync(Owner, null, null, new PageRequest(1, first.NextCursor), CancellationToken.None).Bounded();
        second.Items.Single().Agent.Id.ShouldBe(busy.Id);
        second.NextCursor.ShouldBeNull();
        (await Repository.ListAsync(Guid.NewGuid(), null, null, new PageRequest(10, null), CancellationToken.None).Bounded()).Items.ShouldBeEmpty();
    }

    [StorageFact]
    public async Task SaveUsage_KeepsTheLargestUsageOfAKey_AndSumsExactly()
    {
        var (project, agent, task) = await SeedAsync();
        var small = new AgentUsage(agent.Id, "msg_1|req_1", task.Id, null, "claude-opus-4-6", 3, 9, 11442, 15005, 0.123456789012m, Start);
        var large = small with { OutputTokens = 400, Cost = 0.2m };

        (await Repository.SaveUsageAsync(small, CancellationToken.None).Bounded()).ShouldBeTrue();
        (await Repository.SaveUsageAsync(large, CancellationToken.None).Bounded()).ShouldBeTrue();
        (await Repository.SaveUsageAsync(small, CancellationToken.None).Bounded()).ShouldBeFalse("a smaller line of the same response changes nothing");
        (await Repository.SaveUsageAsync(small with { Key = "msg_2" }, CancellationToken.None).Bounded()).ShouldBeTrue();

        var summary = await Repository.GetSummaryAsync(Owner, agent.Id, CancellationToken.None).Bounded();
        summary!.Usage.OutputTokens.ShouldBe(409);
        summary.Usage.Cost.ShouldBe(0.323456789012m);
        (await Repository.ListUsageAsync(agent.Id, CancellationToken.None).Bounded()).Count.ShouldBe(2);
        var byProject = await Repository.UsageByAsync(Owner, UsageGrouping.Project, CancellationToken.None).Bounded();
        byProject.Single().Key.ShouldBe(project.Id.ToString());
        var byDay = await Repository.UsageByAsync(Owner, UsageGrouping.Day, CancellationToken.None).Bounded();
        byDay.Single().Key.ShouldBe(Start.UtcDateTime.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
        byDay.Single().Usage.Cost.ShouldBe(0.323456789012m);
    }

    [StorageFact]
    public async Task Summaries_CarryEachAgentsOwnUsage()
    {
        var (_, first, task) = await SeedAsync();
        var second = first with { Id = Guid.NewGuid(), SessionUuid = Guid.NewGuid(), StartedAt = Start.AddSeconds(1) };
        var unused = first with { Id = Guid.NewGuid(), SessionUuid = Guid.NewGuid(), StartedAt = Start.AddSeconds(2) };
        await Repository.SaveAsync(new AgentChanges { NewAgent = second }, CancellationToken.None).Bounded();
        await Repository.SaveAsync(new AgentChanges { NewAgent = unused }, CancellationToken.None).Bounded();
        await Repository.SaveUsageAsync(new AgentUsage(first.Id, "a1", task.Id, null, "m", 1, 10, 0, 0, 0.5m, Start), CancellationToken.None).Bounded();
        await Repository.SaveUsageAsync(new AgentUsage(first.Id, "a2", task.Id, null, "m", 2, 20, 0, 0, 0.25m, Start), CancellationToken.None).Bounded();
        await Repository.SaveUsageAsync(new AgentUsage(second.Id, "b1", null, null, "m", 4, 40, 0, 0, 1m, Start), CancellationToken.None).Bounded();

        var page = await Repository.ListAsync(Owner, null, null, new PageRequest(10, null), CancellationToken.None).Bounded();

        page.Items.Select(s => (s.Agent.Id, s.Usage.OutputTokens, s.Usage.Cost)).ShouldBe([(unused.Id, 0L, 0m), (second.Id, 40L, 1m), (first.Id, 30L, 0.75m)]);
        (await Repository.GetSummaryAsync(Owner, second.Id, CancellationToken.None).Bounded())!.Usage.InputTokens.ShouldBe(4);
    }

    [StorageFact]
    public async Task TranscriptOffset_IsStoredPerAgentAndFile()
    {
        var (_, agent, _) = await SeedAsync();
        (await Repository.GetTranscriptOffsetAsync(agent.Id, "/a.jsonl", CancellationToken.None).Bounded()).ShouldBe(0);
        await Repository.SetTranscriptOffsetAsync(agent.Id, "/a.jsonl", 123, CancellationToken.None).Bounded();
        await Repository.SetTranscriptOffsetAsync(agent.Id, "/a.jsonl", 456, CancellationToken.None).Bounded();
        (await Repository.GetTranscriptOffsetAsync(agent.Id, "/a.jsonl", CancellationToken.None).Bounded()).ShouldBe(456);
        (await Repository.GetTranscriptOffsetAsync(agent.Id, "/b.jsonl", CancellationToken.None).Bounded()).ShouldBe(0);
    }

    [StorageFact]
    public async Task ListSilentWithOpenTask_FindsOnlyAgentsWithAnOpenTaskSeenBeforeTheCutoff()
    {
        var (_, agent, task) = await SeedAsync();
        await Repository.SaveAsync(new AgentChanges { UpdatedAgent = agent with { CurrentTaskId = task.Id } }, CancellationToken.None).Bounded();

        (await Repository.ListSilentWithOpenTaskAsync(Start.AddMinutes(1), CancellationToken.None).Bounded()).Select(a => a.Id).ShouldBe([agent.Id]);
        (await Repository.ListSilentWithOpenTaskAsync(Start.AddMinutes(-1), CancellationToken.None).Bounded()).ShouldBeEmpty();
    }

    private async Task<(AgentProject Project, Agent Agent, AgentTask Task)> SeedAsync()
    {
        await MigrateAsync();
        var project = new AgentProject(Guid.NewGuid(), Owner, "/home/dev/demo", "demo", "git@example.com:demo.git", "main", null, Start);
        var agent = new Agent(Guid.NewGuid(), Owner, AgentKinds.ClaudeCode, "worker", project.Id, Guid.NewGuid(), null, "%1", null, null, Start, Start, null);
        var task = new AgentTask(Guid.NewGuid(), agent.Id, AgentTaskState.Processing, null, Start, Start, null, null);
        var changes = new AgentChanges { NewProject = project, NewAgent = agent };
        changes.NewTasks.Add(task);
        await Repository.SaveAsync(changes, CancellationToken.None).Bounded();
        (await Repository.FindProjectAsync(Owner, project.Path, CancellationToken.None).Bounded()).ShouldBe(project);
        return (project, agent, task);
    }
}
