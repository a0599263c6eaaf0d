namespace Wright.Storage.Database;

/// <summary>The SQL databases Wright runs on.</summary>
public enum DatabaseDialect
{
    Sqlite,
    Postgres,
}
