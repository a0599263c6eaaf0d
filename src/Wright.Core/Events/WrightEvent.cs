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

/// <summary>Payload of <c>file.changed</c> and <c>file.deleted</c>: the project-relative path, its new ETag (null when deleted), and who changed it (<c>api</c> or <c>external</c>).</summary>
public sealed record FileEventData(string Path, string? ETag, string Source);
