using System.Diagnostics.CodeAnalysis;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Wright.Core.Errors;
using Wright.Core.Git;

using Wright.Core.Workspace;

namespace Wright.Core.Events;

/// <summary>
/// Watches one project's directory for changes made outside Wright and publishes them as
/// <c>file.changed</c> / <c>file.deleted</c> with source <c>external</c>: bursts are coalesced
/// (reported once the project is quiet, or after a bounded delay), <c>.git</c> internals and paths
/// git ignores are skipped, and a change the API already published is not reported twice.
/// </summary>
/// <remarks>
/// One recursive <see cref="FileSystemWatcher"/> per project: on Linux that is one inotify instance
/// and one watch per directory (ignored ones included, the kernel cannot be told otherwise), which
/// is why projects are only watched while someone subscribes to them. When the watcher fails (the
/// kernel queue overflowed, or the per-user watch limit was reached) it is re-created and a
/// <c>resync</c> tells clients to reload, since some changes were lost.
/// </remarks>
internal sealed class ProjectDirectoryWatch : IDisposable
{
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(30);

    private readonly string _root;
    private readonly IEventBus _bus;
    private readonly EventsOptions _options;
    private readonly long _maxFileBytes;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly GitIgnoreRules _ignore;
    private readonly Lock _lock = new();
    private readonly CancellationTokenSource _stop = new();

