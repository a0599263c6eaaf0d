using Wright.Storage.Cluster;
using Wright.Storage.Tests.Infrastructure;

namespace Wright.Storage.Tests.Cluster;

/// <summary>The shared rate counters (PostgreSQL only: on SQLite one instance counts in memory).</summary>
public sealed class RateWindowTests : StorageTestBase<PostgresProvider>
{
    private static readonly DateTimeOffset First = DateTimeOffset.FromUnixTimeMilliseconds(1_750_000_020_000);
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    [StorageFact]
    public async Task CountHit_CountsItsWindow_AndReportsTheWindowBefore()
    {
        await MigrateAsync();
        var store = new ClusterStore(Database);

        (await store.CountHitAsync("login:name:ada", First, First - Window, CancellationToken.None).Bounded()).ShouldBe((1, 0));
        (await store.CountHitAsync("login:name:ada", First, First - Window, CancellationToken.None).Bounded()).ShouldBe((2, 0));
        (await store.CountHitAsync("login:name:bob", First, First - Window, CancellationToken.None).Bounded()).ShouldBe((1, 0), "another key counts apart");

        // The next window starts at one, and still sees the two hits of the window before it.
        (await store.CountHitAsync("login:name:ada", First + Window, First, CancellationToken.None).Bounded()).ShouldBe((1, 2));
    }
}
