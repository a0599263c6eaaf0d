using Microsoft.Extensions.Logging;

namespace Wright.Core.Engine;

/// <summary>Log messages of the agent loop, prompts and chat branches; event ids 7000–7099.</summary>
internal static partial class EngineLog
{
    [LoggerMessage(EventId = 7001, Level = LogLevel.Information, Message = "Agent run of message {MessageId} stopped after {Steps} steps: {Reason}")]
    public static partial void Stopped(ILogger logger, Guid messageId, int steps, string reason);

    [LoggerMessage(EventId = 7002, Level = LogLevel.Warning, Message = "Agent run of message {MessageId}: the answer's changes were rolled back ({Code})")]
    public static partial void ActionFailed(ILogger logger, Guid messageId, string code);

    [LoggerMessage(EventId = 7003, Level = LogLevel.Information, Message = "Session {SessionId} branched onto git branch {Branch} at {Commit}")]
    public static partial void Branched(ILogger logger, Guid sessionId, string branch, string commit);

    [LoggerMessage(EventId = 7004, Level = LogLevel.Information, Message = "Recovered an interrupted ActionRun in project {ProjectId}: {Outcome}")]
    public static partial void Recovered(ILogger logger, Guid projectId, string outcome);

    [LoggerMessage(EventId = 7005, Level = LogLevel.Warning, Message = "Start-up recovery of project {ProjectId} failed; it is retried before the project's next run")]
    public static partial void RecoveryFailed(ILogger logger, Exception exception, Guid projectId);

    [LoggerMessage(EventId = 7006, Level = LogLevel.Warning, Message = "Tool {Tool} of message {MessageId} failed unexpectedly")]
    public static partial void ToolCrashed(ILogger logger, Exception exception, string tool, Guid messageId);
}
