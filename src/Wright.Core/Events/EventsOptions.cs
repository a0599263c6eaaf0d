using Microsoft.Extensions.Options;

namespace Wright.Core.Events;

/// <summary>Sizes and intervals of the event bus, the SSE feed and the watcher of external changes.</summary>
public sealed class EventsOptions
{
    /// <summary>How many recent events the bus keeps so a client resuming with <c>Last-Event-ID</c> misses nothing.</summary>
    public int ReplayCapacity { get; set; } = 10_000;

    /// <summary>Events buffered per subscriber; a subscriber whose buffer is full is dropped with a <c>resync</c> hint.</summary>
    public int SubscriberBufferCapacity { get; set; } = 1_024;

    /// <summary>How often an idle SSE stream sends a comment, so proxies and browsers keep the connection open.</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>The watcher reports a burst once the project has been quiet this long.</summary>
    public TimeSpan WatcherQuietPeriod { get; set; } = TimeSpan.FromMilliseconds(150);

    /// <summary>The watcher reports a burst that never goes quiet at most this long after its first change.</summary>
    public TimeSpan WatcherMaxDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// A project stays watched this long after its last subscriber leaves, so a reconnecting client
    /// resumes without a <c>resync</c>.
    /// </summary>
    public TimeSpan WatchLinger { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Most projects watched at once: each costs an inotify instance (Linux allows 128 per user by default).</summary>
    public int MaxWatchedProjects { get; set; } = 64;

    /// <summary>A burst touching more paths than this is reported as one <c>resync</c> instead of one event per file.</summary>
    public int MaxChangesPerBurst { get; set; } = 2_000;
}

/// <summary>Checks <see cref="EventsOptions"/> at start-up and names every bad setting.</summary>
internal sealed class EventsOptionsValidation : IValidateOptions<EventsOptions>
{
    public ValidateOptionsResult Validate(string? name, EventsOptions options)
    {
        var problems = new List<string>();
        if (options.ReplayCapacity < 1)
        {
            problems.Add($"Events:ReplayCapacity must be positive (got {options.ReplayCapacity}).");
        }

        if (options.SubscriberBufferCapacity < 1)
        {
            problems.Add($"Events:SubscriberBufferCapacity must be positive (got {options.SubscriberBufferCapacity}).");
        }

        if (options.HeartbeatInterval <= TimeSpan.Zero)
        {
            problems.Add($"Events:HeartbeatInterval must be positive (got {options.HeartbeatInterval}).");
        }

        if (options.WatcherQuietPeriod <= TimeSpan.Zero || options.WatcherMaxDelay < options.WatcherQuietPeriod)
        {
            problems.Add("Events:WatcherQuietPeriod must be positive and no longer than Events:WatcherMaxDelay.");
        }

        if (options.WatchLinger < TimeSpan.Zero)
        {
            problems.Add($"Events:WatchLinger must not be negative (got {options.WatchLinger}).");
        }

        if (options.MaxWatchedProjects < 1)
        {
            problems.Add($"Events:MaxWatchedProjects must be positive (got {options.MaxWatchedProjects}).");
        }

        if (options.MaxChangesPerBurst < 1)
        {
            problems.Add($"Events:MaxChangesPerBurst must be positive (got {options.MaxChangesPerBurst}).");
        }

        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
