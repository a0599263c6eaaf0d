using Wright.Core.Workspace;

namespace Wright.Core.Actions;

/// <summary>Whole-file writes that a crash leaves old or new, never half-written (the same scheme as <see cref="ProjectFiles"/>).</summary>
internal static class AtomicFile
{
    public static void Write(string target, ReadOnlySpan<byte> bytes)
    {
        var directory = Path.GetDirectoryName(target)!;
        Directory.CreateDirectory(directory);
        var temp = Path.Join(directory, PathJail.TempFilePrefix + Guid.NewGuid().ToString("N"));
        UnixFileMode? mode = !OperatingSystem.IsWindows() && File.Exists(target) ? File.GetUnixFileMode(target) : null;
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0))
            {
                stream.Write(bytes);
                stream.Flush(flushToDisk: true);
            }

            if (mode is { } unixMode && !OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(temp, unixMode);
            }

            File.Move(temp, target, overwrite: true);
        }
        catch
        {
            try
            {
                File.Delete(temp);
            }
            catch (IOException)
            {
                // The temp file is left for the safety-point reset (git clean) to remove; the original error matters more.
            }

            throw;
        }
    }
}
