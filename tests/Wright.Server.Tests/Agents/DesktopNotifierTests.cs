using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Wright.Core.Agents;
using Wright.Core.Events;
using Wright.Server.Agents;
using Wright.Server.Tests.Infrastructure;

namespace Wright.Server.Tests.Agents;

/// <summary>notify-send on the server's desktop: run with what the agent waits on, rate-limited, and skipped cleanly when absent.</summary>
public sealed class DesktopNotifierTests
{
    [Fact]
    public async Task WithoutNotifySend_TheNotifierStopsAtOnce_AndTheBoardStillPublishes()
    {
        using var empty = new TempDirectory("wright-no-notify");
        var notifySend = NotifySend.FromPath(empty.Path + Path.PathSeparator + "relative/bin");
        notifySend.Executable.ShouldBeNull();

        var board = NewBoard();
        using var notifier = new DesktopNotifier(board, notifySend, Options.Create(new AgentsOptions()), TimeProvider.System, NullLogger<DesktopNotifier>.Instance);
        notifier.Enabled.ShouldBeFalse();
        await notifier.StartAsync(CancellationToken.None).Bounded();
        await notifier.ExecuteTask!.Bounded();
        notifier.ExecuteTask!.IsCompletedSuccessfully.ShouldBeTrue();

        using var watcher = board.SubscribeAll();
        board.Publish(AgentEventTypes.State, Change(AgentTaskState.Processing, AgentTaskState.AwaitingInput));
        watcher.TryRead(out var evt).ShouldBeTrue();
        evt!.Type.ShouldBe(AgentEventTypes.State);
    }

    [Fact]
    public async Task WithNotifySend_NeedsInputIsSentWithWhatItWaitsOn_OncePerInterval()
    {
        using var bin = new TempDirectory("wright-notify");
        var log = bin.Combine("calls.txt");
        var script = bin.Combine("notify-send");
        await File.WriteAllTextAsync(script, $"#!/bin/sh\nprintf '%s|' \"$@\" >> '{log}'\necho >> '{log}'\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        var notifySend = NotifySend.FromPath(bin.Path);
        notifySend.Executable.ShouldBe(script);

        var clock = new ManualTimeProvider();
        using var notifier = new DesktopNotifier(NewBoard(), notifySend, Options.Create(new AgentsOptions()), clock, NullLogger<DesktopNotifier>.Instance);
        var change = Change(AgentTaskState.Processing, AgentTaskState.AwaitingInput);
        var message = DesktopNotifier.Message(AgentEventTypes.State, change);
        message.ShouldNotBeNull();

        await notifier.NotifyAsync(change.Summary.Agent.Id, message.Value, CancellationToken.None).Bounded();
        await notifier.NotifyAsync(change.Summary.Agent.Id, message.Value, CancellationToken.None).Bounded();
        clock.Advance(DesktopNotifier.Interval);
        await notifier.NotifyAsync(change.Summary.Agent.Id, message.Value, CancellationToken.None).Bounded();

        var calls = await File.ReadAllLinesAsync(log);
        calls.Length.ShouldBe(2, "the second call inside the interval is dropped");
        calls[0].ShouldBe("--app-name=Wright|--urgency=critical|--|Claude Code needs input|shop: waiting on permission:Bash|");
    }

    [Fact]
    public void Message_ForACompletionTurn_SaysFinishedWithWhatTheAgentSaid_AndOtherMovesSayNothing()
    {
        var done = Change(null, null) with { Turn = new AgentTurn(Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), TurnActor.Agent, TurnIntent.Completion, "All   tests\npass.", null, DateTimeOffset.UtcNow) };
        DesktopNotifier.Message(AgentEventTypes.Turn, done).ShouldBe((false, "Claude Code finished", "shop: All tests pass."));
        DesktopNotifier.Message(AgentEventTypes.State, Change(AgentTaskState.Idle, AgentTaskState.Processing)).ShouldBeNull();
        DesktopNotifier.Message(AgentEventTypes.State, Change(AgentTaskState.AwaitingInput, AgentTaskState.AwaitingInput)).ShouldBeNull();
    }

    private static AgentBoard NewBoard() => new(Options.Create(new EventsOptions()), TimeProvider.System, NullLoggerFactory.Instance);

    private static AgentBoardEvent Change(AgentTaskState? from, AgentTaskState? to)
    {
        var now = DateTimeOffset.UtcNow;
        var owner = Guid.NewGuid();
        var project = new AgentProject(Guid.NewGuid(), owner, "/work/shop", "shop", null, "main", null, now);
        var task = new AgentTask(Guid.NewGuid(), Guid.NewGuid(), to ?? AgentTaskState.Processing, "permission:Bash", now, now, null, null);
        var agent = new Agent(task.AgentId, owner, AgentKinds.ClaudeCode, null, project.Id, null, "s", null, task.Id, null, now, now, null);
        return new AgentBoardEvent(new AgentSummary(agent, project, task, null, null, UsageTotals.Zero), from, to, null);
    }
}
