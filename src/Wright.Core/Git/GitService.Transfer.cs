using System.Text.RegularExpressions;
using Wright.Core.Errors;

namespace Wright.Core.Git;

public sealed partial class GitService
{
    /// <summary>
    /// Clones <paramref name="url"/> into <paramref name="destination"/>, which must not exist or be
    /// empty. Only file, http(s), ssh and git transports are allowed (never <c>ext::</c>, which runs
    /// commands); credentials are never prompted for, so a private URL fails instead of hanging.
    /// </summary>
    public Task CloneAsync(string url, string destination, CancellationToken cancellationToken) =>
        CloneAsync(url, destination, progress: null, cancellationToken);

    /// <summary>As <see cref="CloneAsync(string, string, CancellationToken)"/>, reporting git's progress meters (receiving objects, resolving deltas…) as they move.</summary>
    public async Task CloneAsync(string url, string destination, IProgress<GitTransferProgress>? progress, CancellationToken cancellationToken)
    {
        ValidateCloneUrl(url);
        var parent = Path.GetDirectoryName(destination) ?? throw WrightException.Invalid(ErrorCodes.ValidationFailed, "A clone needs a destination directory below a parent.");
        Directory.CreateDirectory(parent);

        var environment = new Dictionary<string, string>();
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("GIT_SSH_COMMAND")))
        {
            // BatchMode: ssh fails rather than asking for a password or a host key confirmation.
            environment["GIT_SSH_COMMAND"] = "ssh -o BatchMode=yes";
        }

        string[] arguments =
            ["-c", "protocol.allow=never", "-c", "protocol.file.allow=always", "-c", "protocol.https.allow=always", "-c", "protocol.http.allow=always",
             "-c", "protocol.ssh.allow=always", "-c", "protocol.git.allow=always",
             "clone", progress is null ? "--quiet" : "--progress", "--no-recurse-submodules", "--", url, destination];
        GitCommandResult result;
        if (progress is null)
        {
            result = await _git.RunAsync(parent, arguments, cancellationToken, environment: environment).ConfigureAwait(false);
        }
        else
        {
            var meter = new GitProgressMeter(progress);
            result = await _git.RunStreamingErrorAsync(parent, arguments, meter.Line, cancellationToken, environment).ConfigureAwait(false);
        }

        if (!result.Succeeded)
        {
            throw WrightException.Invalid(ErrorCodes.CloneFailed, $"git could not clone {RedactUserInfo(url)}: {RedactUserInfo(result.StandardError.Trim())}");
        }

        GitLog.Cloned(_logger, destination);
    }

    /// <summary>
    /// Accepts an absolute local path, <c>file://</c>, <c>http(s)://</c>, <c>ssh://</c>,
    /// <c>git://</c> or scp-like <c>user@host:path</c>; refuses anything git could read as an
    /// option or a command.
    /// </summary>
    internal static void ValidateCloneUrl(string? url)
    {
        var ok = !string.IsNullOrWhiteSpace(url)
            && url.Length <= 2048
            && url[0] != '-'
            && !url.Any(c => char.IsControl(c) || char.IsWhiteSpace(c))
            && !url.Contains("::", StringComparison.Ordinal)
            && (Path.IsPathFullyQualified(url) || FileUrl().IsMatch(url) || AllowedUrl().IsMatch(url) || ScpLikeUrl().IsMatch(url));
        if (!ok)
        {
            throw WrightException.Invalid(ErrorCodes.CloneUrlInvalid, "Clone from an absolute path or a file://, https://, http://, ssh://, git:// or user@host:path URL.");
        }
    }

    /// <summary>Every file of the working tree git would not ignore, tracked or not, in path order, each once.</summary>
    public Task<IReadOnlyList<string>> ListWorkingTreeFilesAsync(string root, CancellationToken cancellationToken) =>
        WatchedGitState.ReadAsync(root, WatchedGitState.Question.Listing, () => ReadWorkingTreeFilesAsync(root, cancellationToken));

    private async Task<IReadOnlyList<string>> ReadWorkingTreeFilesAsync(string root, CancellationToken cancellationToken)
    {
        var output = await _git.RunCheckedAsync(root, ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], cancellationToken).ConfigureAwait(false);
        var paths = output.Split('\0', StringSplitOptions.RemoveEmptyEntries).Distinct(StringComparer.Ordinal).ToList();
        paths.Sort(StringComparer.Ordinal);
        return paths;
    }

    /// <summary>Streams a <c>git bundle</c> of every branch, tag and HEAD (not safety points or remote-tracking refs) to <paramref name="destination"/>.</summary>
    public async Task WriteBundleAsync(string root, Stream destination, CancellationToken cancellationToken)
    {
        var arguments = await BundleArgumentsAsync(root, cancellationToken).ConfigureAwait(false);
        await _git.StreamAsync(root, arguments, destination, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Throws <c>repository_empty</c> when there is nothing to bundle, before any byte is sent.</summary>
    public async Task EnsureBundleableAsync(string root, CancellationToken cancellationToken) =>
        await BundleArgumentsAsync(root, cancellationToken).ConfigureAwait(false);

    private async Task<List<string>> BundleArgumentsAsync(string root, CancellationToken cancellationToken)
    {
        var refs = await _git.RunCheckedAsync(root, ["for-each-ref", "--count=1", "--format=%(refname)", "refs/heads/", "refs/tags/"], cancellationToken).ConfigureAwait(false);
        var head = await TryResolveCommitAsync(root, "HEAD", cancellationToken).ConfigureAwait(false);
        if (refs.Trim().Length == 0 && head is null)
        {
            throw WrightException.Conflict(ErrorCodes.RepositoryEmpty, "The repository has no commit to bundle yet.");
        }

        List<string> arguments = ["bundle", "create", "--quiet", "-", "--branches", "--tags"];
        if (head is not null)
        {
            arguments.Add("HEAD");
        }

        return arguments;
    }

    /// <summary>A URL or message with any user:password@ part masked.</summary>
    public static string RedactUserInfo(string text) => UserInfo().Replace(text, "://***@");

    [GeneratedRegex("^(https?|ssh|git)://[^/]", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex AllowedUrl();

    [GeneratedRegex("^file:///", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex FileUrl();

    [GeneratedRegex(@"^[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:[^/\\]", RegexOptions.CultureInvariant)]
    private static partial Regex ScpLikeUrl();

    [GeneratedRegex("://[^/@\\s]+@", RegexOptions.CultureInvariant)]
    private static partial Regex UserInfo();
}
