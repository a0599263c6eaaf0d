using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Wright.Core.Errors;

namespace Wright.Core.Git;

public sealed partial class GitService
{
    private const int MaxRemoteNameLength = 100;

    /// <summary>A fetch, pull or push that takes longer is stopped (a remote that accepted the connection and went silent).</summary>
    private static readonly TimeSpan TransportTimeout = TimeSpan.FromMinutes(10);

    /// <summary>Only these transports, whatever the user's or repository's configuration says: never <c>ext::</c>, which runs commands.</summary>
    private static readonly string[] TransportConfig =
    [
        "-c", "protocol.allow=never", "-c", "protocol.file.allow=always", "-c", "protocol.https.allow=always", "-c", "protocol.http.allow=always",
        "-c", "protocol.ssh.allow=always", "-c", "protocol.git.allow=always",
    ];

    /// <summary>True for an absolute path or a file, http(s), ssh, git or scp-like URL (the syntax only; <see cref="RemoteUrlPolicy"/> decides who may use it).</summary>
    internal static bool IsAllowedTransportUrl(string url) =>
        Path.IsPathFullyQualified(url) || FileUrl().IsMatch(url) || AllowedUrl().IsMatch(url) || ScpLikeUrl().IsMatch(url);

    /// <summary>The repository's remotes by name.</summary>
    public async Task<IReadOnlyList<GitRemote>> ListRemotesAsync(string root, CancellationToken cancellationToken)
    {
        var output = await _git.RunCheckedAsync(root, ["remote", "-v"], cancellationToken).ConfigureAwait(false);
        var fetch = new Dictionary<string, string>(StringComparer.Ordinal);
        var push = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var tab = line.IndexOf('\t', StringComparison.Ordinal);
            if (tab <= 0)
            {
                continue;
            }

            var name = line[..tab];
            var rest = line[(tab + 1)..];
            if (rest.EndsWith(" (fetch)", StringComparison.Ordinal))
            {
                fetch[name] = rest[..^" (fetch)".Length];
            }
            else if (rest.EndsWith(" (push)", StringComparison.Ordinal))
            {
                push[name] = rest[..^" (push)".Length];
            }
        }

