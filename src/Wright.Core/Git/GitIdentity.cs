namespace Wright.Core.Git;

/// <summary>
/// Commits as the user's configured git identity, and as Wright only when the machine has none
/// (a fresh server or CI), so a commit never fails for want of user.name.
/// </summary>
/// <remarks>
/// The commit is tried first and the identity looked up only when git refuses for want of one:
/// the usual machine has an identity, and every lookup is a git process on the commit path
/// (a safety point makes two commits).
/// </remarks>
public static class GitIdentity
{
    public const string FallbackName = "Wright";
    public const string FallbackEmail = "wright@localhost";

    /// <summary>Runs a committing git command (commit, commit-tree) and returns its output; throws <c>git_failed</c> when it fails.</summary>
    public static async Task<string> CommitAsync(GitRunner git, string root, IReadOnlyList<string> arguments, CancellationToken cancellationToken, string? standardInput = null)
    {
        var result = await RunAsync(git, root, arguments, cancellationToken, standardInput).ConfigureAwait(false);
        return result.Succeeded ? result.StandardOutput : throw GitRunner.Failed(arguments, result.StandardError);
    }

    /// <summary>Runs a committing git command, retrying once with Wright's fallback for whichever of user.name and user.email the machine lacks.</summary>
    public static async Task<GitCommandResult> RunAsync(GitRunner git, string root, IReadOnlyList<string> arguments, CancellationToken cancellationToken, string? standardInput = null)
    {
        var result = await git.RunAsync(root, arguments, cancellationToken, standardInput).ConfigureAwait(false);
        if (result.Succeeded || !LacksIdentity(result.StandardError))
        {
            return result;
        }

        var email = await git.RunAsync(root, ["config", "user.email"], cancellationToken).ConfigureAwait(false);
        var name = await git.RunAsync(root, ["config", "user.name"], cancellationToken).ConfigureAwait(false);
        var prefix = new List<string>();
        if (!email.Succeeded || string.IsNullOrWhiteSpace(email.StandardOutput))
        {
            prefix.AddRange(["-c", $"user.email={FallbackEmail}"]);
        }

        if (!name.Succeeded || string.IsNullOrWhiteSpace(name.StandardOutput))
        {
            prefix.AddRange(["-c", $"user.name={FallbackName}"]);
        }

        return await git.RunAsync(root, [.. prefix, .. arguments], cancellationToken, standardInput).ConfigureAwait(false);
    }

    private static bool LacksIdentity(string standardError) =>
        standardError.Contains("tell me who you are", StringComparison.OrdinalIgnoreCase)
        || standardError.Contains("empty ident", StringComparison.OrdinalIgnoreCase)
        || standardError.Contains("unable to auto-detect email address", StringComparison.OrdinalIgnoreCase);
}