    // Coalesces wake-ups: a full channel already holds one, which is all the loop needs to know.
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1)
    {
        FullMode = BoundedChannelFullMode.DropWrite,
        SingleReader = true,
    });

    /// <summary>Pending paths of the current burst; true when the path was created (or renamed in) during it.</summary>
    private Dictionary<string, bool> _pending = new(StringComparer.Ordinal);
    private int _overflowCount;
    private bool _rulesChanged;
    private bool _restartRequested;
    private long _changeCount;
    private FileSystemWatcher? _watcher;
    private bool _counted;

    public ProjectDirectoryWatch(Guid projectId, string root, IEventBus bus, GitRunner git, EventsOptions options, long maxFileBytes, TimeProvider time, ILogger logger)
    {
        ProjectId = projectId;
        _root = Path.TrimEndingDirectorySeparator(root);
        _bus = bus;
        _options = options;
        _maxFileBytes = maxFileBytes;
        _time = time;
        _logger = logger;
        _ignore = new GitIgnoreRules(_root, git, logger);
    }

    public Guid ProjectId { get; }

    /// <summary>The bus position reserved once the watch was live: a client that has seen an event after it missed no external change.</summary>
    public long WatchingSince { get; set; }

    /// <summary>Subscribers holding this watch (guarded by the <see cref="ProjectWatcher"/>'s lock).</summary>
    public int Leases { get; set; }

    /// <summary>The timer that stops the watch after its last subscriber left (guarded by the <see cref="ProjectWatcher"/>'s lock).</summary>
    public ITimer? Linger { get; set; }

    /// <summary>Starts watching now, so that changes from this moment on are seen; a failure is retried in the background.</summary>
    public void Start()
    {
        _ = TryCreateWatcher(out var error);
        _ = RunAsync(_stop.Token);
        if (error is null)
        {
            EventsLog.WatchStarted(_logger, ProjectId, _root);
            return;
        }

        // Not watching yet (inotify limit, directory missing): the loop retries with back-off and
        // sends a resync once the watch is up.
        EventsLog.WatchFailed(_logger, error, ProjectId, _root, TimeSpan.Zero);
        OnRestartNeeded();
    }

    public void Dispose()
    {
        // The CancellationTokenSource is left to the GC: the loop may still be observing it, and it
        // owns no timer or handle.
        _stop.Cancel();
        lock (_lock)
        {
            _watcher?.Dispose();
            _watcher = null;
            CountWatch(false);
        }

        EventsLog.WatchStopped(_logger, ProjectId);
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        var failures = 0;
        try
        {
            while (await _wake.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                _wake.Reader.TryRead(out _);
                if (TakeRestartRequest())
                {
                    if (!TryCreateWatcher(out var error))
                    {
                        failures++;
                        var delay = TimeSpan.FromSeconds(Math.Min(Math.Pow(2, failures), MaxRetryDelay.TotalSeconds));
                        EventsLog.WatchFailed(_logger, error, ProjectId, _root, delay);
                        await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
                        OnRestartNeeded();
                        continue;
                    }

                    failures = 0;
                    _bus.Publish(EventTypes.Resync, ProjectId, new ResyncData(ResyncReasons.WatcherRestarted));
                }

                await WaitForQuietAsync(cancellationToken).ConfigureAwait(false);
                await ReportBurstAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The watch was stopped: nothing is left to report to.
        }
    }

    private bool TakeRestartRequest()
    {
        lock (_lock)
        {
            var requested = _restartRequested;
            _restartRequested = false;
            return requested;
        }
    }

    /// <summary>Waits until no change arrived for the quiet period, or the burst has waited its maximum delay.</summary>
    private async Task WaitForQuietAsync(CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        while (true)
        {
            var seen = Interlocked.Read(ref _changeCount);
            await Task.Delay(_options.WatcherQuietPeriod, _time, cancellationToken).ConfigureAwait(false);
            if (Interlocked.Read(ref _changeCount) == seen || _time.GetElapsedTime(started) >= _options.WatcherMaxDelay)
            {
                return;
            }
        }
    }

    private async Task ReportBurstAsync(CancellationToken cancellationToken)
    {
        Dictionary<string, bool> burst;
        int overflow;
        bool rulesChanged;
        lock (_lock)
        {
            burst = _pending;
            _pending = new Dictionary<string, bool>(StringComparer.Ordinal);
            overflow = _overflowCount;
            _overflowCount = 0;
            rulesChanged = _rulesChanged;
            _rulesChanged = false;
        }

        if (rulesChanged || burst.Keys.Any(IsIgnoreFile))
        {
            _ignore.Invalidate();
        }

        if (overflow > 0)
        {
            EventsLog.BurstTooLarge(_logger, ProjectId, overflow);
            _bus.Publish(EventTypes.Resync, ProjectId, new ResyncData(ResyncReasons.TooManyChanges));
            return;
        }

        if (burst.Count == 0)
        {
            return;
        }

        try
        {
            await ReportAsync(burst, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or WrightException)
        {
            // Some changes of this burst may be unreported: the resync makes clients reload.
            EventsLog.BurstFailed(_logger, ex, ProjectId);
            _bus.Publish(EventTypes.Resync, ProjectId, new ResyncData(ResyncReasons.WatcherRestarted));
        }
    }

    private async Task ReportAsync(Dictionary<string, bool> burst, CancellationToken cancellationToken)
    {
        var files = new List<string>();
        var gone = new List<string>();
        var newDirectories = new List<string>();
        foreach (var (path, appeared) in burst)
        {
            var full = FullPath(path);
            if (File.Exists(full))
            {
                files.Add(path);
            }
            else if (Directory.Exists(full))
            {
                // A directory that merely changed reports its entries through their own events;
                // a new one is scanned, since the kernel starts watching it only after it exists
                // and files written into it at once would be missed.
                if (appeared)
                {
                    newDirectories.Add(path);
                }
            }
            else if (!appeared)
            {
                // Created and removed within one burst (a temp file renamed over its target):
                // no client ever saw it, so there is nothing to delete.
                gone.Add(path);
            }
        }

        if (newDirectories.Count > 0)
        {
            var ignoredDirectories = await _ignore.IgnoredAsync([.. newDirectories.Select(d => d + "/")], cancellationToken).ConfigureAwait(false);
            foreach (var directory in newDirectories.Where(d => !ignoredDirectories.Contains(d + "/")))
            {
                files.AddRange(FilesUnder(directory));
                if (files.Count > _options.MaxChangesPerBurst)
                {
                    EventsLog.BurstTooLarge(_logger, ProjectId, files.Count);
                    _bus.Publish(EventTypes.Resync, ProjectId, new ResyncData(ResyncReasons.TooManyChanges));
                    return;
                }
            }
        }

        var questions = files.Concat(gone).Concat(gone.Select(g => g + "/")).ToList();
        var ignored = await _ignore.IgnoredAsync(questions, cancellationToken).ConfigureAwait(false);
        foreach (var path in files.Distinct(StringComparer.Ordinal).Where(p => !ignored.Contains(p)))
        {
            string? etag;
            try
            {
                etag = await ETagOfAsync(path, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
            {
                // Deleted since it was looked at; its Deleted notification starts the next burst.
                continue;
            }

            _bus.PublishFileEventIfChanged(EventTypes.FileChanged, ProjectId, new FileEventData(path, etag, FileEventSources.External));
        }

        foreach (var path in gone.Where(p => !ignored.Contains(p) && !ignored.Contains(p + "/")))
        {
            _bus.PublishFileEventIfChanged(EventTypes.FileDeleted, ProjectId, new FileEventData(path, null, FileEventSources.External));
        }
    }

    private async Task<string?> ETagOfAsync(string path, CancellationToken cancellationToken)
    {
        var full = FullPath(path);

        // A symbolic link may point outside the project: never read through it.
        if (new FileInfo(full).LinkTarget is not null)
        {
            return null;
        }

        return await FileETag.OfFileAsync(full, _maxFileBytes, cancellationToken).ConfigureAwait(false);
    }

    private IEnumerable<string> FilesUnder(string directory)
    {
        var options = new EnumerationOptions
        {
            RecurseSubdirectories = true,
            IgnoreInaccessible = true,
            AttributesToSkip = FileAttributes.ReparsePoint,
        };
        return Directory.EnumerateFiles(FullPath(directory), "*", options)
            .Select(RelativePath)
            .OfType<string>()
            .Where(p => !IsGitInternal(p))
            .Take(_options.MaxChangesPerBurst + 1);
    }

    private bool TryCreateWatcher([NotNullWhen(false)] out Exception? error)
    {
        FileSystemWatcher? watcher = null;
        try
        {
            watcher = new FileSystemWatcher(_root)
            {
                IncludeSubdirectories = true,
                NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.LastWrite | NotifyFilters.Size,
                InternalBufferSize = 64 * 1024,
            };
            watcher.Created += (_, e) => Note(e.FullPath, appeared: true);
            watcher.Changed += (_, e) => Note(e.FullPath, appeared: false);
            watcher.Deleted += (_, e) => Note(e.FullPath, appeared: false);
            watcher.Renamed += (_, e) =>
            {
                Note(e.OldFullPath, appeared: false);
                Note(e.FullPath, appeared: true);
            };
            watcher.Error += (_, e) => OnError(e.GetException());
            watcher.EnableRaisingEvents = true;
        }
        catch (Exception ex) when (ex is IOException or ArgumentException or UnauthorizedAccessException or PlatformNotSupportedException)
        {
            watcher?.Dispose();
            error = ex;
            return false;
        }

        lock (_lock)
        {
            _watcher?.Dispose();
            if (_stop.IsCancellationRequested)
            {
                watcher.Dispose();
            }
            else
            {
                _watcher = watcher;
                CountWatch(true);
            }
        }

        error = null;
        return true;
    }

    /// <summary>Tells <see cref="WatchedGitState"/> whether this watch sees every change (under the lock).</summary>
    private void CountWatch(bool live)
    {
        if (live == _counted)
        {
            return;
        }

        _counted = live;
        if (live)
        {
            WatchedGitState.Watching(_root);
        }
        else
        {
            WatchedGitState.NotWatching(_root);
        }
    }

    private void OnError(Exception error)
    {
        EventsLog.WatcherError(_logger, error, ProjectId);
        OnRestartNeeded();
    }

    private void OnRestartNeeded()
    {
        lock (_lock)
        {
            _restartRequested = true;

            // Changes may be lost until the watcher is back: git must be asked again meanwhile.
            CountWatch(false);
        }

        _wake.Writer.TryWrite(true);
    }

    /// <summary>Records one notification; runs on the watcher's thread, so it only takes the lock briefly.</summary>
    private void Note(string fullPath, bool appeared)
    {
        var path = RelativePath(fullPath);
        if (path is null)
        {
            return;
        }

        // Any change, git's own files included (HEAD, refs, the index), outdates what git said.
        WatchedGitState.Changed(_root);

        if (IsGitInternal(path))
        {
            // Never reported, but the index and info/exclude decide what git ignores.
            if (path is ".git/index" or ".git/info/exclude")
            {
                lock (_lock)
                {
                    _rulesChanged = true;
                }
            }

            return;
        }

        lock (_lock)
        {
            if (_overflowCount > 0)
            {
                _overflowCount++;
            }
            else if (!_pending.ContainsKey(path))
            {
                if (_pending.Count >= _options.MaxChangesPerBurst)
                {
                    _overflowCount = _pending.Count + 1;
                    _pending.Clear();
                }
                else
                {
                    _pending[path] = appeared;
                }
            }
        }

        Interlocked.Increment(ref _changeCount);
        _wake.Writer.TryWrite(true);
    }

    private string FullPath(string relative) => Path.Combine(_root, relative);

    /// <summary>The project-relative path with <c>/</c> separators, or null for the root itself or anything outside it.</summary>
    private string? RelativePath(string fullPath)
    {
        var relative = Path.GetRelativePath(_root, fullPath);
        if (relative == "." || relative == ".." || relative.StartsWith("../", StringComparison.Ordinal) || Path.IsPathRooted(relative))
        {
            return null;
        }

        return Path.DirectorySeparatorChar == '/' ? relative : relative.Replace(Path.DirectorySeparatorChar, '/');
    }

    private static bool IsGitInternal(string path) =>
        path == ".git" || path.StartsWith(".git/", StringComparison.Ordinal) ||
        path.EndsWith("/.git", StringComparison.Ordinal) || path.Contains("/.git/", StringComparison.Ordinal);

    private static bool IsIgnoreFile(string path) =>
        path == ".gitignore" || path.EndsWith("/.gitignore", StringComparison.Ordinal);
}
