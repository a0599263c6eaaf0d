using System.IO.Enumeration;
using System.Text;
using Microsoft.Extensions.Logging;
using Wright.Core.Errors;
using Wright.Core.Git;
using Wright.Core.Projects;

namespace Wright.Core.Workspace;

/// <summary>
/// Lists a project's tree the way git sees it: what git ignores is left out, <c>.git</c> never
/// appears, and Wright's own temp files are hidden.
/// </summary>
/// <remarks>
/// Cost follows what is returned, not the size of the repository: each level reads the listed
/// directories and asks one <c>git check-ignore --no-index --stdin</c> about all their entries;
/// ignored directories (node_modules, bin) are never entered. Listing the root's children of a
/// 100,000-file repository therefore reads one directory (about 4 ms through the API, where
/// <c>git ls-files</c> alone takes 10 ms and <c>ls-files -co</c>, which walks the working tree,
/// 80 ms). Unlike <c>ls-files</c>, empty directories are listed, so a directory made through the
/// API shows up. git decides what is ignored, tracked files under ignored directories included.
/// </remarks>
public sealed class FileTree
{
    public const int DefaultDepth = 1;
    public const int MaxDepth = 32;

    /// <summary>The most entries one listing returns by default; a larger tree comes back truncated (shallower levels first), to be listed directory by directory.</summary>
    public const int MaxEntries = 10_000;

    /// <summary>The highest <c>limit</c> a client may ask for: a whole-project file list for a quick-open finder on a 100k-file repository.</summary>
    public const int MaxLimit = 250_000;

    private const int MaxPathspecs = 500;

    /// <summary>Directories read at once; small enough that a truncated listing reads little past its cap.</summary>
    private const int ReadChunk = 64;

    private readonly GitRunner _git;
    private readonly ILogger<FileTree> _logger;

    public FileTree(GitRunner git, ILogger<FileTree> logger)
    {
        _git = git;
        _logger = logger;
    }

    /// <summary>Lists the entries under <paramref name="path"/> (empty for the root) down to <paramref name="depth"/> levels, parents before their children.</summary>
    public async Task<TreeListing> ListAsync(Project project, string? path, int? depth, CancellationToken cancellationToken, int? limit = null)
    {
        var levels = depth ?? DefaultDepth;
        if (levels is < 1 or > MaxDepth)
        {
            throw WrightException.Invalid(ErrorCodes.ValidationFailed, $"depth must be between 1 and {MaxDepth}.");
        }

        var cap = limit ?? MaxEntries;
        if (cap is < 1 or > MaxLimit)
        {
            throw WrightException.Invalid(ErrorCodes.ValidationFailed, $"limit must be between 1 and {MaxLimit}.");
        }

        var jailed = PathJail.Resolve(project.RootPath, path, allowRoot: true);
        if (!Directory.Exists(jailed.RealPath))
        {
            throw WrightException.NotFound(ErrorCodes.DirectoryNotFound, File.Exists(jailed.RealPath)
                ? $"'{jailed.RelativePath}' is a file, not a directory; read it with the files endpoint."
                : $"'{jailed.RelativePath}' is not a directory of the project.");
        }

        var root = new Node(new TreeEntry("", jailed.RelativePath, EntryKind.Directory, null, default), jailed.RealPath);
        var level = new List<Node> { root };
        var count = 0;
        var truncated = false;
        for (var d = 0; d < levels && level.Count > 0 && !truncated; d++)
        {
            var next = new List<Node>();
            var parentIndex = 0;
            while (parentIndex < level.Count && !truncated)
            {
                // Read directories only until they could fill what is left of the cap, so a
                // truncated listing of a huge level costs what it returns, not the whole level.
                cancellationToken.ThrowIfCancellationRequested();
                var candidates = new List<(Node Parent, Node Child)>();
                while (parentIndex < level.Count && candidates.Count <= cap - count)
                {
                    // Directories of a level are independent: reading a chunk of them on every
                    // core halves a 100k-file listing, which is mostly one lstat per entry.
                    var chunk = level.GetRange(parentIndex, Math.Min(ReadChunk, level.Count - parentIndex));
                    parentIndex += chunk.Count;
                    var read = new List<Node>[chunk.Count];
                    if (chunk.Count == 1)
                    {
                        read[0] = ReadDirectory(chunk[0]).ToList();
                    }
                    else
                    {
                        Parallel.For(0, chunk.Count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = cancellationToken }, i => read[i] = ReadDirectory(chunk[i]).ToList());
                    }

                    for (var i = 0; i < chunk.Count; i++)
                    {
                        foreach (var child in read[i])
                        {
                            candidates.Add((chunk[i], child));
                        }
                    }
                }

                candidates.Sort((a, b) => StringComparer.Ordinal.Compare(a.Child.Entry.Path, b.Child.Entry.Path));
                var ignored = await IgnoredAsync(project.RootPath, jailed.RelativePath, candidates.Select(c => c.Child.Entry).ToList(), cancellationToken).ConfigureAwait(false);
                foreach (var (parent, child) in candidates)
                {
                    if (ignored.Contains(child.Entry.Path))
                    {
                        continue;
                    }

                    if (count == cap)
                    {
                        truncated = true;
                        break;
                    }

                    count++;
                    parent.Children.Add(child);
                    if (child.Entry.Kind == EntryKind.Directory)
                    {
                        next.Add(child);
                    }
                }
            }

            level = next;
        }

