using Wright.Core.Agents;

namespace Wright.Core.Tests.Agents;

/// <summary>The seed's task state machine, every pair of (open task state, signal) in one table.</summary>
public sealed class TaskStateMachineTests
{
    /// <summary>open state ("-" none), signal, close reason, starts a task, path, turn ("-" none).</summary>
    public static TheoryData<string, HookSignal, string?, bool, string, string> Table() => new()
    {
        { "-", HookSignal.Prompt, null, true, "Commanded,Processing", "User:Command" },
        { "-", HookSignal.Question, null, false, "", "-" },
        { "-", HookSignal.Resume, null, false, "", "-" },
        { "-", HookSignal.Progress, null, false, "", "-" },
        { "-", HookSignal.Stop, null, false, "", "-" },
        { "-", HookSignal.StopFailure, null, false, "", "-" },
        { "-", HookSignal.SessionEnd, null, false, "", "-" },
        { "-", HookSignal.Activity, null, false, "", "-" },
        { "Commanded", HookSignal.Prompt, TaskEndReasons.Interrupted, true, "Commanded,Processing", "User:Command" },
        { "Commanded", HookSignal.Question, null, false, "AwaitingInput", "Agent:Question" },
        { "Commanded", HookSignal.Resume, null, false, "Processing", "-" },
        { "Commanded", HookSignal.Progress, null, false, "Processing", "Agent:Progress" },
        { "Commanded", HookSignal.Activity, null, false, "Processing", "-" },
        { "Commanded", HookSignal.Stop, TaskEndReasons.Stop, false, "Complete", "Agent:Completion" },
        { "Commanded", HookSignal.StopFailure, TaskEndReasons.Failure, false, "Complete", "Agent:Completion" },
        { "Commanded", HookSignal.SessionEnd, TaskEndReasons.SessionEnd, false, "Complete", "-" },
        { "Processing", HookSignal.Prompt, TaskEndReasons.Interrupted, true, "Commanded,Processing", "User:Command" },
        { "Processing", HookSignal.Question, null, false, "AwaitingInput", "Agent:Question" },
        { "Processing", HookSignal.Resume, null, false, "", "-" },
        { "Processing", HookSignal.Progress, null, false, "", "Agent:Progress" },
        { "Processing", HookSignal.Activity, null, false, "", "-" },
        { "Processing", HookSignal.Stop, TaskEndReasons.Stop, false, "Complete", "Agent:Completion" },
        { "Processing", HookSignal.StopFailure, TaskEndReasons.Failure, false, "Complete", "Agent:Completion" },
        { "Processing", HookSignal.SessionEnd, TaskEndReasons.SessionEnd, false, "Complete", "-" },
        { "AwaitingInput", HookSignal.Prompt, null, false, "Commanded,Processing", "User:Answer" },
        { "AwaitingInput", HookSignal.Question, null, false, "", "Agent:Question" },
        { "AwaitingInput", HookSignal.Resume, null, false, "Processing", "-" },
        { "AwaitingInput", HookSignal.Progress, null, false, "", "Agent:Progress" },
        { "AwaitingInput", HookSignal.Activity, null, false, "", "-" },
        { "AwaitingInput", HookSignal.Stop, TaskEndReasons.Stop, false, "Complete", "Agent:Completion" },
        { "AwaitingInput", HookSignal.StopFailure, TaskEndReasons.Failure, false, "Complete", "Agent:Completion" },
        { "AwaitingInput", HookSignal.SessionEnd, TaskEndReasons.SessionEnd, false, "Complete", "-" },
    };

    [Theory]
    [MemberData(nameof(Table))]
    public void Next_FollowsTheTable(string open, HookSignal signal, string? closeReason, bool startsTask, string path, string turn)
    {
        AgentTaskState? state = open == "-" ? null : Enum.Parse<AgentTaskState>(open);

        var step = TaskStateMachine.Next(state, signal);

        step.CloseReason.ShouldBe(closeReason);
        step.StartsTask.ShouldBe(startsTask);
        string.Join(",", step.Path).ShouldBe(path);
        (step.RecordsTurn ? $"{step.TurnActor}:{step.TurnIntent}" : "-").ShouldBe(turn);
    }

    [Fact]
    public void Table_CoversEveryOpenStateAndSignal()
    {
        var covered = Table().Select(row => ((string)row[0], (HookSignal)row[1])).ToHashSet();
        foreach (var open in new[] { "-", "Commanded", "Processing", "AwaitingInput" })
        {
            foreach (var signal in Enum.GetValues<HookSignal>())
            {
                covered.ShouldContain((open, signal));
            }
        }
    }
}
