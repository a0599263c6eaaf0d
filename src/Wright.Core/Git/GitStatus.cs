namespace Wright.Core.Git;

/// <summary>
/// The working tree of a repository against HEAD. <see cref="Branch"/> is null when HEAD is
/// detached; <see cref="Head"/> is null before the first commit.
/// </summary>
public sealed record GitStatus(
    string? Branch,
    string? Head,
    string? Upstream,
    int? Ahead,
    int? Behind,
    IReadOnlyList<GitStatusEntry> Entries,
    bool Truncated)
{
    public bool IsClean => Entries.Count == 0 && !Truncated;
}

/// <summary>One changed path: its state in the index (staged) and in the working tree (unstaged).</summary>
public sealed record GitStatusEntry(string Path, string? OriginalPath, GitChange Index, GitChange Worktree);
