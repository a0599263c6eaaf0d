using Microsoft.Extensions.Logging;

namespace Wright.Core.Agents;

/// <summary>Log messages of the agent monitor (event ids 91xx).</summary>
internal static partial class AgentsLog
{
    [LoggerMessage(EventId = 9301, Level = LogLevel.Debug, Message = "Hook {EventName} for agent {AgentId}: task {Before} -> {After}")]
    public static partial void HookIngested(ILogger logger, string eventName, Guid agentId, string before, string after);

    [LoggerMessage(EventId = 9302, Level = LogLevel.Warning, Message = "Agent {AgentId}: transcript refused, it is not under an allowed root (Agents:TranscriptRoots)")]
    public static partial void TranscriptRefused(ILogger logger, Guid agentId);

    [LoggerMessage(EventId = 9303, Level = LogLevel.Warning, Message = "Agent {AgentId}: reading its transcript failed")]
    public static partial void TranscriptFailed(ILogger logger, Exception exception, Guid agentId);

    [LoggerMessage(EventId = 9304, Level = LogLevel.Debug, Message = "Agent {AgentId}: {Count} responses' usage read from its transcript")]
    public static partial void TranscriptRead(ILogger logger, Guid agentId, int count);
}
