using Wright.Core.Git;

namespace Wright.Core.Actions;

/// <summary>How a project lets actions run commands.</summary>
public enum CommandApprovalPolicy
{
    /// <summary>Commands run without asking.</summary>
    Auto,

    /// <summary>Each command waits for <see cref="ActionRunRequest.ApproveCommand"/>.</summary>
    Ask,

    /// <summary>No command runs.</summary>
    Deny,
}

/// <summary>What an ActionRun is asked to do, and the provenance its commit records.</summary>
/// <param name="ProjectId">Recorded as the <c>Wright-Project</c> trailer; undo only touches commits of its own project.</param>
/// <param name="Summary">The commit subject after the action id; defaults to the prompt's first line.</param>
public sealed record ActionRunRequest(
    Guid ProjectId,
    string ProjectRoot,
    string Prompt,
    IReadOnlyList<WrightAction> Actions,
    string Model,
    double? Temperature = null,
    string? SessionId = null,
    string? MessageId = null,
    string? Summary = null)
{
    /// <summary>The project's command policy; <see cref="CommandApprovalPolicy.Ask"/> calls <see cref="ApproveCommand"/>.</summary>
    public CommandApprovalPolicy CommandPolicy { get; init; } = CommandApprovalPolicy.Ask;

    /// <summary>The user's decision on a command under the <c>ask</c> policy; without one, asking means no.</summary>
    public Func<CommandAction, CancellationToken, Task<bool>>? ApproveCommand { get; init; }

    /// <summary>Told of each step as it happens (streamed to clients; tests use it to stop a run mid-way).</summary>
    public Func<ActionRunProgress, CancellationToken, Task>? Progress { get; init; }

    /// <summary>Told of each piece of a command's output as it is printed (streamed to clients).</summary>
    public Action<string>? CommandOutput { get; init; }
}

/// <summary>Where a run is.</summary>
public enum ActionRunStage
{
    Validated,
    UserEditsCommitted,
    SafetyPointCreated,
    FileWritten,
    CommandFinished,
    Committing,
    Committed,
    RolledBack,
}

/// <summary>A step of a run: the stage, and the file or command it concerns.</summary>
public sealed record ActionRunProgress(string ActionId, ActionRunStage Stage, string? Subject);

/// <summary>The file a run changed and how.</summary>
public sealed record ActionFileChange(string Path, FileChangeKind Kind);

/// <summary>What a command printed and how it ended; output past the cap is cut and <see cref="Truncated"/> says so.</summary>
public sealed record CommandResult(string Command, int? ExitCode, bool TimedOut, string Output, bool Truncated, TimeSpan Duration);

/// <summary>Which action of a run failed, why, with the error's stable code.</summary>
/// <param name="ActionIndex">0-based index in <see cref="ActionRunRequest.Actions"/>; -1 when the run itself failed (git, recovery).</param>
public sealed record ActionFailure(int ActionIndex, string ActionType, string Code, string Detail);

/// <summary>
/// How a run ended. On success <see cref="Commit"/> is its one commit (null when the actions
/// changed no file); on failure the workspace is back at the safety point and
/// <see cref="Failure"/> says which action failed and why. <see cref="UserCommit"/> is the commit
/// of the user's own uncommitted edits made before the run, when there were any on files it touched.
/// </summary>
public sealed record ActionRunResult(
    string ActionId,
    bool Succeeded,
    GitCommit? Commit,
    GitCommit? UserCommit,
    IReadOnlyList<ActionFileChange> Changes,
    IReadOnlyList<CommandResult> Commands,
    ActionFailure? Failure);
