namespace Wright.Core.Events;

/// <summary>One event on the bus: a server-wide increasing id (the SSE id), a type, the project it concerns and its payload.</summary>
public sealed record WrightEvent(long Id, string Type, Guid? ProjectId, DateTimeOffset At, object Data);

/// <summary>The event types clients may subscribe to; never rename one.</summary>
public static class EventTypes
{
    public const string FileChanged = "file.changed";
    public const string FileDeleted = "file.deleted";
    public const string Resync = "resync";
}

/// <summary>
/// Payload of <c>file.changed</c> and <c>file.deleted</c>: the project-relative path (with <c>/</c>),
/// its new ETag (lowercase hex SHA-256 of the content; null when deleted or too large to hash), and
/// who changed it: <c>api</c> (a files API request), <c>ai</c> (an ActionRun applying an answer;
/// <see cref="ActionRunId"/> names it) or <c>external</c> (anything else the watcher saw). A
/// <c>file.deleted</c> path may name a directory: the path and everything beneath it are gone.
/// </summary>
public sealed record FileEventData(string Path, string? ETag, string Source, string? ActionRunId = null);

/// <summary>Who made a file change; never rename one.</summary>
public static class FileEventSources
{
    public const string Api = "api";
    public const string Ai = "ai";
    public const string External = "external";
}

/// <summary>Payload of <c>resync</c>: the client's view may have missed events and must reload its state.</summary>
public sealed record ResyncData(string Reason);

/// <summary>Why a <c>resync</c> was sent; never rename one.</summary>
public static class ResyncReasons
{
    /// <summary>The events after the client's <c>Last-Event-ID</c> are no longer in the replay buffer (or the id is from another server run).</summary>
    public const string Gap = "gap";

    /// <summary>The client read too slowly, its buffer filled and the server dropped it.</summary>
    public const string SlowConsumer = "slow_consumer";

    /// <summary>The project was not watched for part of the time since the client's <c>Last-Event-ID</c>.</summary>
    public const string WatchGap = "watch_gap";

    /// <summary>The watcher of a project failed (kernel queue overflow, watch limit) and was re-created.</summary>
    public const string WatcherRestarted = "watcher_restarted";

    /// <summary>More files changed at once than the watcher reports one by one (a large checkout).</summary>
    public const string TooManyChanges = "too_many_changes";
}