        var entries = new List<TreeEntry>(count);
        Flatten(root, entries);
        return new TreeListing(jailed.RelativePath, levels, entries, truncated);
    }

    private static IEnumerable<Node> ReadDirectory(Node parent)
    {
        var prefix = parent.Entry.Path.Length == 0 ? "" : parent.Entry.Path + "/";
        var options = new EnumerationOptions { AttributesToSkip = 0, IgnoreInaccessible = true, RecurseSubdirectories = false };
        return new FileSystemEnumerable<Node>(parent.FullPath, (ref FileSystemEntry e) =>
        {
            var name = e.FileName.ToString();
            var kind = (e.Attributes & FileAttributes.ReparsePoint) != 0 ? EntryKind.Symlink : e.IsDirectory ? EntryKind.Directory : EntryKind.File;
            var entry = new TreeEntry(name, prefix + name, kind, kind == EntryKind.File ? e.Length : null, e.LastWriteTimeUtc);
            // Only directories are read further, so only they need their full path.
            return new Node(entry, kind == EntryKind.Directory ? e.ToFullPath() : "");
        }, options)
        {
            ShouldIncludePredicate = (ref FileSystemEntry e) =>
                !PathJail.IsGitDirectoryName(e.FileName.ToString()) && !e.FileName.StartsWith(PathJail.TempFilePrefix, StringComparison.Ordinal),
        };
    }

    /// <summary>
    /// Asks git which of the entries it ignores; when the project is not a git repository (or git
    /// fails) nothing is ignored.
    /// </summary>
    /// <remarks>
    /// <c>check-ignore</c> in its default mode looks every path up against the whole index, which
    /// is quadratic (over a minute for 100,000 paths); with <c>--no-index</c> it only matches
    /// patterns. The index matters only for the few ignored entries, so one <c>ls-files</c>
    /// restricted to them brings back the tracked ones (git shows tracked files whatever the
    /// ignore rules say).
    /// </remarks>
    private async Task<HashSet<string>> IgnoredAsync(string projectRoot, string scope, IReadOnlyList<TreeEntry> entries, CancellationToken cancellationToken)
    {
        var ignored = new HashSet<string>(StringComparer.Ordinal);
        if (entries.Count == 0)
        {
            return ignored;
        }

        var input = new StringBuilder();
        foreach (var entry in entries)
        {
            // A trailing slash lets directory-only patterns ("build/") match.
            input.Append(entry.Path).Append(entry.Kind == EntryKind.Directory ? "/" : "").Append('\0');
        }

        // GitRunner tolerates git closing its input early (not a repository, say): that case
        // ends in the exit-code check below like any other git failure.
        var result = await _git.RunAsync(projectRoot, ["check-ignore", "--no-index", "-z", "--stdin"], cancellationToken, input.ToString()).ConfigureAwait(false);

        if (result.ExitCode > 1)
        {
            WorkspaceLog.CheckIgnoreFailed(_logger, projectRoot, result.ExitCode, result.StandardError.Trim());
            return ignored;
        }

        foreach (var path in result.StandardOutput.Split('\0', StringSplitOptions.RemoveEmptyEntries))
        {
            ignored.Add(path.TrimEnd('/'));
        }

        if (ignored.Count > 0)
        {
            foreach (var tracked in await TrackedAmongAsync(projectRoot, scope, ignored, cancellationToken).ConfigureAwait(false))
            {
                ignored.Remove(tracked);
            }
        }

        return ignored;
    }

    /// <summary>The paths of <paramref name="candidates"/> that are tracked files or directories holding tracked files.</summary>
    private async Task<List<string>> TrackedAmongAsync(string projectRoot, string scope, HashSet<string> candidates, CancellationToken cancellationToken)
    {
        // Few candidates go to git as literal pathspecs; many would overflow the command line, so
        // then the whole scope is listed and matched here.
        List<string> pathspecs = candidates.Count <= MaxPathspecs
            ? candidates.Select(c => ":(literal)" + c).ToList()
            : [scope.Length == 0 ? "." : ":(literal)" + scope];
        var result = await _git.RunAsync(projectRoot, ["ls-files", "-z", "--cached", "--", .. pathspecs], cancellationToken).ConfigureAwait(false);
        var tracked = new List<string>();
        if (!result.Succeeded)
        {
            return tracked;
        }

        var present = new HashSet<string>(StringComparer.Ordinal);
        foreach (var path in result.StandardOutput.Split('\0', StringSplitOptions.RemoveEmptyEntries))
        {
            // The path and each of its parent directories hold a tracked file.
            var prefix = path;
            while (present.Add(prefix))
            {
                var slash = prefix.LastIndexOf('/');
                if (slash <= 0)
                {
                    break;
                }

                prefix = prefix[..slash];
            }
        }

        tracked.AddRange(candidates.Where(present.Contains));
        return tracked;
    }

    private static void Flatten(Node node, List<TreeEntry> entries)
    {
        node.Children.Sort(static (a, b) =>
        {
            var kind = (a.Entry.Kind == EntryKind.Directory ? 0 : 1) - (b.Entry.Kind == EntryKind.Directory ? 0 : 1);
            if (kind != 0)
            {
                return kind;
            }

            var folded = StringComparer.OrdinalIgnoreCase.Compare(a.Entry.Name, b.Entry.Name);
            return folded != 0 ? folded : StringComparer.Ordinal.Compare(a.Entry.Name, b.Entry.Name);
        });
        foreach (var child in node.Children)
        {
            entries.Add(child.Entry);
            Flatten(child, entries);
        }
    }

    private sealed record Node(TreeEntry Entry, string FullPath)
    {
        public List<Node> Children { get; } = [];
    }
}
