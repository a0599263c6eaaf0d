namespace Wright.Storage.Tests.Infrastructure;

/// <summary>A SQLite file in a temp directory of the test's own.</summary>
public sealed class SqliteProvider : IStorageProvider
{
    public static string? SkipReason => null;

    public static Task<TestDatabase> CreateDatabaseAsync(CancellationToken cancellationToken)
    {
        var directory = Path.Combine(Path.GetTempPath(), $"wright-storage-{Guid.NewGuid():N}");
        Directory.CreateDirectory(directory);
        var database = new TestDatabase($"sqlite:{Path.Combine(directory, "wright.db")}", directory, () =>
        {
            Directory.Delete(directory, recursive: true);
            return Task.CompletedTask;
        });
        return Task.FromResult(database);
    }
}
