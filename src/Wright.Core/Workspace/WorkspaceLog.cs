using Microsoft.Extensions.Logging;

namespace Wright.Core.Workspace;

/// <summary>Log messages of project files; event ids 4000–4099.</summary>
internal static partial class WorkspaceLog
{

    [LoggerMessage(EventId = 4002, Level = LogLevel.Information, Message = "Removed a temp file left by an interrupted write: {Path}")]
    public static partial void StaleTempRemoved(ILogger logger, string path);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Warning, Message = "git check-ignore failed in {ProjectRoot} (exit {ExitCode}): {Error}; listing without ignore rules")]
    public static partial void CheckIgnoreFailed(ILogger logger, string projectRoot, int exitCode, string error);
}
