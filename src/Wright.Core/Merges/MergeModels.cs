namespace Wright.Core.Merges;

/// <summary>How a merge settles files both branches changed.</summary>
public enum MergeStrategy
{
    /// <summary>Stop on conflicts and change nothing (409 <c>merge_conflict</c>).</summary>
    None,

    /// <summary>Conflicting hunks take the current branch's side.</summary>
    Ours,

    /// <summary>Conflicting hunks take the merged branch's side.</summary>
    Theirs,
}

/// <summary>
/// A merge link: the merge message <see cref="MessageId"/> of session <see cref="SessionId"/> and
/// the branch merged into it — the leaf <see cref="FromMessageId"/> of session
/// <see cref="FromSessionId"/> (the same session for a branch of its own tree) — with the commit
/// that branch was at and the merge commit (whose parents are both branches' commits).
/// </summary>
public sealed record MergeLink(Guid MessageId, Guid SessionId, Guid FromSessionId, Guid FromMessageId, string? MergedCommit, string? CommitSha, string? Strategy, DateTimeOffset CreatedAt);

/// <summary>Stores merge links.</summary>
public interface IMergeLinkRepository
{
    Task SaveMergeAsync(MergeLink link, CancellationToken cancellationToken);

    /// <summary>The merge links of a session's messages, oldest first.</summary>
    Task<IReadOnlyList<MergeLink>> ListMergesAsync(Guid sessionId, CancellationToken cancellationToken);
}
