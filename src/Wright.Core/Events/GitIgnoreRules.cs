using Microsoft.Extensions.Logging;
using Wright.Core.Git;

namespace Wright.Core.Events;

/// <summary>
/// Answers "does git ignore this path?" for one project, asking git itself (one
/// <c>git check-ignore -z --stdin</c> per batch, so every .gitignore, info/exclude and global rule
/// counts, and tracked files are never ignored) and caching the answers until the rules may have
/// changed.
/// </summary>
internal sealed class GitIgnoreRules
{
    private const int CacheCapacity = 50_000;

    private readonly string _root;
    private readonly GitRunner _git;
    private readonly ILogger _logger;
    private readonly Dictionary<string, bool> _cache = new(StringComparer.Ordinal);

    public GitIgnoreRules(string root, GitRunner git, ILogger logger)
    {
        _root = root;
        _git = git;
        _logger = logger;
    }

    /// <summary>Forgets every answer: a .gitignore, info/exclude or the index changed.</summary>
    public void Invalidate() => _cache.Clear();

    /// <summary>
    /// The subset of <paramref name="paths"/> git ignores. Paths are project-relative with <c>/</c>;
    /// a trailing <c>/</c> asks about a directory (so <c>build/</c> rules match a deleted <c>build</c>).
    /// </summary>
    public async Task<IReadOnlySet<string>> IgnoredAsync(IReadOnlyCollection<string> paths, CancellationToken cancellationToken)
    {
        var unknown = paths.Where(p => !_cache.ContainsKey(p)).Distinct(StringComparer.Ordinal).ToList();
        if (unknown.Count > 0)
        {
            if (_cache.Count + unknown.Count > CacheCapacity)
            {
                _cache.Clear();
            }

            var ignored = await AskGitAsync(unknown, cancellationToken).ConfigureAwait(false);
            foreach (var path in unknown)
            {
                _cache[path] = ignored.Contains(path);
            }
        }

        return paths.Where(p => _cache[p]).ToHashSet(StringComparer.Ordinal);
    }

    private async Task<HashSet<string>> AskGitAsync(List<string> paths, CancellationToken cancellationToken)
    {
        var input = string.Join('\0', paths) + "\0";
        var result = await _git.RunAsync(_root, ["check-ignore", "-z", "--stdin"], cancellationToken, input).ConfigureAwait(false);

        // Exit 1 means "nothing ignored"; anything else but 0 is a failure (not a repository any
        // more, a broken index). Reporting too much is safer than hiding a change, so treat it as
        // "nothing ignored".
        if (result.ExitCode is not 0)
        {
            if (result.ExitCode is not 1)
            {
                EventsLog.CheckIgnoreFailed(_logger, _root, result.ExitCode, result.StandardError.Trim());
            }

            return [];
        }

        return result.StandardOutput.Split('\0', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
    }
}
