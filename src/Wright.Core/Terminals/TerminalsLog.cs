using Microsoft.Extensions.Logging;

namespace Wright.Core.Terminals;

internal static partial class TerminalsLog
{
    [LoggerMessage(EventId = 9101, Level = LogLevel.Information, Message = "Opened terminal {TerminalId} in project {ProjectId} ({Host})")]
    public static partial void Opened(ILogger logger, Guid terminalId, Guid projectId, string host);

    [LoggerMessage(EventId = 9102, Level = LogLevel.Information, Message = "Terminal {TerminalId} ended with exit code {ExitCode}")]
    public static partial void Exited(ILogger logger, Guid terminalId, int? exitCode);

    [LoggerMessage(EventId = 9103, Level = LogLevel.Information, Message = "Killed terminal {TerminalId}")]
    public static partial void Killed(ILogger logger, Guid terminalId);

    [LoggerMessage(EventId = 9104, Level = LogLevel.Warning, Message = "Could not record the end of terminal {TerminalId}")]
    public static partial void ExitNotRecorded(ILogger logger, Guid terminalId, Exception exception);
}
