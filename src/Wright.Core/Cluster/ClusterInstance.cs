namespace Wright.Core.Cluster;

/// <summary>This server process among the instances sharing the database: a fresh id per start.</summary>
public sealed class ClusterInstance
{
    public ClusterInstance(TimeProvider time)
    {
        StartedAt = time.GetUtcNow();
        Id = Guid.CreateVersion7(StartedAt);
    }

    public Guid Id { get; }

    public DateTimeOffset StartedAt { get; }
}
