using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Wright.Core.Accounts;

namespace Wright.Server.Accounts;

/// <summary>
/// Deletes refresh tokens that can never be used again (expired or revoked longer than
/// <see cref="AccountsOptions.RefreshTokenRetention"/>) every <see cref="AccountsOptions.RefreshTokenPurgeInterval"/>,
/// so the table holds live logins rather than every refresh ever made. Several instances may run
/// it at once: the purge is one idempotent statement.
/// </summary>
internal sealed partial class RefreshTokenPurge : BackgroundService
{
    private readonly LoginService _logins;
    private readonly IOptions<AccountsOptions> _options;
    private readonly TimeProvider _time;
    private readonly ILogger<RefreshTokenPurge> _logger;

    public RefreshTokenPurge(LoginService logins, IOptions<AccountsOptions> options, TimeProvider time, ILogger<RefreshTokenPurge> logger)
    {
        _logins = logins;
        _options = options;
        _time = time;
        _logger = logger;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_options.Value.RefreshTokenPurgeInterval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                try
                {
                    await _logins.PurgeRefreshTokensAsync(stoppingToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // A failed purge (the database is away) only delays it to the next tick; the tokens it would delete are unusable anyway.
                    PurgeLog.Failed(_logger, ex);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The server is stopping.
        }
    }
}

internal static partial class PurgeLog
{
    [LoggerMessage(EventId = 3103, Level = LogLevel.Warning, Message = "Purging spent refresh tokens failed; it is tried again at the next interval")]
    public static partial void Failed(ILogger logger, Exception exception);
}