        return fetch.Keys.Union(push.Keys)
            .Order(StringComparer.Ordinal)
            .Select(n => new GitRemote(n, MaskPassword(fetch.GetValueOrDefault(n) ?? push[n]), MaskPassword(push.GetValueOrDefault(n) ?? fetch[n])))
            .ToList();
    }

    /// <summary>Adds remote <paramref name="name"/> at <paramref name="url"/> (already allowed by <see cref="RemoteUrlPolicy"/>); <c>remote_exists</c> when the name is taken.</summary>
    public async Task<GitRemote> AddRemoteAsync(string root, string name, string url, CancellationToken cancellationToken)
    {
        await ValidateRemoteNameAsync(root, name, cancellationToken).ConfigureAwait(false);
        await WithLockAsync(root, async () =>
        {
            var result = await _git.RunAsync(root, ["remote", "add", "--", name, url], cancellationToken).ConfigureAwait(false);
            if (!result.Succeeded)
            {
                throw result.StandardError.Contains("already exists", StringComparison.Ordinal)
                    ? WrightException.Conflict(ErrorCodes.RemoteExists, $"The repository already has a remote '{name}'; delete it first or choose another name.")
                    : GitRunner.Failed(["remote"], result.StandardError);
            }

            return true;
        }, cancellationToken).ConfigureAwait(false);
        return (await ListRemotesAsync(root, cancellationToken).ConfigureAwait(false)).Single(r => r.Name == name);
    }

    /// <summary>Removes remote <paramref name="name"/> and its remote-tracking branches; <c>remote_not_found</c> when there is none.</summary>
    public async Task RemoveRemoteAsync(string root, string name, CancellationToken cancellationToken)
    {
        RemoteName(name);
        await WithLockAsync(root, async () =>
        {
            var result = await _git.RunAsync(root, ["remote", "remove", "--", name], cancellationToken).ConfigureAwait(false);
            if (!result.Succeeded)
            {
                throw result.StandardError.Contains("No such remote", StringComparison.OrdinalIgnoreCase)
                    ? RemoteNotFound(name)
                    : GitRunner.Failed(["remote"], result.StandardError);
            }

            return true;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Every URL a fetch (or a push) of <paramref name="remote"/> would use (a remote may have
    /// several; <c>insteadOf</c> rewrites applied), unmasked, for the caller to check against
    /// <see cref="RemoteUrlPolicy"/> before any transfer.
    /// </summary>
    public async Task<IReadOnlyList<string>> GetRemoteUrlsAsync(string root, string remote, bool push, CancellationToken cancellationToken)
    {
        RemoteName(remote);
        var result = await _git.RunAsync(root, ["remote", "get-url", "--all", .. (push ? (string[])["--push"] : []), "--", remote], cancellationToken).ConfigureAwait(false);
        return result.Succeeded ? result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries) : throw RemoteNotFound(remote);
    }

    /// <summary>
    /// The remote a fetch, pull or push uses when the client names none: the current branch's
    /// upstream remote, else <c>origin</c>.
    /// </summary>
    public async Task<string> DefaultRemoteAsync(string root, string? requested, CancellationToken cancellationToken)
    {
        if (requested is { Length: > 0 })
        {
            return RemoteName(requested);
        }

        var branch = await CurrentBranchAsync(root, cancellationToken).ConfigureAwait(false);
        if (branch is not null && await ConfigValueAsync(root, $"branch.{branch}.remote", cancellationToken).ConfigureAwait(false) is { Length: > 0 } upstream && upstream != ".")
        {
            return upstream;
        }

        return "origin";
    }

    /// <summary>Fetches <paramref name="remote"/> (pruning deleted branches) and reports the current branch against its upstream.</summary>
    public async Task<GitFetchResult> FetchAsync(string root, string remote, CancellationToken cancellationToken)
    {
        await RunTransportAsync(root, remote, ["fetch", "--quiet", "--prune", "--no-recurse-submodules", "--no-write-fetch-head", "--", remote], cancellationToken).ConfigureAwait(false);
        var branch = (await ListBranchesAsync(root, cancellationToken).ConfigureAwait(false)).FirstOrDefault(b => b.Current);
        return new GitFetchResult(remote, branch?.Name, branch?.Upstream, branch?.Ahead, branch?.Behind);
    }

    /// <summary>
    /// Fetches <paramref name="remote"/> and merges its <paramref name="branch"/> (by default the
    /// upstream's branch, else the current branch's name) into the current branch: nothing to do,
    /// a fast-forward, a merge commit, or a merge stopped on conflicts and left in progress.
    /// Uncommitted changes the merge would overwrite are never lost: <c>uncommitted_changes</c>.
    /// </summary>
    public async Task<GitPullResult> PullAsync(string root, string remote, string? branch, CancellationToken cancellationToken)
    {
        var current = await CurrentBranchAsync(root, cancellationToken).ConfigureAwait(false)
            ?? throw WrightException.Conflict(ErrorCodes.RefInvalid, "HEAD is detached: switch to a branch before pulling.");
        await EnsureNoMergeAsync(root, cancellationToken).ConfigureAwait(false);
        var remoteBranch = branch is { Length: > 0 } ? GitInput.BranchName(branch) : await UpstreamBranchAsync(root, current, remote, cancellationToken).ConfigureAwait(false) ?? current;

        await RunTransportAsync(root, remote, ["fetch", "--quiet", "--no-recurse-submodules", "--no-write-fetch-head", "--", remote], cancellationToken).ConfigureAwait(false);
        var target = await TryResolveCommitAsync(root, $"refs/remotes/{remote}/{remoteBranch}", cancellationToken).ConfigureAwait(false)
            ?? throw WrightException.NotFound(ErrorCodes.BranchNotFound, $"The remote '{remote}' has no branch '{remoteBranch}'.");
        var head = await TryResolveCommitAsync(root, "HEAD", cancellationToken).ConfigureAwait(false)
            ?? throw WrightException.Conflict(ErrorCodes.RepositoryEmpty, "The repository has no commit yet to merge into.");

        return await WithLockAsync(root, async () =>
        {
            if (await IsAncestorAsync(root, target, head, cancellationToken).ConfigureAwait(false))
            {
                return new GitPullResult(GitPullOutcome.UpToDate, remote, remoteBranch, head, []);
            }

            var fastForward = await IsAncestorAsync(root, head, target, cancellationToken).ConfigureAwait(false);
            var identity = fastForward ? [] : await IdentityConfigAsync(root, cancellationToken).ConfigureAwait(false);
            List<string> arguments =
            [
                .. identity, "-c", "commit.gpgSign=false", "merge", "--quiet", "--no-verify", "--no-edit", "--no-autostash",
                fastForward ? "--ff-only" : "--no-ff", "-m", $"Merge branch '{remoteBranch}' of {remote}", target,
            ];
            var result = await _git.RunAsync(root, arguments, cancellationToken).ConfigureAwait(false);
            var after = (await _git.RunCheckedAsync(root, ["rev-parse", "--verify", "HEAD"], cancellationToken).ConfigureAwait(false)).Trim();
            if (result.Succeeded)
            {
                GitLog.Pulled(_logger, remote, remoteBranch, after, root);
                return new GitPullResult(fastForward ? GitPullOutcome.FastForward : GitPullOutcome.Merged, remote, remoteBranch, after, []);
            }

            var conflicts = await ConflictedPathsAsync(root, cancellationToken).ConfigureAwait(false);
            if (conflicts.Count > 0 && await MergeInProgressAsync(root, cancellationToken).ConfigureAwait(false))
            {
                return new GitPullResult(GitPullOutcome.Conflict, remote, remoteBranch, after, conflicts);
            }

            throw MergeRefused(result.StandardError + result.StandardOutput);
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Abandons a merge in progress, returning the working tree and index to HEAD; <c>no_merge_in_progress</c> when there is none.</summary>
    public async Task<GitStatus> AbortMergeAsync(string root, CancellationToken cancellationToken)
    {
        await WithLockAsync(root, async () =>
        {
            if (!await MergeInProgressAsync(root, cancellationToken).ConfigureAwait(false))
            {
                throw WrightException.Conflict(ErrorCodes.NoMergeInProgress, "There is no merge in progress to abort.");
            }

            await _git.RunCheckedAsync(root, ["merge", "--abort"], cancellationToken).ConfigureAwait(false);
            return true;
        }, cancellationToken).ConfigureAwait(false);
        return await GetStatusAsync(root, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Pushes local <paramref name="branch"/> (the current one by default) to the branch of the same
    /// name on <paramref name="remote"/>, optionally recording it as the upstream. A remote that
    /// moved on is <c>push_rejected</c> (pull first); nothing is ever forced.
    /// </summary>
    public async Task<GitPushResult> PushAsync(string root, string remote, string? branch, bool setUpstream, CancellationToken cancellationToken)
    {
        var name = branch is { Length: > 0 }
            ? GitInput.BranchName(branch)
            : await CurrentBranchAsync(root, cancellationToken).ConfigureAwait(false) ?? throw WrightException.Conflict(ErrorCodes.RefInvalid, "HEAD is detached: name the branch to push.");
        var head = await TryResolveCommitAsync(root, "refs/heads/" + name, cancellationToken).ConfigureAwait(false)
            ?? throw WrightException.NotFound(ErrorCodes.BranchNotFound, $"There is no branch '{name}'.");

        // Hooks are skipped like Wright's commits skip them: a pre-push hook is a program in the
        // repository, which the model's commands can write, and this runs outside the sandbox.
        List<string> arguments = ["push", "--porcelain", "--no-verify", "--no-recurse-submodules"];
        if (setUpstream)
        {
            arguments.Add("--set-upstream");
        }

        arguments.AddRange(["--", remote, $"refs/heads/{name}:refs/heads/{name}"]);
        await RunTransportAsync(root, remote, arguments, cancellationToken, push: true).ConfigureAwait(false);
        GitLog.Pushed(_logger, remote, name, head, root);
        return new GitPushResult(remote, name, head);
    }

    /// <summary>
    /// Runs a fetch or push of <paramref name="remote"/>: allowed transports only, the remote's
    /// programs pinned to git's own, ssh in batch mode, bounded in time, and git's failures turned
    /// into codes a user can act on (credentials, reachability, a rejected push).
    /// </summary>
    private async Task RunTransportAsync(string root, string remote, List<string> arguments, CancellationToken cancellationToken, bool push = false)
    {
        var environment = new Dictionary<string, string>();
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("GIT_SSH_COMMAND")))
        {
            // BatchMode: ssh fails rather than asking for a password or a host key confirmation.
            environment["GIT_SSH_COMMAND"] = "ssh -o BatchMode=yes -o ConnectTimeout=30";
        }

        // The repository's own configuration could name any program as the remote side; command-line values win.
        string[] pinned = ["-c", $"remote.{remote}.uploadpack=git-upload-pack", "-c", $"remote.{remote}.receivepack=git-receive-pack"];
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(TransportTimeout);
        GitCommandResult result;
        try
        {
            result = await _git.RunAsync(root, [.. TransportConfig, .. pinned, .. arguments], deadline.Token, environment: environment).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new WrightException(ErrorKind.GatewayTimeout, ErrorCodes.RemoteUnreachable, $"The remote '{remote}' did not finish within {TransportTimeout.TotalMinutes.ToString(CultureInfo.InvariantCulture)} minutes.");
        }

        if (!result.Succeeded)
        {
            throw TransportFailed(remote, result.StandardError, push ? result.StandardOutput : "");
        }
    }

    private static WrightException TransportFailed(string remote, string standardError, string porcelain)
    {
        var message = RedactUserInfo(standardError.Trim());
        if (porcelain.Contains("[rejected]", StringComparison.Ordinal) || porcelain.Contains("[remote rejected]", StringComparison.Ordinal)
            || message.Contains("[rejected]", StringComparison.Ordinal) || message.Contains("non-fast-forward", StringComparison.Ordinal))
        {
            return WrightException.Conflict(ErrorCodes.PushRejected, $"'{remote}' has commits this branch does not have (or refused the update): pull first, then push again. git said: {message}");
        }

        if (CredentialFailure().IsMatch(message))
        {
            return new WrightException(ErrorKind.BadGateway, ErrorCodes.RemoteAuthFailed, $"'{remote}' needs credentials the server's git does not have (Wright never prompts for them): set up a credential helper or an SSH key for the account that runs Wright. git said: {message}");
        }

        return new WrightException(ErrorKind.BadGateway, ErrorCodes.RemoteUnreachable, $"git could not talk to '{remote}': {message}");
    }

    private static WrightException MergeRefused(string output)
    {
        if (output.Contains("would be overwritten by merge", StringComparison.Ordinal) || output.Contains("untracked working tree files would be", StringComparison.Ordinal))
        {
            var paths = output.Split('\n').Where(l => l.StartsWith('\t')).Select(l => l[1..]).ToList();
            return WrightException.Conflict(ErrorCodes.UncommittedChanges, "Pulling would overwrite uncommitted changes; commit or discard them first: " + string.Join(", ", paths), new Dictionary<string, object?> { ["paths"] = paths });
        }

        return WrightException.Conflict(ErrorCodes.GitFailed, "git merge failed: " + output.Trim());
    }

    private async Task EnsureNoMergeAsync(string root, CancellationToken cancellationToken)
    {
        if (await MergeInProgressAsync(root, cancellationToken).ConfigureAwait(false))
        {
            throw WrightException.Conflict(ErrorCodes.MergeInProgress, "A merge is in progress: resolve its conflicts and commit, or abort it (POST git/merge:abort), before pulling again.");
        }
    }

    private async Task<bool> MergeInProgressAsync(string root, CancellationToken cancellationToken) =>
        (await _git.RunAsync(root, ["rev-parse", "--verify", "--quiet", "MERGE_HEAD"], cancellationToken).ConfigureAwait(false)).Succeeded;

    private async Task<List<string>> ConflictedPathsAsync(string root, CancellationToken cancellationToken)
    {
        var output = await _git.RunCheckedAsync(root, ["diff", "--name-only", "--diff-filter=U", "-z", "--no-ext-diff"], cancellationToken).ConfigureAwait(false);
        return output.Split('\0', StringSplitOptions.RemoveEmptyEntries).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
    }

    private async Task<bool> IsAncestorAsync(string root, string ancestor, string descendant, CancellationToken cancellationToken) =>
        (await _git.RunAsync(root, ["merge-base", "--is-ancestor", ancestor, descendant], cancellationToken).ConfigureAwait(false)).ExitCode == 0;

    private async Task<string?> CurrentBranchAsync(string root, CancellationToken cancellationToken)
    {
        var result = await _git.RunAsync(root, ["symbolic-ref", "--quiet", "--short", "HEAD"], cancellationToken).ConfigureAwait(false);
        return result.Succeeded ? result.StandardOutput.Trim() : null;
    }

    /// <summary>The branch of <paramref name="remote"/> that <paramref name="branch"/> tracks, when its upstream is on that remote.</summary>
    private async Task<string?> UpstreamBranchAsync(string root, string branch, string remote, CancellationToken cancellationToken)
    {
        if (await ConfigValueAsync(root, $"branch.{branch}.remote", cancellationToken).ConfigureAwait(false) != remote)
        {
            return null;
        }

        var merge = await ConfigValueAsync(root, $"branch.{branch}.merge", cancellationToken).ConfigureAwait(false);
        return merge is not null && merge.StartsWith("refs/heads/", StringComparison.Ordinal) ? merge["refs/heads/".Length..] : null;
    }

    private async Task<string?> ConfigValueAsync(string root, string key, CancellationToken cancellationToken)
    {
        var result = await _git.RunAsync(root, ["config", "--get", key], cancellationToken).ConfigureAwait(false);
        return result.Succeeded ? result.StandardOutput.Trim() : null;
    }

    /// <summary>A merge commit needs a committer: the machine's identity, else Wright's (as <see cref="GitIdentity"/> does for commits).</summary>
    private async Task<string[]> IdentityConfigAsync(string root, CancellationToken cancellationToken)
    {
        var identity = new List<string>();
        if (string.IsNullOrWhiteSpace(await ConfigValueAsync(root, "user.email", cancellationToken).ConfigureAwait(false)))
        {
            identity.AddRange(["-c", $"user.email={GitIdentity.FallbackEmail}"]);
        }

        if (string.IsNullOrWhiteSpace(await ConfigValueAsync(root, "user.name", cancellationToken).ConfigureAwait(false)))
        {
            identity.AddRange(["-c", $"user.name={GitIdentity.FallbackName}"]);
        }

        return [.. identity];
    }

    private async Task ValidateRemoteNameAsync(string root, string name, CancellationToken cancellationToken)
    {
        RemoteName(name);

        // git's own rule for a remote name: it must make a valid remote-tracking ref.
        var result = await _git.RunAsync(root, ["check-ref-format", $"refs/remotes/{name}/x"], cancellationToken).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            throw InvalidRemoteName(name);
        }
    }

    /// <summary>The checks of a remote name that need no git: it lands in config keys and refspecs, so it is a plain name.</summary>
    private static string RemoteName(string? name)
    {
        if (string.IsNullOrEmpty(name) || name.Length > MaxRemoteNameLength || name[0] == '-' || !RemoteNamePattern().IsMatch(name))
        {
            throw InvalidRemoteName(name);
        }

        return name;
    }

    private static WrightException InvalidRemoteName(string? name) =>
        WrightException.Invalid(ErrorCodes.RemoteNameInvalid, $"'{name}' is not a valid remote name: use letters, digits, '.', '_', '-' and '/' (for example 'origin' or 'upstream').");

    private static WrightException RemoteNotFound(string name) =>
        WrightException.NotFound(ErrorCodes.RemoteNotFound, $"The repository has no remote '{name}'.");

    private static string MaskPassword(string url) => Password().Replace(url, "://$1:***@");

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._/-]*$", RegexOptions.CultureInvariant)]
    private static partial Regex RemoteNamePattern();

    [GeneratedRegex("://([^/@:\\s]+):[^/@\\s]+@", RegexOptions.CultureInvariant)]
    private static partial Regex Password();

    [GeneratedRegex(
        "terminal prompts disabled|could not read (Username|Password)|Authentication failed|Permission denied \\(|Host key verification failed|HTTP Basic: Access denied|returned error: 40[13]|Invalid username or password",
        RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex CredentialFailure();
}

/// <summary>Log messages of transfers with remotes (the 4100–4199 range of git).</summary>
internal static partial class GitLog
{
    [LoggerMessage(EventId = 4110, Level = LogLevel.Information, Message = "Pulled {Remote}/{Branch} into {Root}; HEAD is {Head}")]
    public static partial void Pulled(ILogger logger, string remote, string branch, string head, string root);

    [LoggerMessage(EventId = 4111, Level = LogLevel.Information, Message = "Pushed {Branch} ({Head}) from {Root} to {Remote}")]
    public static partial void Pushed(ILogger logger, string remote, string branch, string head, string root);
}
