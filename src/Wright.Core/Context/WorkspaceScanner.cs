using System.Collections.Concurrent;
using Wright.Core.Git;
using Wright.Core.Workspace;

namespace Wright.Core.Context;

/// <summary>
/// Gathers a <see cref="WorkspaceSnapshot"/>: every file git lists, through the filter chain,
/// hashed and with its symbols. A file whose size and modification time are unchanged since the
/// last scan is not read again (the warm path), so a turn on a large repository costs a stat per file.
/// </summary>
public sealed class WorkspaceScanner
{
    /// <summary>Most characters of diff one context carries.</summary>
    public const int MaxDiffChars = 128 * 1024;

    /// <summary>Most paths handed to one git diff (command-line length).</summary>
    private const int MaxDiffPaths = 500;

    private readonly GitService _gitService;
    private readonly GitRunner _git;
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, CachedFile>> _cache = new(StringComparer.Ordinal);

    public WorkspaceScanner(GitService gitService, GitRunner git)
    {
        _gitService = gitService;
        _git = git;
    }

    public async Task<WorkspaceSnapshot> ScanAsync(ContextRequest request, CancellationToken cancellationToken)
    {
        var root = PathJail.ResolveReal(Path.GetFullPath(request.ProjectRoot));
        // The listing behind the filter and the status are independent git calls: run them at
        // once, since every prompt waits for both before its first token.
        var filterTask = ContextFileFilter.CreateAsync(root, _gitService, cancellationToken);
        var statusTask = request.Status is { } known ? Task.FromResult(known) : _gitService.GetStatusAsync(root, cancellationToken);
        await Task.WhenAll(filterTask, statusTask).ConfigureAwait(false);
        var filter = await filterTask.ConfigureAwait(false);
        var cache = _cache.GetOrAdd(root, _ => new ConcurrentDictionary<string, CachedFile>(StringComparer.Ordinal));
        var admitted = new ConcurrentDictionary<string, CachedFile>(StringComparer.Ordinal);
        var excluded = new ConcurrentBag<ContextExcludedFile>();

        await Parallel.ForEachAsync(
            filter.ListedFiles,
            new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = cancellationToken },
            async (path, token) =>
            {
                var entry = await ReadAsync(root, path, filter, cache, token).ConfigureAwait(false);
                if (entry?.File is not null)
                {
                    admitted[path] = entry;
                }
                else if (entry?.Exclusion is { } reason)
                {
                    excluded.Add(new ContextExcludedFile(path, reason));
                }
            }).ConfigureAwait(false);

        foreach (var path in request.MentionedFiles.Concat(request.OpenFiles).Distinct(StringComparer.Ordinal))
        {
            if (!admitted.ContainsKey(path) && !excluded.Any(e => e.Path == path))
            {
                excluded.Add(new ContextExcludedFile(path, filter.CheckName(path) ?? ContextExclusion.Ignored));
            }
        }

        var status = await statusTask.ConfigureAwait(false);
        var visibleStatus = status.Entries
            .Where(e => admitted.ContainsKey(e.Path)
                || ((e.Worktree == GitChange.Deleted || e.Index == GitChange.Deleted) && filter.CheckNameIgnoringListing(e.Path) is null))
            .ToList();

        var files = admitted.ToDictionary(kv => kv.Key, kv => kv.Value.File!, StringComparer.Ordinal);
        var (diff, truncated) = await DiffAsync(root, request, status, files, cancellationToken).ConfigureAwait(false);
        var symbols = admitted.Values.Select(v => v.Symbols!).OrderBy(s => s.Path, StringComparer.Ordinal).ToList();
        return new WorkspaceSnapshot(status.Head, files, symbols, visibleStatus, diff, truncated, excluded.OrderBy(e => e.Path, StringComparer.Ordinal).ToList()) { Filter = filter };
    }

    /// <summary>Forgets what was read from <paramref name="projectRoot"/> (the next scan is cold).</summary>
    public void Forget(string projectRoot) => _cache.TryRemove(PathJail.ResolveReal(Path.GetFullPath(projectRoot)), out _);

    private static async Task<CachedFile?> ReadAsync(string root, string path, ContextFileFilter filter, ConcurrentDictionary<string, CachedFile> cache, CancellationToken cancellationToken)
    {
        if (filter.CheckName(path) is { } byName)
        {
            return new CachedFile(0, 0, null, byName, null);
        }

        FileInfo info;
        try
        {
            info = new FileInfo(PathJail.Resolve(root, path).RealPath);
        }
        catch (Errors.WrightException)
        {
            return new CachedFile(0, 0, null, ContextExclusion.Internal, null);
        }

        if (!info.Exists)
        {
            return null;
        }

        if (info.Length > filter.MaxFileBytes)
        {
            return new CachedFile(info.Length, 0, null, ContextExclusion.TooLarge, null);
        }

        var modified = info.LastWriteTimeUtc.Ticks;
        if (cache.TryGetValue(path, out var cached) && cached.Length == info.Length && cached.ModifiedTicks == modified)
        {
            return cached;
        }

        byte[] bytes;
        try
        {
            bytes = await File.ReadAllBytesAsync(info.FullName, cancellationToken).ConfigureAwait(false);
        }
        catch (IOException)
        {
            // Deleted or replaced between the listing and the read: it is simply not part of this snapshot.
            return null;
        }

        var (file, exclusion) = filter.Admit(path, bytes);
        var entry = new CachedFile(info.Length, modified, file, exclusion, file is null ? null : SymbolExtractor.Extract(path, file.Text));
        cache[path] = entry;
        return entry;
    }

    private async Task<(string Diff, bool Truncated)> DiffAsync(string root, ContextRequest request, GitStatus status, IReadOnlyDictionary<string, AdmittedFile> files, CancellationToken cancellationToken)
    {
        if (status.Head is null)
        {
            return ("", false);
        }

        IEnumerable<string> paths;
        if (request.Previous is { } previous)
        {
            // Changed since the last turn, and still a file we may show (deleted files are listed, never diffed: their old text could be anything).
            paths = files.Where(kv => !previous.Workspace.TryGetValue(kv.Key, out var hash) || !FileETag.SameContent(hash, kv.Value.Hash)).Select(kv => kv.Key);
        }
        else
        {
            paths = status.Entries.Where(e => e.Worktree is not GitChange.Untracked && files.ContainsKey(e.Path)).Select(e => e.Path);
        }

        var list = paths.Order(StringComparer.Ordinal).Take(MaxDiffPaths).ToList();
        if (list.Count == 0)
        {
            return ("", false);
        }

        var baseline = request.BaselineCommit ?? request.Previous?.Head ?? status.Head;
        var result = await _git.RunCappedAsync(
            root,
            ["--literal-pathspecs", "diff", "--no-color", "--no-ext-diff", "--no-renames", GitInput.Revision(baseline), "--", .. list],
            MaxDiffChars,
            cancellationToken).ConfigureAwait(false);
        return (result.Output, result.Truncated);
    }

    private sealed record CachedFile(long Length, long ModifiedTicks, AdmittedFile? File, ContextExclusion? Exclusion, FileSymbols? Symbols);
}
