namespace Wright.Core.Git;

/// <summary>
/// Commits as the user's configured git identity, and as Wright only when the machine has none
/// (a fresh server or CI), so a commit never fails for want of user.name.
/// </summary>
public static class GitIdentity
{
    public const string FallbackName = "Wright";
    public const string FallbackEmail = "wright@localhost";

    public static async Task<string> CommitAsync(GitRunner git, string root, IReadOnlyList<string> arguments, CancellationToken cancellationToken, string? standardInput = null)
    {
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

        return await git.RunCheckedAsync(root, [.. prefix, .. arguments], cancellationToken, standardInput).ConfigureAwait(false);
    }
}
