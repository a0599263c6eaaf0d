using System.Collections.Concurrent;
using System.Collections.Immutable;
using Wright.Core.Errors;

namespace Wright.Core.Workspace;

/// <summary>
/// The one lock per project directory that every change to its files and its repository takes:
/// API writes, ActionRuns (from their first read to their commit) and GitService's commits,
/// branches and safety points. An API save and an ActionRun therefore never interleave: the save
/// lands whole before the run reads the file, or after the run committed.
/// </summary>
/// <remarks>
/// Process-wide on purpose: the lock must hold between every component that touches a directory,
/// whichever container built it (the server, the CLI's run command and tests each build their
/// own). It is re-entrant within one async flow, because an ActionRun holding it calls GitService
/// operations that take it too; a flow that forks work still counts as the holder, so work forked
/// inside the gate must finish inside it.
/// </remarks>
public static class ProjectGate
{
    private static readonly ConcurrentDictionary<string, SemaphoreSlim> Gates = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<string, string> RealRoots = new(StringComparer.Ordinal);
    private static readonly AsyncLocal<ImmutableHashSet<string>?> Held = new();

    /// <summary>Runs <paramref name="action"/> alone among the changes to <paramref name="projectRoot"/>, after any in flight.</summary>
    public static Task<T> RunAsync<T>(string projectRoot, Func<Task<T>> action, CancellationToken cancellationToken) =>
        RunAsync(projectRoot, action, Timeout.InfiniteTimeSpan, cancellationToken);

    /// <summary>
    /// As <see cref="RunAsync{T}(string, Func{Task{T}}, CancellationToken)"/>, but gives up with
    /// <c>project_busy</c> (409) when the project stays locked longer than <paramref name="wait"/>
    /// (an ActionRun waiting for a command's approval may hold it for minutes).
    /// </summary>
    public static Task<T> RunAsync<T>(string projectRoot, Func<Task<T>> action, TimeSpan wait, CancellationToken cancellationToken) =>
        RunAsync(projectRoot, action, wait, changes: true, cancellationToken);

    /// <summary>
    /// Runs <paramref name="action"/> under the gate without counting it as a change: for work that
    /// usually only looks (an ActionRun's recovery, which says itself when it changed something).
    /// </summary>
    internal static Task<T> InspectAsync<T>(string projectRoot, Func<Task<T>> action, CancellationToken cancellationToken) =>
        RunAsync(projectRoot, action, Timeout.InfiniteTimeSpan, changes: false, cancellationToken);

    /// <summary>The key of <paramref name="projectRoot"/>: its real path, however it is spelled.</summary>
    internal static string KeyOf(string projectRoot) => Key(projectRoot);

    private static async Task<T> RunAsync<T>(string projectRoot, Func<Task<T>> action, TimeSpan wait, bool changes, CancellationToken cancellationToken)
    {
        var key = Key(projectRoot);
        var held = Held.Value;
        if (held is not null && held.Contains(key))
        {
            return await action().ConfigureAwait(false);
        }

        var gate = Gates.GetOrAdd(key, _ => new SemaphoreSlim(1, 1));
        if (!await gate.WaitAsync(wait, cancellationToken).ConfigureAwait(false))
        {
            throw WrightException.Conflict(ErrorCodes.ProjectBusy,
                "Wright is applying an answer's changes to this project (or waiting for a command's approval); retry when it has finished.");
        }

        Held.Value = (held ?? []).Add(key);
        try
        {
            return await action().ConfigureAwait(false);
        }
        finally
        {
            // Whatever git said about the workspace before this change is no longer current; said
            // before the gate opens, so the next holder never reads a stale answer.
            if (changes)
            {
                Git.WatchedGitState.Changed(key);
            }

            Held.Value = held;
            gate.Release();
        }
    }

    /// <summary>Whether the current flow holds the gate of <paramref name="projectRoot"/>.</summary>
    public static bool IsHeld(string projectRoot) => Held.Value?.Contains(Key(projectRoot)) ?? false;

    /// <summary>One key per directory however it is spelled (a symlinked path, a trailing slash).</summary>
    private static string Key(string projectRoot)
    {
        if (RealRoots.TryGetValue(projectRoot, out var real))
        {
            return real;
        }

        real = PathJail.ResolveReal(Path.TrimEndingDirectorySeparator(Path.GetFullPath(projectRoot)));
        if (RealRoots.Count < 10_000)
        {
            RealRoots[projectRoot] = real;
        }

        return real;
    }
}
