namespace Wright.Core.Agents;

/// <summary>
/// Which transcripts Wright reads. A hook names its <c>transcript_path</c>, and anyone holding a
/// hooks token could name any file the server can read: only <c>.jsonl</c> files whose real path
/// (every symbolic link resolved) lies under a configured root are read, and their content is
/// never returned, only the usage numbers taken from it.
/// </summary>
public sealed class TranscriptJail
{
    private readonly IReadOnlyList<string> _roots;

    public TranscriptJail(IEnumerable<string> roots)
    {
        _roots = roots.Select(r => RealPath(Path.GetFullPath(r)) ?? Path.GetFullPath(r)).Select(WithSeparator).ToList();
    }

    /// <summary>The real path of <paramref name="path"/> when Wright may read it, else null.</summary>
    public string? Resolve(string? path)
    {
        if (string.IsNullOrWhiteSpace(path) || !Path.IsPathFullyQualified(path) || !path.EndsWith(".jsonl", StringComparison.Ordinal)
            || path.Contains('\0', StringComparison.Ordinal))
        {
            return null;
        }

        var real = RealPath(Path.GetFullPath(path));
        if (real is null || !real.EndsWith(".jsonl", StringComparison.Ordinal))
        {
            return null;
        }

        return _roots.Any(root => real.StartsWith(root, StringComparison.Ordinal)) ? real : null;
    }

    private static string WithSeparator(string path) => path.EndsWith(Path.DirectorySeparatorChar) ? path : path + Path.DirectorySeparatorChar;

    /// <summary>The path with every symbolic link along it resolved, or null when part of it does not exist.</summary>
    private static string? RealPath(string path)
    {
        var root = Path.GetPathRoot(path)!;
        var current = root;
        var parts = path[root.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries);
        var hops = 0;
        var queue = new Queue<string>(parts);
        while (queue.Count > 0)
        {
            var next = Path.Combine(current, queue.Dequeue());
            FileSystemInfo info = Directory.Exists(next) ? new DirectoryInfo(next) : new FileInfo(next);
            if (!info.Exists)
            {
                return null;
            }

            if (info.LinkTarget is { } target)
            {
                if (++hops > 40)
                {
                    return null;
                }

                // Resolve the link's target against its directory and walk it again from the root.
                var resolved = Path.GetFullPath(target, current);
                var rest = queue.ToArray();
                var resolvedRoot = Path.GetPathRoot(resolved)!;
                queue = new Queue<string>(resolved[resolvedRoot.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries).Concat(rest));
                current = resolvedRoot;
                continue;
            }

            current = next;
        }

        return current;
    }
}
