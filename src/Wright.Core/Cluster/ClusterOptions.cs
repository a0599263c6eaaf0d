using Microsoft.Extensions.Options;

namespace Wright.Core.Cluster;

/// <summary>How instances sharing one PostgreSQL database watch each other (section <c>Wright:Cluster</c>).</summary>
public sealed class ClusterOptions
{
    public const string Section = "Wright:Cluster";

    /// <summary>
    /// How long an instance's claim on its streaming answers lasts without a heartbeat; another
    /// instance marks an answer <c>interrupted</c> only after its owner's lease ran out. Heartbeats
    /// come every third of this, so a busy moment does not lose the lease.
    /// </summary>
    public TimeSpan AnswerLease { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often each instance looks for answers whose owner's lease expired.</summary>
    public TimeSpan AnswerSweepInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How often the database is probed while it is unavailable (and for <c>/health</c>).</summary>
    public TimeSpan DatabaseProbeInterval { get; set; } = TimeSpan.FromSeconds(1);
}

/// <summary>Checks <see cref="ClusterOptions"/> at start-up and names every bad setting.</summary>
internal sealed class ClusterOptionsValidation : IValidateOptions<ClusterOptions>
{
    public ValidateOptionsResult Validate(string? name, ClusterOptions options)
    {
        var problems = new List<string>();
        if (options.AnswerLease < TimeSpan.FromSeconds(1))
        {
            problems.Add($"Wright:Cluster:AnswerLease must be at least 1 second (got {options.AnswerLease}).");
        }

        if (options.AnswerSweepInterval < TimeSpan.FromMilliseconds(100))
        {
            problems.Add($"Wright:Cluster:AnswerSweepInterval must be at least 100 ms (got {options.AnswerSweepInterval}).");
        }

        if (options.DatabaseProbeInterval < TimeSpan.FromMilliseconds(100))
        {
            problems.Add($"Wright:Cluster:DatabaseProbeInterval must be at least 100 ms (got {options.DatabaseProbeInterval}).");
        }

        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
