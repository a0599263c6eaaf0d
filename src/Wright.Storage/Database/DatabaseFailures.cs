using System.Net.Sockets;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Wright.Storage.Database;

/// <summary>Tells a database that is away (restarting, unreachable, refusing connections) from a query that is wrong.</summary>
public static class DatabaseFailures
{
    /// <summary>True when <paramref name="exception"/> (or one it wraps) says the database cannot be reached right now.</summary>
    public static bool IsUnavailable(Exception exception)
    {
        for (var ex = exception; ex is not null; ex = ex.InnerException)
        {
            switch (ex)
            {
                // 08: connection exceptions; 57P01–57P03: the server is shutting down, crashed or
                // is starting; 53300: too many connections.
                case PostgresException postgres:
                    return postgres.SqlState.StartsWith("08", StringComparison.Ordinal)
                        || postgres.SqlState is PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CrashShutdown or PostgresErrorCodes.CannotConnectNow or PostgresErrorCodes.TooManyConnections;
                case NpgsqlException npgsql when npgsql.InnerException is SocketException or IOException or TimeoutException || npgsql.IsTransient:
                    return true;

                // SQLITE_BUSY after the busy timeout, SQLITE_IOERR, SQLITE_CANTOPEN: the file is locked or unreachable.
                case SqliteException sqlite:
                    return sqlite.SqliteErrorCode is 5 or 10 or 14;
            }
        }

        return false;
    }
}
