using Microsoft.Extensions.Logging;
using Wright.Core.Errors;
using Wright.Core.Workspace;

namespace Wright.Core.Git;

/// <summary>
/// The git operations of a project's repository, by its root directory: status, history, diffs,
/// branches, commits and safety points. Operations that change the repository are serialised per
/// repository so two requests never race for git's index lock.
/// </summary>
public sealed partial class GitService
{
    /// <summary>Largest status output read (about 100k changed paths); past it the status says truncated.</summary>
    internal const int MaxStatusChars = 16 * 1024 * 1024;

    /// <summary>Most entries one status carries.</summary>
    internal const int MaxStatusEntries = 10_000;

    private readonly GitRunner _git;
    private readonly TimeProvider _time;
    private readonly ILogger<GitService> _logger;

    public GitService(GitRunner git, TimeProvider time, ILogger<GitService> logger)
    {
        _git = git;
        _time = time;
        _logger = logger;
    }

    /// <summary>
    /// The top of the working tree that <paramref name="directory"/> belongs to, or null when it is
    /// not inside a git working tree (bare repositories included).
    /// </summary>
    public async Task<string?> FindWorkTreeRootAsync(string directory, CancellationToken cancellationToken)
    {
        var result = await _git.RunAsync(directory, ["rev-parse", "--show-toplevel"], cancellationToken).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            if (result.StandardError.Contains("dubious ownership", StringComparison.Ordinal))
            {
                throw WrightException.Conflict(ErrorCodes.GitFailed, $"git refuses '{directory}' because another user owns it: {result.StandardError.Trim()}");
            }

            return null;
        }

        var top = result.StandardOutput.TrimEnd('\n');
        return top.Length == 0 ? null : Path.TrimEndingDirectorySeparator(Path.GetFullPath(top));
    }

    /// <summary>
    /// Makes <paramref name="root"/> a repository on branch <c>main</c> and commits what it holds
    /// (respecting its .gitignore), or an empty initial commit when it holds nothing.
    /// </summary>
    public async Task InitAsync(string root, CancellationToken cancellationToken)
    {
        await WithLockAsync(root, async () =>
        {
            await _git.RunCheckedAsync(root, ["init", "--quiet", "--initial-branch=main"], cancellationToken).ConfigureAwait(false);
            await _git.RunCheckedAsync(root, ["add", "--all"], cancellationToken).ConfigureAwait(false);
            await GitIdentity.CommitAsync(_git, root, ["commit", "--quiet", "--no-verify", "--allow-empty", "-m", "Initial commit"], cancellationToken).ConfigureAwait(false);
            return true;
        }, cancellationToken).ConfigureAwait(false);
        GitLog.Initialised(_logger, root);
    }

    /// <summary>The working tree against HEAD, including untracked files (not ignored ones).</summary>
    public Task<GitStatus> GetStatusAsync(string root, CancellationToken cancellationToken) =>
        WatchedGitState.ReadAsync(root, WatchedGitState.Question.Status, () => ReadStatusAsync(root, cancellationToken));

    private async Task<GitStatus> ReadStatusAsync(string root, CancellationToken cancellationToken)
    {
        var result = await _git.RunCappedAsync(
            root,
            ["status", "--porcelain=v2", "-z", "--branch", "--untracked-files=all"],
            MaxStatusChars,
            cancellationToken).ConfigureAwait(false);
        return GitOutputParser.ParseStatus(result.Output, result.Truncated, MaxStatusEntries);
    }

    /// <summary>The full sha of the commit <paramref name="revision"/> names; <c>commit_not_found</c> when it names none.</summary>
    public async Task<string> ResolveCommitAsync(string root, string revision, CancellationToken cancellationToken) =>
        await TryResolveCommitAsync(root, GitInput.Revision(revision), cancellationToken).ConfigureAwait(false)
        ?? throw WrightException.NotFound(ErrorCodes.CommitNotFound, $"'{revision}' does not name a commit in this repository.");

    private async Task<string?> TryResolveCommitAsync(string root, string revision, CancellationToken cancellationToken)
    {
        var result = await _git.RunAsync(root, ["rev-parse", "--verify", "--quiet", "--end-of-options", revision + "^{commit}"], cancellationToken).ConfigureAwait(false);
        return result.Succeeded ? result.StandardOutput.Trim() : null;
    }

    /// <summary>
    /// Runs a change to the repository at <paramref name="root"/> alone, after any other in flight:
    /// under the project's one gate, which API writes and ActionRuns take too.
    /// </summary>
    private static Task<T> WithLockAsync<T>(string root, Func<Task<T>> action, CancellationToken cancellationToken) =>
        ProjectGate.RunAsync(root, action, cancellationToken);
}

/// <summary>Log messages of git operations; event ids 4100–4199.</summary>
internal static partial class GitLog
{
    [LoggerMessage(EventId = 4101, Level = LogLevel.Information, Message = "Initialised a git repository in {Root}")]
    public static partial void Initialised(ILogger logger, string root);

    [LoggerMessage(EventId = 4102, Level = LogLevel.Information, Message = "Committed {Sha} in {Root}")]
    public static partial void Committed(ILogger logger, string sha, string root);

    [LoggerMessage(EventId = 4103, Level = LogLevel.Information, Message = "Created branch {Branch} at {Sha} in {Root}")]
    public static partial void BranchCreated(ILogger logger, string branch, string sha, string root);

    [LoggerMessage(EventId = 4104, Level = LogLevel.Information, Message = "Switched to branch {Branch} in {Root}")]
    public static partial void Switched(ILogger logger, string branch, string root);

    [LoggerMessage(EventId = 4105, Level = LogLevel.Information, Message = "Created safety point {Id} (snapshot {Snapshot}) in {Root}")]
    public static partial void SafetyPointCreated(ILogger logger, string id, string snapshot, string root);

    [LoggerMessage(EventId = 4106, Level = LogLevel.Warning, Message = "Reset {Root} to safety point {Id}")]
    public static partial void SafetyPointRestored(ILogger logger, string id, string root);

    [LoggerMessage(EventId = 4107, Level = LogLevel.Information, Message = "Cloned into {Root}")]
    public static partial void Cloned(ILogger logger, string root);
}
