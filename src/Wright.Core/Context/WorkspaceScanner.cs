using System.Collections.Concurrent;
using Wright.Core.Git;
using Wright.Core.Workspace;

namespace Wright.Core.Context;

/// <summary>
/// Gathers a <see cref="WorkspaceSnapshot"/>: every file git lists, through the filter chain,
/// hashed and with its symbols. A file git's status reports unchanged is known by its blob id in
/// the index: what reading it taught before (hash, filters, symbols) comes from the
/// <see cref="SymbolCache"/>, which outlives the process, and the file is not even opened. Other
/// files are read once and then known by size and modification time until they change.
/// </summary>
public sealed class WorkspaceScanner
{
    /// <summary>Most characters of diff one context carries.</summary>
    public const int MaxDiffChars = 128 * 1024;

    /// <summary>Most paths handed to one git diff (command-line length).</summary>
    private const int MaxDiffPaths = 500;

    /// <summary>Up to this many listed files, a scan reads them one after another instead of on every core.</summary>
    private const int SequentialScanFiles = 200;

    private readonly GitService _gitService;
    private readonly GitRunner _git;
    private readonly SymbolCache _symbols;
    private readonly CommitHistoryReader _history;
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, CachedFile>> _cache = new(StringComparer.Ordinal);

    public WorkspaceScanner(GitService gitService, GitRunner git, SymbolCache symbols)
    {
        _gitService = gitService;
        _git = git;
        _symbols = symbols;
        _history = new CommitHistoryReader(git);
    }

    public async Task<WorkspaceSnapshot> ScanAsync(ContextRequest request, CancellationToken cancellationToken)
    {
        var root = PathJail.ResolveReal(Path.GetFullPath(request.ProjectRoot));

        // The listing behind the filter, the index and the status are independent git calls: run
        // them at once, since every prompt waits for them before its first token. A restarted
        // server's stored symbols are read meanwhile, on the thread pool.
        var symbolsTask = _symbols.ForAsync(root, cancellationToken);
        var filterTask = ContextFileFilter.CreateAsync(root, _gitService, cancellationToken);
        var indexTask = _gitService.ListIndexAsync(root, cancellationToken);
        var statusTask = request.Status is { } known ? Task.FromResult(known) : _gitService.GetStatusAsync(root, cancellationToken);
        var historyTask = request.Previous is null ? HistoryAsync(root, statusTask, cancellationToken) : Task.FromResult(CommitHistory.Empty);
        await Task.WhenAll(filterTask, indexTask, statusTask, historyTask, symbolsTask).ConfigureAwait(false);
        var filter = await filterTask.ConfigureAwait(false);
        var index = await indexTask.ConfigureAwait(false);
        var status = await statusTask.ConfigureAwait(false);

        // Only a file whose working copy is the index's blob may be known by that blob.
        var changed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in status.Entries)
        {
            if (entry.Worktree != GitChange.Unmodified)
            {
                changed.Add(entry.Path);
            }
        }

        var sha256Ids = index.Values.FirstOrDefault()?.BlobId.Length == 64;
        var symbols = await symbolsTask.ConfigureAwait(false);
        var cache = _cache.GetOrAdd(root, _ => new ConcurrentDictionary<string, CachedFile>(StringComparer.Ordinal));
        var admitted = new ConcurrentDictionary<string, CachedFile>(StringComparer.Ordinal);
        var excluded = new ConcurrentBag<ContextExcludedFile>();
        var live = new ConcurrentBag<string>();

        async ValueTask AdmitAsync(string path, CancellationToken token)
        {
            var blob = !changed.Contains(path) && index.TryGetValue(path, out var indexed) && indexed.IsRegularFile ? indexed.BlobId : null;
            var entry = blob is not null && symbols.TryGet(blob, out var facts)
                ? FromFacts(root, path, blob, facts, filter)
                : await ReadAsync(root, path, filter, cache, symbols, sha256Ids, token).ConfigureAwait(false);
            if (entry?.BlobId is { } known)
            {
                live.Add(known);
            }

            if (entry?.File is not null)
            {
                admitted[path] = entry;
            }
            else if (entry?.Exclusion is { } reason)
            {
                excluded.Add(new ContextExcludedFile(path, reason));
            }
        }

