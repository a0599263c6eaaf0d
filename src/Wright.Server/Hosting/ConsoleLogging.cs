using Microsoft.Extensions.Logging.Console;

namespace Wright.Server.Hosting;

/// <summary>How `wright serve` logs to a terminal: one line per entry, warnings and errors on stderr.</summary>
public static class ConsoleLogging
{
    /// <summary>
    /// Replaces the default console logging. The host's own start-up chatter (listening address,
    /// content root, "press Ctrl+C") is left out because `wright serve` prints the one line that
    /// matters, the URL, itself; warnings and errors from the host still come through.
    /// </summary>
    public static ILoggingBuilder AddWrightConsole(this ILoggingBuilder logging)
    {
        logging.ClearProviders();
        logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss ";
            o.IncludeScopes = false;
        });
        logging.Services.Configure<ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Warning);
        logging.SetMinimumLevel(LogLevel.Information);
        logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Warning);
        logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);

        // Data Protection warns that its keys are stored unencrypted: Wright protects them with
        // owner-only file permissions (SQLite) or the database's access control (PostgreSQL),
        // so the warning would only teach users to ignore warnings.
        logging.AddFilter("Microsoft.AspNetCore.DataProtection", LogLevel.Error);

        // The host logs a failed start ("Hosting failed to start", port in use) as an error with
        // its stack trace; `wright serve` reports that failure itself in one line. A background
        // service that brings the server down is still logged: that entry is Critical.
        logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.Critical);
        return logging;
    }
}
