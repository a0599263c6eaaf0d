using System.Globalization;
using System.Text;
using Wright.Core.Errors;

namespace Wright.Core.Workspace;

/// <summary>A client path that passed the jail: its normalized project-relative form and where it lives on disk.</summary>
/// <param name="RelativePath">Segments joined by <c>/</c>, no leading or trailing separator; empty for the project root.</param>
/// <param name="EntryPath">The entry itself: the real (symlink-free) parent directory joined with the last segment. Delete and move act here, so they move a symlink rather than its target.</param>
/// <param name="RealPath">Every existing component resolved, including the last one; reads and writes act here.</param>
public sealed record JailedPath(string RelativePath, string EntryPath, string RealPath)
{
    public string Name => RelativePath.Length == 0 ? "" : RelativePath[(RelativePath.LastIndexOf('/') + 1)..];
}

/// <summary>
/// Turns a client path into a safe absolute path inside a project root, or throws a
/// <see cref="WrightException"/> with <c>path_invalid</c>, <c>path_outside_project</c> or
/// <c>path_inside_git</c>. It only reads the file system (lstat and readlink), so a refused
/// path never touches the disk.
/// </summary>
/// <remarks>
/// The check and the later file operation are two steps, so a process that can already write
/// inside the project could swap a directory for a symlink in between. Closing that window needs
/// openat2(RESOLVE_BENEATH), which .NET does not expose; the jail stops every client-supplied
/// escape, which is what it is for.
/// </remarks>
public static class PathJail
{
    public const int MaxPathBytes = 4096;
    public const int MaxSegmentBytes = 255;

    /// <summary>Names Wright gives its own temporary files during atomic writes; clients cannot use them.</summary>
    public const string TempFilePrefix = ".wright-tmp-";

    private const int MaxSymlinkHops = 40;
    private const int MaxDecodeRounds = 3;

    /// <summary>Resolves <paramref name="clientPath"/> under <paramref name="projectRoot"/>; <paramref name="allowRoot"/> lets an empty path mean the root itself (tree listing).</summary>
    public static JailedPath Resolve(string projectRoot, string? clientPath, bool allowRoot = false)
    {
        var relative = Normalize(clientPath, allowRoot);

        // Clients and proxies decode paths a different number of times than we do; a segment that
        // turns into ".." or ".git" after another round of decoding is refused as if it were one.
        var decoded = relative;
        for (var round = 0; round < MaxDecodeRounds && decoded.Contains('%', StringComparison.Ordinal); round++)
        {
            var next = Uri.UnescapeDataString(decoded);
            if (next == decoded)
            {
                break;
            }

            Normalize(next, allowRoot);
            decoded = next;
        }

        var realRoot = ResolveReal(Path.GetFullPath(projectRoot));
        if (relative.Length == 0)
        {
            return new JailedPath("", realRoot, realRoot);
        }

        var lastSlash = relative.LastIndexOf('/');
        var parentRelative = lastSlash < 0 ? "" : relative[..lastSlash];
        var realParent = parentRelative.Length == 0 ? realRoot : ResolveReal(Path.Join(realRoot, parentRelative));
        EnsureInside(realRoot, realParent, relative);
        var entry = Path.Join(realParent, relative[(lastSlash + 1)..]);
        var real = ResolveReal(entry);
        EnsureInside(realRoot, real, relative);
        if (FileNode.Inspect(real).Kind == FileNodeKind.Special)
        {
            // Opening a FIFO blocks until a writer comes, a device reads outside the project: neither is a file of it.
            throw NotRegular(relative);
        }

        return new JailedPath(relative, entry, real);
    }

    /// <summary>
    /// For paths Wright lists itself (git's file list, which names what was committed): the entry
    /// as it is on disk now, with its parent directory resolved, or null when a symbolic link now
    /// takes that parent outside the project or into <c>.git</c>. The entry itself is not
    /// followed, so a link is seen as a link.
    /// </summary>
    public static string? ResolveListedEntry(string realRoot, string relativePath)
    {
        var segments = relativePath.Split('/');
        if (segments.Any(s => s.Length == 0 || s == "." || s == ".." || IsGitDirectoryName(s)))
        {
            return null;
        }

        var parent = segments.Length == 1 ? realRoot : ResolveReal(Path.Join(realRoot, string.Join('/', segments[..^1])));
        try
        {
            EnsureInside(realRoot, parent, relativePath);
        }
        catch (WrightException)
        {
            return null;
        }

        return Path.Join(parent, segments[^1]);
    }

