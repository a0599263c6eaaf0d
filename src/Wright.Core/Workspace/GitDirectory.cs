namespace Wright.Core.Workspace;

/// <summary>Finds a working tree's git directory without starting git, and tells whether two paths share a file system.</summary>
internal static class GitDirectory
{
    private const string GitDirPrefix = "gitdir:";

    /// <summary>
    /// The git directory of the working tree at <paramref name="root"/>: <c>.git</c> itself, or
    /// where a <c>.git</c> file points (a linked worktree or a submodule); null when there is none.
    /// </summary>
    public static string? Find(string root)
    {
        var dotGit = Path.Join(root, ".git");
        if (Directory.Exists(dotGit))
        {
            return PathJail.ResolveReal(Path.GetFullPath(dotGit));
        }

        if (!File.Exists(dotGit))
        {
            return null;
        }

        // "gitdir: <path>", the path absolute or relative to the working tree (git's own format, one line).
        var line = File.ReadLines(dotGit).FirstOrDefault()?.Trim();
        if (line is null || !line.StartsWith(GitDirPrefix, StringComparison.Ordinal))
        {
            return null;
        }

        var target = line[GitDirPrefix.Length..].Trim();
        var full = Path.GetFullPath(target, root);
        return Directory.Exists(full) ? PathJail.ResolveReal(full) : null;
    }

    /// <summary>Whether <paramref name="first"/> and <paramref name="second"/> lie on one mounted file system (a rename between them is atomic).</summary>
    public static bool SameFileSystem(string first, string second)
    {
        string[] mounts;
        try
        {
            mounts = DriveInfo.GetDrives().Select(d => d.RootDirectory.FullName).ToArray();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The mount table cannot be read: assume two file systems, whose fallback (a temp file beside the target) is always atomic.
            return false;
        }

        return MountOf(PathJail.ResolveReal(Path.GetFullPath(first)), mounts) == MountOf(PathJail.ResolveReal(Path.GetFullPath(second)), mounts);
    }

    private static string MountOf(string path, string[] mounts)
    {
        var best = "";
        foreach (var mount in mounts)
        {
            var prefix = Path.TrimEndingDirectorySeparator(mount);
            var inside = prefix.Length == 0 || path == prefix || path.StartsWith(prefix + Path.DirectorySeparatorChar, StringComparison.Ordinal) || mount == "/";
            if (inside && prefix.Length >= best.Length)
            {
                best = prefix;
            }
        }

        return best;
    }
}
