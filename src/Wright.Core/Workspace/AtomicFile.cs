using System.Collections.Concurrent;
using System.Globalization;

namespace Wright.Core.Workspace;

/// <summary>
/// The one way Wright writes a project file (API saves, ActionRuns, their rollbacks): write and
/// optionally fsync a temp file, then rename it over the target, so readers and a crash see the
/// old file or the new one, never a prefix. Split in two steps so a run can prepare all its files
/// before renaming any.
/// </summary>
/// <remarks>
/// Temp files live in the repository's git directory (<c>.git/wright/tmp/</c>, or the worktree's
/// own git directory when <c>.git</c> is a file), where git never lists or commits them and the
/// file tree never shows them: a process killed between the two steps leaves its temp file there,
/// not in the working tree. A rename is atomic only within one file system, so a git directory on
/// another one (or no repository at all) falls back to a hidden temp file beside the target.
/// Temp names start with the writing process's id, so a sweep can tell a dead writer's leftover
/// from a live one's.
/// </remarks>
internal static class AtomicFile
{
    /// <summary>A temp file older than this belongs to a write that died, never to one in flight.</summary>
    public static readonly TimeSpan StaleAge = TimeSpan.FromMinutes(1);

    private static readonly ConcurrentDictionary<string, string?> TempDirectories = new(StringComparer.Ordinal);

    /// <summary>Where the atomic writes of the project at <paramref name="projectRoot"/> put their temp files; null to put them beside each target.</summary>
    public static string? TempDirectoryOf(string projectRoot)
    {
        var root = Path.TrimEndingDirectorySeparator(projectRoot);
        if (TempDirectories.TryGetValue(root, out var known))
        {
            return known;
        }

        var gitDirectory = GitDirectory.Find(root);
        string? directory = null;
        if (gitDirectory is not null && GitDirectory.SameFileSystem(root, gitDirectory))
        {
            directory = Path.Join(gitDirectory, "wright", "tmp");
        }

        TempDirectories[root] = directory;
        return directory;
    }

    /// <summary>Writes <paramref name="bytes"/> to <paramref name="target"/> atomically, fsynced when <paramref name="durable"/>.</summary>
    public static void Write(string? projectRoot, string target, ReadOnlySpan<byte> bytes, bool durable = true, UnixFileMode? mode = null)
    {
        var temp = Prepare(projectRoot, target, bytes, durable, mode);
        Commit(temp, target);
    }

    /// <summary>
    /// Writes <paramref name="bytes"/> to a temp file for <paramref name="target"/> (fsynced when
    /// <paramref name="durable"/>; with the target's permissions, or <paramref name="mode"/>) and returns its path.
    /// </summary>
    public static string Prepare(string? projectRoot, string target, ReadOnlySpan<byte> bytes, bool durable = true, UnixFileMode? mode = null)
    {
        var targetDirectory = Path.GetDirectoryName(target)!;
        Directory.CreateDirectory(targetDirectory);
        var name = string.Create(CultureInfo.InvariantCulture, $"{Environment.ProcessId}-{Guid.NewGuid():N}");
        var tempDirectory = projectRoot is null ? null : TempDirectoryOf(projectRoot);
        string temp;
        if (tempDirectory is not null)
        {
            Directory.CreateDirectory(tempDirectory);
            temp = Path.Join(tempDirectory, name);
        }
        else
        {
            temp = Path.Join(targetDirectory, PathJail.TempFilePrefix + name);
        }

        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0))
            {
                // Synchronous on purpose: the fsync that follows blocks anyway, and an async write on
                // a regular file only adds a thread-pool hop (a third of the cost of a small write).
                stream.Write(bytes);
                stream.Flush(flushToDisk: durable);
            }

            if (!OperatingSystem.IsWindows())
            {
                if (mode is { } unixMode)
                {
                    File.SetUnixFileMode(temp, unixMode);
                }
                else if (File.Exists(target))
                {
                    File.SetUnixFileMode(temp, File.GetUnixFileMode(target));
                }
            }

            return temp;
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    /// <summary>Renames a prepared temp file over its target (atomic on one file system).</summary>
    public static void Commit(string temp, string target) => File.Move(temp, target, overwrite: true);

    /// <summary>
    /// Removes the temp files that dead writers left in the project's temp directory: those of a
    /// process that no longer runs (or of this one, when the caller holds the project's gate, so
    /// none of its writes is in flight), and any older than <see cref="StaleAge"/>. Returns them.
    /// </summary>
    public static IReadOnlyList<string> Sweep(string projectRoot, DateTimeOffset now)
    {
        var directory = TempDirectoryOf(projectRoot);
        if (directory is null || !Directory.Exists(directory))
        {
            return [];
        }

        var ownAreDead = ProjectGate.IsHeld(projectRoot);
        var removed = new List<string>();
        foreach (var temp in Directory.EnumerateFiles(directory, "*", new EnumerationOptions { AttributesToSkip = 0, IgnoreInaccessible = true }))
        {
            if (IsLeftover(Path.GetFileName(temp), File.GetLastWriteTimeUtc(temp), now, ownAreDead) && TryDelete(temp))
            {
                removed.Add(temp);
            }
        }

        return removed;
    }

    /// <summary>Removes hidden temp files beside targets in <paramref name="directory"/> (the fallback location) by the same rule as <see cref="Sweep"/>.</summary>
    public static IReadOnlyList<string> SweepBeside(string directory, DateTimeOffset now, bool ownAreDead)
    {
        var removed = new List<string>();
        foreach (var temp in Directory.EnumerateFiles(directory, PathJail.TempFilePrefix + "*", new EnumerationOptions { AttributesToSkip = 0, IgnoreInaccessible = true }))
        {
            if (IsLeftover(Path.GetFileName(temp)[PathJail.TempFilePrefix.Length..], File.GetLastWriteTimeUtc(temp), now, ownAreDead) && TryDelete(temp))
            {
                removed.Add(temp);
            }
        }

        return removed;
    }

    public static bool TryDelete(string path)
    {
        try
        {
            File.Delete(path);
            return true;
        }
        catch (IOException)
        {
            // Left behind, it is a temp file the next sweep removes; the original error matters more.
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            // As above.
            return false;
        }
    }

    private static bool IsLeftover(string name, DateTime modifiedUtc, DateTimeOffset now, bool ownAreDead)
    {
        if (now.UtcDateTime - modifiedUtc > StaleAge)
        {
            return true;
        }

        var dash = name.IndexOf('-', StringComparison.Ordinal);
        if (dash <= 0 || !int.TryParse(name.AsSpan(0, dash), NumberStyles.None, CultureInfo.InvariantCulture, out var processId))
        {
            // Not named by this scheme (an older Wright's temp file): only its age can tell.
            return false;
        }

        return processId == Environment.ProcessId ? ownAreDead : !IsAlive(processId);
    }

    private static bool IsAlive(int processId)
    {
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(processId);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }
}
