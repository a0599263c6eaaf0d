using System.Text;
using Wright.Core.Errors;

namespace Wright.Core.Git;

public sealed partial class GitService
{
    /// <summary>
    /// Commits <paramref name="paths"/> (every change in the working tree when null or empty, new
    /// and deleted files included, ignored files not) with <paramref name="message"/> and the given
    /// trailers. Other staged changes stay staged when paths are given. Hooks are skipped
    /// (<c>--no-verify</c>): Wright commits on the user's behalf and a hook must not veto an undo.
    /// </summary>
    public async Task<GitCommit> CommitAsync(
        string root,
        string message,
        IReadOnlyList<string>? paths,
        IReadOnlyList<KeyValuePair<string, string>>? trailers,
        CancellationToken cancellationToken)
    {
        GitInput.CommitMessage(message);
        var pathList = (paths ?? []).Select(GitInput.RelativePath).Distinct(StringComparer.Ordinal).ToList();
        var trailerArguments = (trailers ?? [])
            .Select(t => GitInput.Trailer(t.Key, t.Value))
            .SelectMany(t => new[] { "--trailer", $"{t.Key}: {t.Value}" })
            .ToList();

        var sha = await WithLockAsync(root, async () =>
        {
            // Literal pathspecs: a path such as ':(top)x' or '*.cs' names exactly that file, never a pattern.
            var add = await _git.RunAsync(root, ["--literal-pathspecs", "add", "--all", "--", .. (pathList.Count > 0 ? pathList : ["."])], cancellationToken).ConfigureAwait(false);
            if (!add.Succeeded)
            {
                throw AddFailed(add.StandardError);
            }

            var staged = await _git.RunAsync(root, ["--literal-pathspecs", "diff", "--cached", "--quiet", "--no-ext-diff", "--", .. pathList], cancellationToken).ConfigureAwait(false);
            if (staged.ExitCode == 0)
            {
                throw WrightException.Conflict(ErrorCodes.NothingToCommit, pathList.Count > 0
                    ? "None of the given paths has a change to commit."
                    : "The working tree has no change to commit.");
            }

            List<string> arguments = ["--literal-pathspecs", "commit", "--quiet", "--no-verify", "--cleanup=whitespace", "--file=-", .. trailerArguments];
            if (pathList.Count > 0)
            {
                arguments.AddRange(["--only", "--", .. pathList]);
            }

            await GitIdentity.CommitAsync(_git, root, arguments, cancellationToken, standardInput: message).ConfigureAwait(false);
            return (await _git.RunCheckedAsync(root, ["rev-parse", "--verify", "HEAD"], cancellationToken).ConfigureAwait(false)).Trim();
        }, cancellationToken).ConfigureAwait(false);

        GitLog.Committed(_logger, sha, root);
        return await GetCommitAsync(root, sha, cancellationToken).ConfigureAwait(false);
    }

    private static WrightException AddFailed(string standardError)
    {
        if (standardError.Contains("did not match any files", StringComparison.Ordinal))
        {
            return WrightException.NotFound(ErrorCodes.FileNotFound, "A path to commit matches no file, changed or tracked: " + standardError.Trim());
        }

        if (standardError.Contains("ignored by one of your .gitignore files", StringComparison.Ordinal))
        {
            return WrightException.Invalid(ErrorCodes.PathIgnored, "A path to commit is ignored by .gitignore; remove it from the list or from .gitignore.");
        }

        if (standardError.Contains("beyond a symbolic link", StringComparison.Ordinal))
        {
            return WrightException.Invalid(ErrorCodes.PathOutsideProject, "A path to commit lies beyond a symbolic link.");
        }

        return WrightException.Conflict(ErrorCodes.GitFailed, "git add failed: " + standardError.Trim());
    }

    /// <summary>Local branches by name, with their tips, the current one, and upstream tracking.</summary>
    public async Task<IReadOnlyList<GitBranch>> ListBranchesAsync(string root, CancellationToken cancellationToken)
    {
        var output = await _git.RunCheckedAsync(
            root,
            ["for-each-ref", "--format=%(refname)%00%(objectname)%00%(HEAD)%00%(upstream:short)%00%(upstream:track,nobracket)", "refs/heads/"],
            cancellationToken).ConfigureAwait(false);
        var branches = new List<GitBranch>();
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var f = line.Split('\0');
            if (f.Length != 5 || !f[0].StartsWith("refs/heads/", StringComparison.Ordinal))
            {
                continue;
            }

            var (ahead, behind) = ParseTrack(f[3], f[4]);
            branches.Add(new GitBranch(f[0]["refs/heads/".Length..], f[1], f[2] == "*", f[3].Length == 0 ? null : f[3], ahead, behind));
        }

