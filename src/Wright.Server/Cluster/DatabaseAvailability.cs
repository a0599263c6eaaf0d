using Dapper;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Wright.Core.Cluster;
using Wright.Core.Errors;
using Wright.Storage.Database;

namespace Wright.Server.Cluster;

/// <summary>
/// Whether the database answers, for <c>/health</c> and for requests that failed on it. A probe
/// (<c>SELECT 1</c>, bounded) is cached for <c>Wright:Cluster:DatabaseProbeInterval</c>, so a load
/// balancer polling often costs one query per interval, not one per poll.
/// </summary>
internal sealed partial class DatabaseAvailability
{
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(2);

    private readonly WrightDatabase _database;
    private readonly TimeProvider _time;
    private readonly IOptions<ClusterOptions> _options;
    private readonly ILogger<DatabaseAvailability> _logger;
    private readonly SemaphoreSlim _probing = new(1, 1);
    private DateTimeOffset _checkedAt = DateTimeOffset.MinValue;
    private volatile bool _available = true;

    public DatabaseAvailability(WrightDatabase database, TimeProvider time, IOptions<ClusterOptions> options, ILogger<DatabaseAvailability> logger)
    {
        _database = database;
        _time = time;
        _options = options;
        _logger = logger;
    }

    /// <summary>
    /// True when the database answered its last probe. Only a good answer is cached (for the probe
    /// interval): while the database is away every call probes again (one at a time), so readiness
    /// turns good with the first request that could be served, not up to an interval later.
    /// </summary>
    public async Task<bool> IsAvailableAsync(CancellationToken cancellationToken)
    {
        if (_available && _time.GetUtcNow() - _checkedAt < _options.Value.DatabaseProbeInterval)
        {
            return true;
        }

        await _probing.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!_available || _time.GetUtcNow() - _checkedAt >= _options.Value.DatabaseProbeInterval)
            {
                Set(await ProbeAsync(cancellationToken).ConfigureAwait(false));
                _checkedAt = _time.GetUtcNow();
            }

            return _available;
        }
        finally
        {
            _probing.Release();
        }
    }

    /// <summary>A request just failed because the database is away: forget the pooled connections it cut, and let the next probe look again.</summary>
    public void ReportUnavailable()
    {
        Set(false);
        _checkedAt = DateTimeOffset.MinValue;
        _database.ClearPool();
    }

    private void Set(bool available)
    {
        if (_available == available)
        {
            return;
        }

        _available = available;
        if (available)
        {
            DatabaseLog.Back(_logger, _database.Description);
        }
        else
        {
            DatabaseLog.Away(_logger, _database.Description);
        }
    }

    private async Task<bool> ProbeAsync(CancellationToken cancellationToken)
    {
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(ProbeTimeout);
        try
        {
            await using var connection = await _database.OpenAsync(bounded.Token).ConfigureAwait(false);
            await connection.ExecuteScalarAsync<int>(new CommandDefinition("SELECT 1", cancellationToken: bounded.Token)).ConfigureAwait(false);
            return true;
        }
        catch (Exception ex) when (DatabaseFailures.IsUnavailable(ex) || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            // Away, or too slow to count as there: the probe's whole purpose is to say so.
            _database.ClearPool();
            return false;
        }
    }
}

/// <summary>
/// Answers a request that failed because the database is away with 503 <c>database_unavailable</c>
/// and <c>Retry-After</c>, instead of a 500; it runs before the general problem mapping.
/// </summary>
internal sealed class DatabaseUnavailableHandler(IProblemDetailsService problems, DatabaseAvailability availability) : IExceptionHandler
{
    public const int RetryAfterSeconds = 2;

    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (!DatabaseFailures.IsUnavailable(exception))
        {
            return false;
        }

        availability.ReportUnavailable();
        httpContext.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        httpContext.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var problem = new ProblemDetails
        {
            Status = StatusCodes.Status503ServiceUnavailable,
            Detail = "The database is unavailable right now; try again in a few seconds.",
        };
        problem.Extensions["code"] = ErrorCodes.DatabaseUnavailable;
        problem.Extensions["retryAfterSeconds"] = RetryAfterSeconds;
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = httpContext, ProblemDetails = problem, Exception = exception }).ConfigureAwait(false);
    }
}

internal static partial class DatabaseLog
{
    [LoggerMessage(EventId = 8651, Level = LogLevel.Warning, Message = "The database {Database} is unavailable; requests that need it answer 503 until it is back")]
    public static partial void Away(ILogger logger, string database);

    [LoggerMessage(EventId = 8652, Level = LogLevel.Information, Message = "The database {Database} is available again")]
    public static partial void Back(ILogger logger, string database);
}
