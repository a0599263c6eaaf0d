using Wright.Storage.Database;

namespace Wright.Storage.Tests.Infrastructure;

/// <summary>
/// One test's own empty database. <see cref="OpenInstance"/> opens it again as another server
/// instance would (its own connection pool); everything is closed and the database removed on
/// dispose.
/// </summary>
public sealed class TestDatabase : IAsyncDisposable
{
    private readonly List<WrightDatabase> _instances = [];
    private readonly string _dataDir;
    private readonly Func<Task> _remove;

    public TestDatabase(string location, string dataDir, Func<Task> remove)
    {
        Location = location;
        _dataDir = dataDir;
        _remove = remove;
        Database = OpenInstance();
    }

    /// <summary>What `wright serve --database` would be given for this database.</summary>
    public string Location { get; }

    public WrightDatabase Database { get; }

    public WrightDatabase OpenInstance()
    {
        var database = WrightDatabase.Create(Location, _dataDir);
        _instances.Add(database);
        return database;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var instance in _instances)
        {
            await instance.DisposeAsync();
        }

        await _remove().Bounded();
    }
}
