using Microsoft.Extensions.Logging;

namespace Wright.Core.Actions;

/// <summary>Log messages of ActionRuns and undo; event ids 6000–6099.</summary>
internal static partial class ActionsLog
{
    [LoggerMessage(EventId = 6001, Level = LogLevel.Information, Message = "ActionRun {ActionId} committed {Sha} in {Root} ({Files} files)")]
    public static partial void Committed(ILogger logger, string actionId, string sha, string root, int files);

    [LoggerMessage(EventId = 6002, Level = LogLevel.Warning, Message = "ActionRun {ActionId} failed at action {Index} ({Code}) in {Root}; restoring the safety point")]
    public static partial void Failed(ILogger logger, string actionId, int index, string code, string root);

    [LoggerMessage(EventId = 6003, Level = LogLevel.Information, Message = "ActionRun {ActionId} committed the user's edits to {Files} files first as {Sha}")]
    public static partial void UserEditsCommitted(ILogger logger, string actionId, int files, string sha);

    [LoggerMessage(EventId = 6004, Level = LogLevel.Warning, Message = "Recovered interrupted ActionRun {ActionId} in {Root}: {Outcome}")]
    public static partial void Recovered(ILogger logger, string actionId, string root, string outcome);

    [LoggerMessage(EventId = 6005, Level = LogLevel.Warning, Message = "Removed git's index.lock left by dead process {ProcessId} in {Root}")]
    public static partial void StaleLockRemoved(ILogger logger, int processId, string root);

    [LoggerMessage(EventId = 6006, Level = LogLevel.Information, Message = "Undid AI commit {Sha} in {Root}; HEAD is now {Head}")]
    public static partial void Undone(ILogger logger, string sha, string root, string head);

    [LoggerMessage(EventId = 6007, Level = LogLevel.Error, Message = "ActionRun {ActionId} in {Root} could not roll back; its journal stays for recovery at the next start")]
    public static partial void RollbackFailed(ILogger logger, Exception exception, string actionId, string root);

    [LoggerMessage(EventId = 6008, Level = LogLevel.Information, Message = "Removed the temp file {Path} that a killed write left behind")]
    public static partial void StaleTempRemoved(ILogger logger, string path);
}
