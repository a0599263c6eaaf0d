using Wright.Core.Errors;

namespace Wright.Core.Git;

public sealed partial class GitService
{
    /// <summary>The trailer that names the commit a file revert undid.</summary>
    public const string RevertsTrailer = "Wright-Reverts";

    /// <summary>
    /// Commits <paramref name="path"/> as it was before <paramref name="revision"/> (in its first
    /// parent; deleted when the commit created it), leaving every other file alone. Refuses when
    /// the commit did not change the file (<c>file_not_found</c>) or when the file has uncommitted
    /// changes that the revert would overwrite (<c>uncommitted_changes</c>).
    /// </summary>
    public async Task<GitCommit> RevertFileAsync(string root, string revision, string path, CancellationToken cancellationToken)
    {
        var relative = GitInput.RelativePath(path);
        var commit = await GetCommitAsync(root, revision, cancellationToken).ConfigureAwait(false);
        var parent = commit.Parents.Count > 0 ? commit.Parents[0] : null;

        var changed = parent is null
            ? await _git.RunAsync(root, ["--literal-pathspecs", "diff-tree", "--root", "--quiet", "-r", "--no-commit-id", commit.Sha, "--", relative], cancellationToken).ConfigureAwait(false)
            : await _git.RunAsync(root, ["--literal-pathspecs", "diff", "--quiet", "--no-ext-diff", "--no-textconv", parent, commit.Sha, "--", relative], cancellationToken).ConfigureAwait(false);
        if (changed.ExitCode == 0)
        {
            throw WrightException.NotFound(ErrorCodes.FileNotFound, $"Commit {commit.Sha[..12]} did not change '{relative}': there is nothing of it to revert.");
        }

        await WithLockAsync(root, async () =>
        {
            var status = await _git.RunCheckedAsync(root, ["--literal-pathspecs", "status", "--porcelain", "-z", "--untracked-files=all", "--", relative], cancellationToken).ConfigureAwait(false);
            if (status.Length > 0)
            {
                throw WrightException.Conflict(ErrorCodes.UncommittedChanges, $"'{relative}' has uncommitted changes that reverting it would overwrite; commit or discard them first.", new Dictionary<string, object?> { ["paths"] = new[] { relative } });
            }

            var existedBefore = parent is not null
                && (await _git.RunAsync(root, ["cat-file", "-e", $"{parent}:{relative}"], cancellationToken).ConfigureAwait(false)).Succeeded;
            if (existedBefore)
            {
                // The working tree only: the commit below stages exactly this path.
                await _git.RunCheckedAsync(root, ["--literal-pathspecs", "restore", $"--source={parent}", "--worktree", "--", relative], cancellationToken).ConfigureAwait(false);
            }
            else
            {
                var full = Path.Combine(root, relative);
                if (!File.Exists(full) && !Directory.Exists(full))
                {
                    throw WrightException.Conflict(ErrorCodes.NothingToCommit, $"'{relative}' did not exist before {commit.Sha[..12]} and does not exist now: nothing to revert.");
                }

                File.Delete(full);
            }

            return true;
        }, cancellationToken).ConfigureAwait(false);

        var message = $"Revert {relative} to before {commit.Sha[..12]}\n\nRestores {relative} as it was before \"{commit.Subject}\".";
        return await CommitAsync(root, message, [relative], [new(RevertsTrailer, commit.Sha)], cancellationToken).ConfigureAwait(false);
    }
}
