namespace Wright.Core.Cluster;

/// <summary>
/// Short notices between the instances sharing one database (PostgreSQL LISTEN/NOTIFY). Each
/// instance applies its own changes at once and sends a notice for the others; notices sent while
/// the listener was disconnected are lost, which is why <see cref="Connected"/> tells the
/// receivers to reload what they keep from the database.
/// </summary>
public interface IClusterSignals
{
    /// <summary>False on SQLite: there are no other instances, and <see cref="SendAsync"/> does nothing.</summary>
    bool IsShared { get; }

    /// <summary>Sends <paramref name="payload"/> (at most 7,900 bytes) on <paramref name="channel"/> to every instance, this one included.</summary>
    Task SendAsync(string channel, string payload, CancellationToken cancellationToken);

    /// <summary>Calls <paramref name="handler"/> for every notice on <paramref name="channel"/>, in the order they were committed.</summary>
    IDisposable Listen(string channel, Func<string, Task> handler);

    /// <summary>Raised each time the listener (re)connects: notices may have been missed before it.</summary>
    event Func<Task>? Connected;
}

/// <summary>The channels Wright's instances talk on.</summary>
public static class ClusterChannels
{
    public const string Revocations = "wright_revocations";
    public const string Events = "wright_events";
}

/// <summary>The signals of a server that is alone on its database (SQLite): nothing to send.</summary>
internal sealed class LocalClusterSignals : IClusterSignals
{
    public bool IsShared => false;

    public event Func<Task>? Connected
    {
        add { }
        remove { }
    }

    public Task SendAsync(string channel, string payload, CancellationToken cancellationToken) => Task.CompletedTask;

    public IDisposable Listen(string channel, Func<string, Task> handler) => NoSubscription.Instance;

    private sealed class NoSubscription : IDisposable
    {
        public static readonly NoSubscription Instance = new();

        public void Dispose()
        {
        }
    }
}
