namespace Wright.Core.Cluster;

/// <summary>
/// What instances sharing one database record about each other: their leases, which instance owns
/// which streaming answer, and counters that must hold across instances. On SQLite there is one
/// instance by definition and <see cref="IsShared"/> is false.
/// </summary>
public interface IClusterStore
{
    /// <summary>True when several instances may use this database (PostgreSQL).</summary>
    bool IsShared { get; }

    /// <summary>Records that <paramref name="instanceId"/> is alive until <paramref name="leaseUntil"/>.</summary>
    Task HeartbeatAsync(Guid instanceId, DateTimeOffset startedAt, DateTimeOffset leaseUntil, CancellationToken cancellationToken);

    /// <summary>A clean stop: the instance's lease ends now, so its answers (already saved) are nobody's.</summary>
    Task RetireAsync(Guid instanceId, CancellationToken cancellationToken);

    /// <summary>Makes <paramref name="instanceId"/> the owner of the streaming answer <paramref name="messageId"/>.</summary>
    Task ClaimAnswerAsync(Guid messageId, Guid instanceId, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>
    /// Marks <c>interrupted</c> (text kept) every streaming answer whose owner's lease ended before
    /// <paramref name="now"/>, and every unowned one last written before <paramref name="unownedBefore"/>;
    /// returns how many.
    /// </summary>
    Task<int> InterruptOrphanedAnswersAsync(DateTimeOffset now, DateTimeOffset unownedBefore, CancellationToken cancellationToken);

    /// <summary>
    /// Counts one hit of <paramref name="key"/> in the window starting at <paramref name="windowStart"/>;
    /// returns the window's count including this hit, and the count of the window before it
    /// (starting at <paramref name="previousStart"/>) for a sliding estimate.
    /// </summary>
    Task<(int Current, int Previous)> CountHitAsync(string key, DateTimeOffset windowStart, DateTimeOffset previousStart, CancellationToken cancellationToken);

    /// <summary>Removes counter windows that started before <paramref name="before"/>.</summary>
    Task PruneHitsAsync(DateTimeOffset before, CancellationToken cancellationToken);
}
