using Wright.Core.Workspace;

namespace Wright.Core.Actions;

/// <summary>
/// Whole-file writes that a crash leaves old or new, never half-written (the scheme of
/// <see cref="ProjectFiles"/>): write and fsync a temp file beside the target, then rename it over.
/// Split in two steps so a run can prepare all its files before renaming any.
/// </summary>
internal static class AtomicFile
{
    /// <summary>The temp-file name a run uses for its n-th file, so recovery can find exactly its leftovers.</summary>
    public static string TempName(string runId, int index) => $"{PathJail.TempFilePrefix}{runId}-{index}";

    public static void Write(string target, ReadOnlySpan<byte> bytes)
    {
        var temp = Prepare(target, bytes, Guid.NewGuid().ToString("N"));
        Commit(temp, target);
    }

    /// <summary>Writes <paramref name="bytes"/> to a temp file next to <paramref name="target"/> (fsynced when <paramref name="durable"/>) and returns its path.</summary>
    public static string Prepare(string target, ReadOnlySpan<byte> bytes, string tempName, bool durable = true)
    {
        var directory = Path.GetDirectoryName(target)!;
        Directory.CreateDirectory(directory);
        var temp = Path.Join(directory, tempName.StartsWith(PathJail.TempFilePrefix, StringComparison.Ordinal) ? tempName : PathJail.TempFilePrefix + tempName);
        try
        {
            using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0))
            {
                stream.Write(bytes);
                stream.Flush(flushToDisk: durable);
            }

            if (!OperatingSystem.IsWindows() && File.Exists(target))
            {
                File.SetUnixFileMode(temp, File.GetUnixFileMode(target));
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

    public static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Left behind, it is a hidden temp file that recovery or the files feature's sweep removes; the original error matters more.
        }
        catch (UnauthorizedAccessException)
        {
            // As above.
        }
    }
}
