using Wright.Core.Errors;

namespace Wright.Core.Git;

public sealed partial class GitService
{
    /// <summary>Where safety points live: outside refs/heads and refs/tags, so they never show as branches, yet keep their commits from garbage collection.</summary>
    public const string SafetyPointRefPrefix = "refs/wright/safety/";

    /// <summary>
    /// Records the repository's state so <see cref="ResetToSafetyPointAsync"/> can return to it:
    /// HEAD, the branch, the index and the working tree, uncommitted and untracked (not ignored)
    /// files included. Like <c>git stash create</c>, the snapshot is a commit whose first parent
    /// is HEAD and whose second parent holds the index; unlike it, untracked files are captured and
    /// neither the working tree nor the user's index is touched (a temporary index is used).
    /// </summary>
    public Task<SafetyPoint> CreateSafetyPointAsync(string root, CancellationToken cancellationToken) =>
        WithLockAsync(root, async () =>
        {
            var id = Guid.CreateVersion7(_time.GetUtcNow()).ToString("N");
            var head = await TryResolveCommitAsync(root, "HEAD", cancellationToken).ConfigureAwait(false);
            var branchResult = await _git.RunAsync(root, ["symbolic-ref", "--quiet", "--short", "HEAD"], cancellationToken).ConfigureAwait(false);
            var branch = branchResult.Succeeded ? branchResult.StandardOutput.Trim() : null;
            var gitDir = (await _git.RunCheckedAsync(root, ["rev-parse", "--absolute-git-dir"], cancellationToken).ConfigureAwait(false)).TrimEnd('\n');

            // The index as it is; an index with unresolved conflicts cannot be written as a tree, so the snapshot then keeps HEAD's.
            var indexTreeResult = await _git.RunAsync(root, ["write-tree"], cancellationToken).ConfigureAwait(false);
            var indexTree = indexTreeResult.Succeeded
                ? indexTreeResult.StandardOutput.Trim()
                : (await _git.RunCheckedAsync(root, ["rev-parse", "HEAD^{tree}"], cancellationToken).ConfigureAwait(false)).Trim();

            var worktreeTree = await WriteWorktreeTreeAsync(root, gitDir, id, cancellationToken).ConfigureAwait(false);
            var headParent = head is null ? Array.Empty<string>() : ["-p", head];
            var indexCommit = (await GitIdentity.CommitAsync(_git, root, ["commit-tree", indexTree, .. headParent, "-m", $"Wright safety point {id}: index"], cancellationToken).ConfigureAwait(false)).Trim();
            var message = $"Wright safety point {id}\n\nWright-Branch: {branch ?? "(detached)"}\n";
            var snapshot = (await GitIdentity.CommitAsync(_git, root, ["commit-tree", worktreeTree, .. headParent, "-p", indexCommit, "-F", "-"], cancellationToken, message).ConfigureAwait(false)).Trim();

            var name = SafetyPointRefPrefix + id;
            await _git.RunCheckedAsync(root, ["update-ref", "-m", "wright: safety point", name, snapshot], cancellationToken).ConfigureAwait(false);
            GitLog.SafetyPointCreated(_logger, id, snapshot, root);
            return new SafetyPoint(id, name, head, branch, snapshot, _time.GetUtcNow());
        }, cancellationToken);

