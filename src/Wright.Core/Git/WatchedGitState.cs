using System.Collections.Concurrent;
using Wright.Core.Workspace;

namespace Wright.Core.Git;

/// <summary>What git last said about a watched workspace, kept until the workspace changes.</summary>
/// <remarks>
/// Every prompt asks git for the workspace's status, its file listing and its index before the
/// first token; each is a process start (5–10 ms here, far more on a loaded machine). While a
/// project's directory is watched (an open workbench, or an answer that ran in the last minutes),
/// any change to it — a file, <c>.git/HEAD</c>, the index, a ref — reaches the watcher, and every
/// change Wright makes itself passes the <see cref="ProjectGate"/>; both bump the project's change
/// count here, and an answer read at an older count is read again. The trade-off: an edit made
/// outside Wright is seen once the kernel delivered its notification (well under a millisecond
/// after the write), so a prompt posted in that instant may see the workspace as it was just
/// before. Process-wide like the gate, whichever container built the reader.
/// </remarks>
internal static class WatchedGitState
{
    private static readonly ConcurrentDictionary<string, ProjectState> Projects = new(StringComparer.Ordinal);

    /// <summary>What a reader asks git for.</summary>
    public enum Question
    {
        Status,
        Listing,
        Index,
    }

    /// <summary>A live watch of <paramref name="projectRoot"/> began: its changes are reported from now on.</summary>
    public static void Watching(string projectRoot)
    {
        var state = Projects.GetOrAdd(ProjectGate.KeyOf(projectRoot), _ => new ProjectState());
        Interlocked.Increment(ref state.Changes);
        Interlocked.Increment(ref state.Watches);
    }

    /// <summary>A watch of <paramref name="projectRoot"/> ended or failed: changes may go unseen.</summary>
    public static void NotWatching(string projectRoot)
    {
        if (Projects.TryGetValue(ProjectGate.KeyOf(projectRoot), out var state))
        {
            Interlocked.Increment(ref state.Changes);
            Interlocked.Decrement(ref state.Watches);
        }
    }

    /// <summary>Something in <paramref name="projectRoot"/> changed (a file, or git's own state).</summary>
    public static void Changed(string projectRoot)
    {
        if (Projects.TryGetValue(ProjectGate.KeyOf(projectRoot), out var state))
        {
            Interlocked.Increment(ref state.Changes);
        }
    }

    /// <summary>
    /// The answer to <paramref name="question"/> read by <paramref name="read"/>, or the one read
    /// before when the project is watched and nothing changed since. The answer is shared between
    /// readers: it must not be changed.
    /// </summary>
    public static async Task<T> ReadAsync<T>(string projectRoot, Question question, Func<Task<T>> read)
        where T : class
    {
        if (!Projects.TryGetValue(ProjectGate.KeyOf(projectRoot), out var state) || Volatile.Read(ref state.Watches) <= 0)
        {
            return await read().ConfigureAwait(false);
        }

        // The count is taken before git runs: a change during the read makes the answer stale at once.
        var changes = Volatile.Read(ref state.Changes);
        if (state.Answers[(int)question] is { } known && known.Changes == changes && known.Value is T value)
        {
            return value;
        }

        var fresh = await read().ConfigureAwait(false);
        state.Answers[(int)question] = new Answer(changes, fresh);
        return fresh;
    }

    private sealed class ProjectState
    {
        public long Changes;
        public int Watches;
        public readonly Answer?[] Answers = new Answer?[3];
    }

    private sealed record Answer(long Changes, object Value);
}
