using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Wright.Core.Git;
using Wright.Core.Hosting;
using Wright.Core.Projects;

namespace Wright.Core.Events;

/// <summary>
/// Watches the directories of the projects someone subscribes to, for changes made outside Wright.
/// </summary>
/// <remarks>
/// Watching is lazy, per project, while it has subscribers (plus a linger period after the last
/// one leaves, so a reconnecting client resumes without loss). Watching every project from start-up
/// would cost one inotify instance per project (Linux allows 128 per user by default, shared with
/// editors) and one kernel watch per directory, ignored ones included (a 5,000-directory repository
/// costs 5,000 of the default 8,192 on older kernels), for projects nobody is looking at. The price
/// is that changes made while a project was not watched are unknown: a client resuming from before
/// the watch started gets a <c>resync</c> (see <see cref="ProjectWatchLease.WatchingSince"/>).
/// </remarks>
internal sealed class ProjectWatcher : IDisposable
{
    private readonly Lock _lock = new();
    private readonly Dictionary<Guid, ProjectDirectoryWatch> _watches = [];
    private readonly IEventBus _bus;
    private readonly GitRunner _git;
    private readonly EventsOptions _options;
    private readonly long _maxFileBytes;
    private readonly TimeProvider _time;
    private readonly ILogger<ProjectWatcher> _logger;
    private bool _disposed;

    public ProjectWatcher(IEventBus bus, GitRunner git, WrightOptions wright, IOptions<EventsOptions> options, TimeProvider time, ILogger<ProjectWatcher> logger)
    {
        _bus = bus;
        _git = git;
        _options = options.Value;
        _maxFileBytes = wright.MaxFileBytes;
        _time = time;
        _logger = logger;
    }

    /// <summary>
    /// Watches <paramref name="project"/>'s directory until the lease is disposed (and the linger
    /// period has passed). The watch is live when this returns. Archived projects are not watched.
    /// </summary>
    public ProjectWatchLease Watch(Project project)
    {
        ArgumentNullException.ThrowIfNull(project);
        if (project.IsArchived)
        {
            return ProjectWatchLease.None;
        }

        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (!_watches.TryGetValue(project.Id, out var watch))
            {
                if (_watches.Count >= _options.MaxWatchedProjects)
                {
                    EventsLog.WatchLimitReached(_logger, project.Id, _options.MaxWatchedProjects);
                    return ProjectWatchLease.None;
                }

                watch = new ProjectDirectoryWatch(project.Id, project.RootPath, _bus, _git, _options, _maxFileBytes, _time, _logger);
                watch.Start();
                watch.WatchingSince = _bus.ReservePosition();
                _watches.Add(project.Id, watch);
            }

            watch.Leases++;
            watch.Linger?.Dispose();
            watch.Linger = null;
            return new ProjectWatchLease(this, watch);
        }
    }

    public void Dispose()
    {
        List<ProjectDirectoryWatch> watches;
        lock (_lock)
        {
            _disposed = true;
            watches = [.. _watches.Values];
            _watches.Clear();
        }

        foreach (var watch in watches)
        {
            watch.Linger?.Dispose();
            watch.Dispose();
        }
    }

    internal void Release(ProjectDirectoryWatch watch)
    {
        lock (_lock)
        {
            if (--watch.Leases > 0 || _disposed)
            {
                return;
            }

            if (_options.WatchLinger > TimeSpan.Zero)
            {
                watch.Linger = _time.CreateTimer(_ => Expire(watch), null, _options.WatchLinger, Timeout.InfiniteTimeSpan);
                return;
            }
        }

        Expire(watch);
    }

    private void Expire(ProjectDirectoryWatch watch)
    {
        lock (_lock)
        {
            if (watch.Leases > 0 || !_watches.TryGetValue(watch.ProjectId, out var current) || current != watch)
            {
                return;
            }

            _watches.Remove(watch.ProjectId);
            watch.Linger?.Dispose();
            watch.Linger = null;
        }

        watch.Dispose();
    }
}

/// <summary>One subscriber's hold on a project watch; disposing it lets the watch linger and stop.</summary>
internal sealed class ProjectWatchLease : IDisposable
{
    public static readonly ProjectWatchLease None = new(null, null);

    private readonly ProjectWatcher? _owner;
    private readonly ProjectDirectoryWatch? _watch;
    private int _released;

    internal ProjectWatchLease(ProjectWatcher? owner, ProjectDirectoryWatch? watch)
    {
        _owner = owner;
        _watch = watch;
    }

    /// <summary>
    /// The bus position from which this project's external changes are all reported (0 when it is
    /// not watched). A client resuming from an earlier <c>Last-Event-ID</c> may have missed some.
    /// </summary>
    public long WatchingSince => _watch?.WatchingSince ?? 0;

    public void Dispose()
    {
        if (_watch is not null && Interlocked.Exchange(ref _released, 1) == 0)
        {
            _owner!.Release(_watch);
        }
    }
}