        // Spreading a small workspace over the thread pool costs more than it saves (each prompt
        // waits for the pool's workers on a busy machine); a large one is read on every core.
        if (filter.ListedFiles.Count <= SequentialScanFiles)
        {
            foreach (var path in filter.ListedFiles)
            {
                await AdmitAsync(path, cancellationToken).ConfigureAwait(false);
            }
        }
        else
        {
            await Parallel.ForEachAsync(
                filter.ListedFiles,
                new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = cancellationToken },
                AdmitAsync).ConfigureAwait(false);
        }

        symbols.Save(live);

        foreach (var path in request.MentionedFiles.Concat(request.OpenFiles).Distinct(StringComparer.Ordinal))
        {
            if (!admitted.ContainsKey(path) && !excluded.Any(e => e.Path == path))
            {
                excluded.Add(new ContextExcludedFile(path, filter.CheckName(path) ?? ContextExclusion.Ignored));
            }
        }

        var visibleStatus = status.Entries
            .Where(e => admitted.ContainsKey(e.Path)
                || ((e.Worktree == GitChange.Deleted || e.Index == GitChange.Deleted) && filter.CheckNameIgnoringListing(e.Path) is null))
            .ToList();

        var files = admitted.ToDictionary(kv => kv.Key, kv => kv.Value.File!, StringComparer.Ordinal);
        var (diff, truncated) = await DiffAsync(root, request, status, files, cancellationToken).ConfigureAwait(false);
        var fileSymbols = admitted.Values.Select(v => v.Symbols!).OrderBy(s => s.Path, StringComparer.Ordinal).ToList();
        return new WorkspaceSnapshot(status.Head, files, fileSymbols, visibleStatus, diff, truncated, excluded.OrderBy(e => e.Path, StringComparer.Ordinal).ToList())
        {
            Filter = filter,
            History = await historyTask.ConfigureAwait(false),
        };
    }

    /// <summary>The history a session's first prompt is ranked with (read once per HEAD).</summary>
    private async Task<CommitHistory> HistoryAsync(string root, Task<GitStatus> statusTask, CancellationToken cancellationToken) =>
        await _history.ReadAsync(root, (await statusTask.ConfigureAwait(false)).Head, cancellationToken).ConfigureAwait(false);

    /// <summary>Forgets what was read from <paramref name="projectRoot"/> in this process (the next scan is a restarted server's).</summary>
    public void Forget(string projectRoot)
    {
        var root = PathJail.ResolveReal(Path.GetFullPath(projectRoot));
        _cache.TryRemove(root, out _);
        _symbols.Unload(root);
    }

    /// <summary>A file known by its blob: the name filters still run (the configuration may have changed), the content ones were run when the blob was read.</summary>
    private static CachedFile FromFacts(string root, string path, string blob, BlobFacts facts, ContextFileFilter filter)
    {
        if (filter.CheckName(path) is { } byName)
        {
            return new CachedFile(0, 0, null, byName, null, null);
        }

        if (facts.Length > filter.MaxFileBytes)
        {
            return new CachedFile(facts.Length, 0, null, ContextExclusion.TooLarge, null, blob);
        }

        if (facts.Exclusion is { } exclusion)
        {
            return new CachedFile(facts.Length, 0, null, exclusion, null, blob);
        }

        var file = new AdmittedFile(path, facts.Hash, facts.Length, () => ReadText(root, path));
        return new CachedFile(facts.Length, 0, file, null, new FileSymbols(path, facts.Definitions, facts.References), blob);
    }

    /// <summary>The text of a file known by its blob, read when the context first needs it; empty when it vanished since the scan.</summary>
    private static string ReadText(string root, string path)
    {
        try
        {
            TextFormat.Detect(File.ReadAllBytes(PathJail.Resolve(root, path).RealPath), out var text);
            return text ?? "";
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or Errors.WrightException)
        {
            // Deleted or replaced after the scan: the snapshot then simply has nothing to show of it.
            return "";
        }
    }

    private static async Task<CachedFile?> ReadAsync(string root, string path, ContextFileFilter filter, ConcurrentDictionary<string, CachedFile> cache, ProjectSymbols symbols, bool sha256Ids, CancellationToken cancellationToken)
    {
        if (filter.CheckName(path) is { } byName)
        {
            return new CachedFile(0, 0, null, byName, null, null);
        }

        FileInfo info;
        try
        {
            info = new FileInfo(PathJail.Resolve(root, path).RealPath);
        }
        catch (Errors.WrightException)
        {
            return new CachedFile(0, 0, null, ContextExclusion.Internal, null, null);
        }

        if (!info.Exists)
        {
            return null;
        }

        if (info.Length > filter.MaxFileBytes)
        {
            return new CachedFile(info.Length, 0, null, ContextExclusion.TooLarge, null, null);
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
        var extracted = file is null ? null : SymbolExtractor.Extract(path, file.Text);
        var blob = SymbolCache.BlobIdOf(bytes, sha256Ids);
        if (exclusion is not ContextExclusion.TooLarge)
        {
            symbols.Add(blob, new BlobFacts(file?.Hash ?? FileETag.Compute(bytes), bytes.Length, exclusion, extracted?.Definitions ?? [], extracted?.References ?? new Dictionary<string, int>()));
        }

        var entry = new CachedFile(info.Length, modified, file, exclusion, extracted, blob);
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

    private sealed record CachedFile(long Length, long ModifiedTicks, AdmittedFile? File, ContextExclusion? Exclusion, FileSymbols? Symbols, string? BlobId);
}
