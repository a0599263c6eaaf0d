namespace Wright.Core.Git;

/// <summary>A remote of a repository: where it fetches from and pushes to (user info passwords masked).</summary>
public sealed record GitRemote(string Name, string FetchUrl, string PushUrl);

/// <summary>How a pull ended.</summary>
public enum GitPullOutcome
{
    /// <summary>The branch already had everything the remote branch has.</summary>
    UpToDate,

    /// <summary>The branch moved forward to the remote branch; no merge commit.</summary>
    FastForward,

    /// <summary>The histories had diverged and merged cleanly into a merge commit.</summary>
    Merged,

    /// <summary>The merge stopped on conflicts and is in progress: resolve and commit, or abort it.</summary>
    Conflict,
}

/// <summary>The result of a pull: its outcome, HEAD after it, and the conflicting paths of a stopped merge.</summary>
public sealed record GitPullResult(GitPullOutcome Outcome, string Remote, string Branch, string Head, IReadOnlyList<string> Conflicts);

/// <summary>The result of a push: what was pushed where.</summary>
public sealed record GitPushResult(string Remote, string Branch, string Head);

/// <summary>The result of a fetch: the remote, and the current branch against its upstream when it has one.</summary>
public sealed record GitFetchResult(string Remote, string? Branch, string? Upstream, int? Ahead, int? Behind);