        branches.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        return branches;
    }

    private static (int? Ahead, int? Behind) ParseTrack(string upstream, string track)
    {
        if (upstream.Length == 0 || track == "gone")
        {
            return (null, null);
        }

        int ahead = 0, behind = 0;
        foreach (var part in track.Split(", ", StringSplitOptions.RemoveEmptyEntries))
        {
            var kv = part.Split(' ');
            if (kv.Length == 2 && int.TryParse(kv[1], System.Globalization.CultureInfo.InvariantCulture, out var n))
            {
                if (kv[0] == "ahead")
                {
                    ahead = n;
                }
                else if (kv[0] == "behind")
                {
                    behind = n;
                }
            }
        }

        return (ahead, behind);
    }

    /// <summary>
    /// Creates branch <paramref name="name"/> at <paramref name="startPoint"/> (HEAD by default),
    /// and switches to it when asked. <c>branch_exists</c> if the name is taken.
    /// </summary>
    public async Task<GitBranch> CreateBranchAsync(string root, string name, string? startPoint, bool switchTo, CancellationToken cancellationToken)
    {
        await ValidateBranchNameAsync(root, name, cancellationToken).ConfigureAwait(false);
        var sha = startPoint is null
            ? await TryResolveCommitAsync(root, "HEAD", cancellationToken).ConfigureAwait(false)
                ?? throw WrightException.Conflict(ErrorCodes.RepositoryEmpty, "The repository has no commit yet to branch from; commit first.")
            : await ResolveCommitAsync(root, startPoint, cancellationToken).ConfigureAwait(false);

        await WithLockAsync(root, async () =>
        {
            // 'create' refuses to overwrite an existing ref, so a concurrent creator loses cleanly.
            var result = await _git.RunAsync(root, ["update-ref", "--stdin"], cancellationToken, standardInput: $"create refs/heads/{name} {sha}\n").ConfigureAwait(false);
            if (!result.Succeeded)
            {
                throw result.StandardError.Contains("reference already exists", StringComparison.Ordinal)
                    ? WrightException.Conflict(ErrorCodes.BranchExists, $"Branch '{name}' already exists.")
                    : WrightException.Conflict(ErrorCodes.BranchExists, $"Branch '{name}' cannot be created: {result.StandardError.Trim()}");
            }

            return true;
        }, cancellationToken).ConfigureAwait(false);
        GitLog.BranchCreated(_logger, name, sha, root);

        if (switchTo)
        {
            await SwitchBranchAsync(root, name, cancellationToken).ConfigureAwait(false);
        }

        return (await ListBranchesAsync(root, cancellationToken).ConfigureAwait(false)).Single(b => b.Name == name);
    }

    /// <summary>
    /// Checks out branch <paramref name="name"/>. Uncommitted changes that the switch would
    /// overwrite are never lost: git refuses and so does this, with <c>uncommitted_changes</c>
    /// and the paths in question.
    /// </summary>
    public async Task<GitStatus> SwitchBranchAsync(string root, string name, CancellationToken cancellationToken)
    {
        GitInput.BranchName(name);
        var exists = await _git.RunAsync(root, ["show-ref", "--verify", "--quiet", "refs/heads/" + name], cancellationToken).ConfigureAwait(false);
        if (!exists.Succeeded)
        {
            throw WrightException.NotFound(ErrorCodes.BranchNotFound, $"There is no branch '{name}'.");
        }

        await WithLockAsync(root, async () =>
        {
            var result = await _git.RunAsync(root, ["switch", "--quiet", "--no-guess", "--end-of-options", name], cancellationToken).ConfigureAwait(false);
            if (!result.Succeeded)
            {
                throw SwitchFailed(name, result.StandardError);
            }

            return true;
        }, cancellationToken).ConfigureAwait(false);
        GitLog.Switched(_logger, name, root);
        return await GetStatusAsync(root, cancellationToken).ConfigureAwait(false);
    }

    private static WrightException SwitchFailed(string name, string standardError)
    {
        if (!standardError.Contains("would be overwritten by checkout", StringComparison.Ordinal))
        {
            return WrightException.Conflict(ErrorCodes.GitFailed, $"git could not switch to '{name}': {standardError.Trim()}");
        }

        // git lists the paths it protects one per line, indented with a tab.
        var paths = standardError.Split('\n').Where(l => l.StartsWith('\t')).Select(l => l[1..]).ToList();
        var detail = new StringBuilder($"Switching to '{name}' would overwrite uncommitted changes; commit or discard them first: ");
        detail.AppendJoin(", ", paths);
        return WrightException.Conflict(ErrorCodes.UncommittedChanges, detail.ToString(), new Dictionary<string, object?> { ["paths"] = paths });
    }

    private async Task ValidateBranchNameAsync(string root, string name, CancellationToken cancellationToken)
    {
        GitInput.BranchName(name);
        var result = await _git.RunAsync(root, ["check-ref-format", "--branch", name], cancellationToken).ConfigureAwait(false);

        // --branch also expands '@{-1}' to the branch it stands for: only a name that is its own expansion is a new name.
        if (!result.Succeeded || result.StandardOutput.TrimEnd('\n') != name)
        {
            throw GitInput.InvalidBranchName(name);
        }
    }
}
