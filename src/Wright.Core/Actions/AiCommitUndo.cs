using Microsoft.Extensions.Logging;
using Wright.Core.Errors;
using Wright.Core.Git;

namespace Wright.Core.Actions;

/// <summary>What an undo did: the commit it took back, the new HEAD, and the files restored.</summary>
public sealed record UndoResult(string UndoneSha, string Head, IReadOnlyList<string> Files);

/// <summary>
/// Takes back the last AI commit of a project, like Aider's <c>/undo</c>, and only when that is
/// safe: HEAD is an ActionRun commit (its <c>Wright-Action</c> trailer) of this project (its
/// <c>Wright-Project</c> trailer), the one the caller means, not on any remote-tracking branch, with
/// one parent, and none of its files has uncommitted edits. Otherwise a <see cref="WrightException"/>
/// whose code says which rule refused. The files go back to the parent's content, HEAD moves to
/// the parent, and every other uncommitted change stays as it was.
/// </summary>
public sealed class AiCommitUndo
{
    private readonly GitRunner _git;
    private readonly GitService _gitService;
    private readonly ActionRunner _runner;
    private readonly ILogger<AiCommitUndo> _logger;

    public AiCommitUndo(GitRunner git, GitService gitService, ActionRunner runner, ILogger<AiCommitUndo> logger)
    {
        _git = git;
        _gitService = gitService;
        _runner = runner;
        _logger = logger;
    }

    /// <param name="expectedSha">The commit the user means to undo (as the client last saw HEAD); null for whatever HEAD is.</param>
    public async Task<UndoResult> UndoLastAsync(Guid projectId, string root, string? expectedSha, CancellationToken cancellationToken)
    {
        // A run interrupted by a crash is settled first, so undo sees the repository as it really is.
        await _runner.RecoverAsync(root, cancellationToken).ConfigureAwait(false);

        var head = await _git.RunAsync(root, ["rev-parse", "--verify", "--quiet", "HEAD"], cancellationToken).ConfigureAwait(false);
        if (!head.Succeeded)
        {
            throw WrightException.Conflict(ActionErrorCodes.UndoNothingToUndo, "The repository has no commit, so there is nothing to undo.");
        }

        var sha = head.StandardOutput.Trim();
        if (expectedSha is not null && !sha.StartsWith(GitInput.Revision(expectedSha), StringComparison.OrdinalIgnoreCase))
        {
            throw WrightException.Conflict(ActionErrorCodes.UndoNotHead, $"Commit {expectedSha} is not HEAD any more (HEAD is {sha[..12]}); only the newest commit can be undone.");
        }

        var commit = await _gitService.GetCommitAsync(root, sha, cancellationToken).ConfigureAwait(false);
        var actionId = commit.Trailers.FirstOrDefault(t => t.Key == ActionRunner.ActionTrailer)?.Value;
        var project = commit.Trailers.FirstOrDefault(t => t.Key == ActionRunner.ProjectTrailer)?.Value;
        if (actionId is null || project is null)
        {
            throw WrightException.Conflict(ActionErrorCodes.UndoNotAiCommit, $"HEAD ({sha[..12]} \"{commit.Subject}\") was not made by Wright's AI; undo only takes back AI commits. Use git to revert it.");
        }

        if (!Guid.TryParse(project, out var owner) || owner != projectId)
        {
            throw WrightException.Conflict(ActionErrorCodes.UndoNotAiCommit, $"HEAD ({sha[..12]}) is an AI commit of another Wright project ({project}); undo only takes back this project's commits.");
        }

        if (commit.Parents.Count > 1)
        {
            throw WrightException.Conflict(ActionErrorCodes.UndoMergeCommit, $"HEAD ({sha[..12]}) is a merge commit; undo does not take back merges.");
        }

        if (commit.Parents.Count == 0)
        {
            throw WrightException.Conflict(ActionErrorCodes.UndoRootCommit, $"HEAD ({sha[..12]}) is the repository's first commit; there is nothing before it to go back to.");
        }

        var remotes = await _git.RunCheckedAsync(root, ["for-each-ref", "--contains", sha, "--format=%(refname:short)", "refs/remotes/"], cancellationToken).ConfigureAwait(false);
        var pushedTo = remotes.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (pushedTo.Length > 0)
        {
            throw WrightException.Conflict(ActionErrorCodes.UndoCommitPushed, $"HEAD ({sha[..12]}) has been pushed ({string.Join(", ", pushedTo)}); undoing it would rewrite shared history. Revert it with a new commit instead.");
        }

        var parent = commit.Parents[0];
        var changed = (await _git.RunCheckedAsync(root, ["diff-tree", "-r", "-z", "--no-renames", "--name-status", parent, sha], cancellationToken).ConfigureAwait(false))
            .Split('\0', StringSplitOptions.RemoveEmptyEntries);
        var files = new List<(string Status, string Path)>();
        for (var i = 0; i + 1 < changed.Length; i += 2)
        {
            files.Add((changed[i], changed[i + 1]));
        }

        var status = await _gitService.GetStatusAsync(root, cancellationToken).ConfigureAwait(false);
        var paths = files.Select(f => f.Path).ToHashSet(StringComparer.Ordinal);
        var dirty = status.Entries.Where(e => paths.Contains(e.Path) || (e.OriginalPath is not null && paths.Contains(e.OriginalPath))).Select(e => e.Path).ToList();
        if (dirty.Count > 0 || status.Truncated)
        {
            throw WrightException.Conflict(ActionErrorCodes.UndoUncommittedChanges, $"You have uncommitted edits to {string.Join(", ", dirty)}, which the AI commit {sha[..12]} changed; commit or discard them first so undo cannot lose them.");
        }

        // Move HEAD back keeping the working tree, then give the commit's files their parent's content.
        await _git.RunCheckedAsync(root, ["reset", "--quiet", "--soft", parent], cancellationToken).ConfigureAwait(false);
        var existed = files.Where(f => f.Status != "A").Select(f => f.Path).ToList();
        var added = files.Where(f => f.Status == "A").Select(f => f.Path).ToList();
        if (existed.Count > 0)
        {
            await _git.RunCheckedAsync(root, ["--literal-pathspecs", "checkout", "--quiet", parent, "--", .. existed], cancellationToken).ConfigureAwait(false);
        }

        if (added.Count > 0)
        {
            await _git.RunCheckedAsync(root, ["--literal-pathspecs", "rm", "--quiet", "--force", "--", .. added], cancellationToken).ConfigureAwait(false);
        }

        ActionsLog.Undone(_logger, sha, root, parent);
        return new UndoResult(sha, parent, files.Select(f => f.Path).ToList());
    }
}
