namespace Wright.Storage.Tests.Infrastructure;

/// <summary>
/// A database engine the storage suite runs against: each test gets a fresh, empty database of
/// its own from it (Dapper's TestBase&lt;TProvider&gt; pattern).
/// </summary>
public interface IStorageProvider
{
    /// <summary>Why this engine cannot be tested here, or null when it can; read before any test runs.</summary>
    static abstract string? SkipReason { get; }

    /// <summary>Creates an empty database for one test.</summary>
    static abstract Task<TestDatabase> CreateDatabaseAsync(CancellationToken cancellationToken);
}