    /// <summary>Refuses a hard-linked regular file for reading (its other name may be outside the project) unless hard links are allowed.</summary>
    public static void EnsureReadable(JailedPath jailed, bool allowHardLinks)
    {
        if (!allowHardLinks && FileNode.Inspect(jailed.RealPath).IsHardLinked)
        {
            throw new WrightException(
                ErrorKind.Forbidden,
                ErrorCodes.FileHardLinked,
                $"'{jailed.RelativePath}' is a hard link (the same file has another name, which may be outside the project), so Wright does not read it; copy it into a file of its own, or set Wright:Files:AllowHardLinks.");
        }
    }

    /// <summary>True when a directory entry name is git's own directory in any spelling a file system might fold to it.</summary>
    public static bool IsGitDirectoryName(string name)
    {
        var folded = new StringBuilder(name.Length);
        foreach (var c in name)
        {
            // HFS+ ignores zero-width characters when comparing names, so ".g\u200Cit" is ".git" there.
            if (CharUnicodeInfo.GetUnicodeCategory(c) != UnicodeCategory.Format)
            {
                folded.Append(c);
            }
        }

        var plain = folded.ToString().TrimEnd('.', ' ');
        return plain.Equals(".git", StringComparison.OrdinalIgnoreCase) || plain.Equals("git~1", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>True for the temporary files of an atomic write, which listings hide and sweeps remove.</summary>
    public static bool IsTempFileName(string name) => name.StartsWith(TempFilePrefix, StringComparison.Ordinal);

    /// <summary>Checks the text of a path without looking at the disk and returns its normalized form.</summary>
    internal static string Normalize(string? clientPath, bool allowRoot)
    {
        if (string.IsNullOrWhiteSpace(clientPath))
        {
            if (allowRoot && string.IsNullOrEmpty(clientPath))
            {
                return "";
            }

            throw Invalid("A file path is required, relative to the project root (for example src/app.ts).");
        }

        int byteCount;
        try
        {
            byteCount = StrictUtf8.GetByteCount(clientPath);
        }
        catch (EncoderFallbackException)
        {
            throw Invalid("The path is not valid Unicode.");
        }

        if (byteCount > MaxPathBytes)
        {
            throw Invalid($"The path is longer than {MaxPathBytes} bytes.");
        }

        foreach (var c in clientPath)
        {
            if (char.IsControl(c))
            {
                throw Invalid("The path contains a NUL or control character.");
            }
        }

        if (clientPath.Contains('\\', StringComparison.Ordinal))
        {
            throw Invalid("The path contains a backslash; separate folders with '/'.");
        }

        if (clientPath[0] == '/' || (clientPath.Length >= 2 && char.IsAsciiLetter(clientPath[0]) && clientPath[1] == ':'))
        {
            throw Outside("Absolute paths and drive letters are not allowed; give a path relative to the project root.");
        }

        var trimmed = clientPath.EndsWith('/') ? clientPath[..^1] : clientPath;
        var segments = trimmed.Split('/');
        foreach (var segment in segments)
        {
            CheckSegment(segment);
        }

        return string.Join('/', segments);
    }

    private static void CheckSegment(string segment)
    {
        if (segment.Length == 0)
        {
            throw Invalid("The path has an empty segment ('//' or a trailing '/').");
        }

        if (segment == "..")
        {
            throw Outside("'..' segments are not allowed: paths stay inside the project.");
        }

        if (segment == ".")
        {
            throw Invalid("'.' segments are not allowed; give the path without them.");
        }

        if (IsGitDirectoryName(segment))
        {
            throw InsideGit();
        }

        // Windows drops trailing dots and spaces ("..." or ".git." name something else there),
        // so names ending in one are refused everywhere rather than meaning two things.
        if (segment.EndsWith('.') || segment.EndsWith(' '))
        {
            throw Invalid($"The name '{segment}' ends with a dot or a space, which some file systems drop.");
        }

        if (StrictUtf8.GetByteCount(segment) > MaxSegmentBytes)
        {
            throw Invalid($"A name in the path is longer than {MaxSegmentBytes} bytes.");
        }

        if (IsTempFileName(segment))
        {
            throw Invalid($"Names starting with '{TempFilePrefix}' are reserved for Wright's temporary files.");
        }
    }

    private static void EnsureInside(string realRoot, string real, string relative)
    {
        var inside = real.Length == realRoot.Length
            ? real == realRoot
            : real.StartsWith(realRoot, StringComparison.Ordinal) && IsSeparator(real[realRoot.Length]);
        if (!inside)
        {
            throw Outside($"'{relative}' resolves (through a symbolic link) to a place outside the project.");
        }

        if (real.Length > realRoot.Length)
        {
            foreach (var segment in real[(realRoot.Length + 1)..].Split(Separators, StringSplitOptions.RemoveEmptyEntries))
            {
                if (IsGitDirectoryName(segment))
                {
                    throw InsideGit();
                }
            }
        }
    }

    /// <summary>
    /// Resolves symbolic links in every existing component of an absolute path, like realpath(3),
    /// except that components that do not exist yet are kept as they are (a file about to be
    /// created, or a dangling link's target).
    /// </summary>
    internal static string ResolveReal(string absolutePath)
    {
        var root = Path.GetPathRoot(absolutePath);
        if (string.IsNullOrEmpty(root))
        {
            throw new ArgumentException("The path must be absolute.", nameof(absolutePath));
        }

        var pending = new Stack<string>();
        PushComponents(pending, absolutePath[root.Length..]);
        var resolved = root;
        var hops = 0;
        var missing = false;
        while (pending.Count > 0)
        {
            var part = pending.Pop();
            if (part.Length == 0 || part == ".")
            {
                continue;
            }

            if (part == "..")
            {
                resolved = Path.GetDirectoryName(resolved) ?? root;
                continue;
            }

            var candidate = Path.Join(resolved, part);
            var target = missing ? null : ReadLink(candidate, out missing);
            if (target is null)
            {
                resolved = candidate;
                continue;
            }

            if (++hops > MaxSymlinkHops)
            {
                throw Invalid("The path goes through too many symbolic links (a loop?).");
            }

            var targetRoot = Path.GetPathRoot(target);
            if (!string.IsNullOrEmpty(targetRoot))
            {
                resolved = targetRoot;
                target = target[targetRoot.Length..];
            }

            PushComponents(pending, target);
        }

        return resolved;
    }

    private static string? ReadLink(string path, out bool missing)
    {
        missing = false;
        try
        {
            return new FileInfo(path).LinkTarget;
        }
        catch (IOException)
        {
            // ENOENT or ENOTDIR from readlink: nothing exists here, so nothing below it exists either.
            missing = true;
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            // An unreadable component cannot be a link we would follow; the operation itself will fail on it.
            return null;
        }
    }

    private static void PushComponents(Stack<string> pending, string path)
    {
        var parts = path.Split(Separators);
        for (var i = parts.Length - 1; i >= 0; i--)
        {
            pending.Push(parts[i]);
        }
    }

    private static bool IsSeparator(char c) => c == Path.DirectorySeparatorChar || c == Path.AltDirectorySeparatorChar;

    private static readonly char[] Separators = [Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar];

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private static WrightException Invalid(string detail) => WrightException.Invalid(ErrorCodes.PathInvalid, detail);

    private static WrightException Outside(string detail) =>
        new(ErrorKind.Forbidden, ErrorCodes.PathOutsideProject, detail);

    private static WrightException NotRegular(string relative) =>
        WrightException.Conflict(ErrorCodes.NotARegularFile, $"'{relative}' is a FIFO, socket or device, not a regular file; Wright never opens those.");

    private static WrightException InsideGit() =>
        new(ErrorKind.Forbidden, ErrorCodes.PathInsideGit, "Paths inside .git are not allowed: use the git endpoints to change the repository.");
}
