using System.Globalization;

namespace Wright.Core.Git;

public sealed partial class GitService
{
    /// <summary>
    /// The commits of every local branch committed between <paramref name="since"/> and
    /// <paramref name="until"/> (git's one-second resolution: both ends widened to whole seconds),
    /// newest first, at most <paramref name="limit"/>; empty for a repository without commits.
    /// </summary>
    /// <remarks>
    /// The window is judged by committer date, the time the commit was made here: a rebased or
    /// cherry-picked commit counts when it was re-committed, which is what an agent's task did.
    /// </remarks>
    public async Task<IReadOnlyList<GitCommit>> GetCommitsBetweenAsync(string root, DateTimeOffset since, DateTimeOffset until, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        if (await TryResolveCommitAsync(root, "HEAD", cancellationToken).ConfigureAwait(false) is null)
        {
            return [];
        }

        var from = since.ToUnixTimeSeconds();
        var to = until.ToUnixTimeSeconds() + 1;
        var result = await _git.RunCappedAsync(
            root,
            [
                .. StableLogConfig, "log", "-z", "--format=" + GitOutputParser.LogFormat, "--raw", "--numstat", .. StableDiffOptions,
                "--branches", "--since=@" + from.ToString(CultureInfo.InvariantCulture), "--until=@" + to.ToString(CultureInfo.InvariantCulture),
                "--max-count=" + limit.ToString(CultureInfo.InvariantCulture), "--",
            ],
            MaxLogChars,
            cancellationToken).ConfigureAwait(false);
        return GitOutputParser.ParseLog(result.Output, result.Truncated, MaxFilesPerCommit).Commits;
    }
}
