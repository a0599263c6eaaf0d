using Microsoft.Extensions.Logging;

namespace Wright.Core.Events;

/// <summary>Log messages of the event bus and the watcher of external changes (event ids 5100–5199).</summary>
internal static partial class EventsLog
{
    [LoggerMessage(EventId = 5101, Level = LogLevel.Warning, Message = "Dropped a slow event subscriber (project {ProjectId}): its buffer of {Capacity} events was full at event {EventId}")]
    public static partial void SlowSubscriberDropped(ILogger logger, Guid? projectId, int capacity, long eventId);

    [LoggerMessage(EventId = 5110, Level = LogLevel.Debug, Message = "Watching project {ProjectId} at {Root}")]
    public static partial void WatchStarted(ILogger logger, Guid projectId, string root);

    [LoggerMessage(EventId = 5111, Level = LogLevel.Debug, Message = "Stopped watching project {ProjectId}")]
    public static partial void WatchStopped(ILogger logger, Guid projectId);

    [LoggerMessage(EventId = 5112, Level = LogLevel.Warning, Message = "Could not watch project {ProjectId} at {Root}; retrying in {Delay}")]
    public static partial void WatchFailed(ILogger logger, Exception exception, Guid projectId, string root, TimeSpan delay);

    [LoggerMessage(EventId = 5113, Level = LogLevel.Warning, Message = "The watcher of project {ProjectId} failed and is re-created; clients are told to resync")]
    public static partial void WatcherError(ILogger logger, Exception exception, Guid projectId);

    [LoggerMessage(EventId = 5114, Level = LogLevel.Warning, Message = "Not watching project {ProjectId}: {Limit} projects are already watched (Events:MaxWatchedProjects)")]
    public static partial void WatchLimitReached(ILogger logger, Guid projectId, int limit);

    [LoggerMessage(EventId = 5115, Level = LogLevel.Information, Message = "{Count} paths changed at once in project {ProjectId}; sent resync instead of one event per file")]
    public static partial void BurstTooLarge(ILogger logger, Guid projectId, int count);

    [LoggerMessage(EventId = 5116, Level = LogLevel.Warning, Message = "Could not report external changes in project {ProjectId}; clients are told to resync")]
    public static partial void BurstFailed(ILogger logger, Exception exception, Guid projectId);

    [LoggerMessage(EventId = 5117, Level = LogLevel.Debug, Message = "git check-ignore failed in {Root} (exit {ExitCode}): {Error}; treating no path as ignored")]
    public static partial void CheckIgnoreFailed(ILogger logger, string root, int exitCode, string error);
}