    /// <summary>
    /// Returns the repository to safety point <paramref name="id"/>: the branch it was on is
    /// checked out and moved back to the recorded HEAD (commits made since leave the branch), the
    /// working tree gets exactly the recorded files back (files created since are removed; ignored
    /// files are left alone) and the index is restored. Work done since the safety point is lost by
    /// design; that is what a rollback is.
    /// </summary>
    public Task<GitStatus> ResetToSafetyPointAsync(string root, string id, CancellationToken cancellationToken)
    {
        var name = SafetyPointRef(id);
        return WithLockAsync(root, async () =>
        {
            var snapshot = await TryResolveCommitAsync(root, name, cancellationToken).ConfigureAwait(false)
                ?? throw WrightException.NotFound(ErrorCodes.SafetyPointNotFound, $"There is no safety point '{id}' in this repository.");
            var parents = (await _git.RunCheckedAsync(root, ["rev-list", "--parents", "--max-count=1", snapshot], cancellationToken).ConfigureAwait(false))
                .Trim().Split(' ')[1..];
            var (head, indexCommit) = parents.Length == 2 ? (parents[0], parents[1]) : ((string?)null, parents[0]);
            var message = await _git.RunCheckedAsync(root, ["log", "-1", "--format=%(trailers:key=Wright-Branch,valueonly=true)", snapshot], cancellationToken).ConfigureAwait(false);
            var branch = message.Trim() is { Length: > 0 } b && b != "(detached)" ? b : null;

            var current = await _git.RunAsync(root, ["symbolic-ref", "--quiet", "--short", "HEAD"], cancellationToken).ConfigureAwait(false);
            if (branch is not null && (!current.Succeeded || current.StandardOutput.Trim() != branch))
            {
                await _git.RunCheckedAsync(root, ["checkout", "--quiet", "--force", "--no-guess", branch, "--"], cancellationToken).ConfigureAwait(false);
            }

            if (head is not null)
            {
                await _git.RunCheckedAsync(root, ["reset", "--quiet", "--hard", head], cancellationToken).ConfigureAwait(false);
            }
            else
            {
                // The safety point was taken before the first commit: the branch goes back to being unborn.
                await _git.RunAsync(root, ["update-ref", "-d", "HEAD"], cancellationToken).ConfigureAwait(false);
                await _git.RunCheckedAsync(root, ["read-tree", "--empty"], cancellationToken).ConfigureAwait(false);
            }

            await _git.RunCheckedAsync(root, ["clean", "--quiet", "--force", "-d"], cancellationToken).ConfigureAwait(false);
            await _git.RunCheckedAsync(root, ["read-tree", "--reset", "-u", snapshot + "^{tree}"], cancellationToken).ConfigureAwait(false);
            await _git.RunCheckedAsync(root, ["read-tree", indexCommit + "^{tree}"], cancellationToken).ConfigureAwait(false);

            // read-tree leaves the index without stat data; refreshing it keeps the next status fast. Exit 1 only means "files differ".
            await _git.RunAsync(root, ["update-index", "-q", "--refresh"], cancellationToken).ConfigureAwait(false);
            GitLog.SafetyPointRestored(_logger, id, root);
            return await GetStatusAsync(root, cancellationToken).ConfigureAwait(false);
        }, cancellationToken);
    }

    /// <summary>Forgets safety point <paramref name="id"/> once it is no longer needed; false when there was none.</summary>
    public Task<bool> DeleteSafetyPointAsync(string root, string id, CancellationToken cancellationToken)
    {
        var name = SafetyPointRef(id);
        return WithLockAsync(root, async () =>
        {
            if (await TryResolveCommitAsync(root, name, cancellationToken).ConfigureAwait(false) is null)
            {
                return false;
            }

            await _git.RunCheckedAsync(root, ["update-ref", "-d", name], cancellationToken).ConfigureAwait(false);
            return true;
        }, cancellationToken);
    }

    /// <summary>Writes the working tree (minus ignored files) as a tree object through a copy of the index, leaving the real one alone.</summary>
    private async Task<string> WriteWorktreeTreeAsync(string root, string gitDir, string id, CancellationToken cancellationToken)
    {
        var temporaryIndex = Path.Combine(gitDir, $"wright-safety-{id}.index");
        var index = Path.Combine(gitDir, "index");
        try
        {
            if (File.Exists(index))
            {
                File.Copy(index, temporaryIndex, overwrite: true);
            }

            var environment = new Dictionary<string, string> { ["GIT_INDEX_FILE"] = temporaryIndex };
            await _git.RunCheckedAsync(root, ["add", "--all"], cancellationToken, environment: environment).ConfigureAwait(false);
            return (await _git.RunCheckedAsync(root, ["write-tree"], cancellationToken, environment: environment).ConfigureAwait(false)).Trim();
        }
        finally
        {
            File.Delete(temporaryIndex);
        }
    }

    private static string SafetyPointRef(string id)
    {
        if (id.Length != 32 || !id.All(char.IsAsciiHexDigitLower))
        {
            throw WrightException.NotFound(ErrorCodes.SafetyPointNotFound, $"'{id}' is not a safety point id.");
        }

        return SafetyPointRefPrefix + id;
    }
}
