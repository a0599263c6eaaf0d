using Wright.Core.Accounts;
using Wright.Core.Errors;

namespace Wright.Server.Accounts;

/// <summary>
/// The first start of a server without users. With <c>WRIGHT_ADMIN_PASSWORD</c> the user
/// <c>admin</c> is created at once; otherwise the server makes a random one-time setup token,
/// which `wright serve` prints as a URL (never to the log), and the first <c>POST /api/setup</c>
/// that presents it creates the admin. Each instance of a multi-instance setup has its own token;
/// whichever is used first wins, the rest see that users exist.
/// </summary>
public sealed partial class FirstAdminSetup
{
    public const string AdminUserName = "admin";

    private readonly UserService _users;
    private readonly ILogger<FirstAdminSetup> _logger;
    private readonly Lock _lock = new();
    private string? _token;

    public FirstAdminSetup(UserService users, ILogger<FirstAdminSetup> logger)
    {
        _users = users;
        _logger = logger;
    }

    /// <summary>The one-time setup token while the server waits for its first admin; null otherwise.</summary>
    public string? PendingToken
    {
        get
        {
            lock (_lock)
            {
                return _token;
            }
        }
    }

    /// <summary>Runs at start: creates <c>admin</c> from <paramref name="adminPassword"/>, or makes a setup token when there are no users.</summary>
    public async Task PrepareAsync(string? adminPassword, CancellationToken cancellationToken)
    {
        if (await _users.CountAsync(cancellationToken).ConfigureAwait(false) > 0)
        {
            return;
        }

        if (!string.IsNullOrEmpty(adminPassword))
        {
            if (await _users.CreateFirstAdminAsync(AdminUserName, adminPassword, null, cancellationToken).ConfigureAwait(false) is not null)
            {
                SetupLog.AdminFromEnvironment(_logger, AdminUserName);
            }

            return;
        }

        lock (_lock)
        {
            _token = TokenSecrets.New("");
        }

        SetupLog.Waiting(_logger);
    }

    public async Task<bool> IsRequiredAsync(CancellationToken cancellationToken) =>
        PendingToken is not null && await _users.CountAsync(cancellationToken).ConfigureAwait(false) == 0;

    /// <summary>Creates the first admin when <paramref name="token"/> is the setup token and there is still no user.</summary>
    public async Task<User> CompleteAsync(string? token, string? userName, string? password, string? address, CancellationToken cancellationToken)
    {
        var expected = PendingToken;
        if (expected is null)
        {
            throw WrightException.Conflict(ErrorCodes.SetupUnavailable, "This server has its admin already; log in instead.");
        }

        if (token is null || !TokenSecrets.FixedTimeEquals(token, expected))
        {
            throw WrightException.Forbidden(ErrorCodes.SetupTokenInvalid, "The setup token is wrong; use the URL `wright serve` printed.");
        }

        var user = await _users.CreateFirstAdminAsync(userName ?? AdminUserName, password ?? "", address, cancellationToken).ConfigureAwait(false)
            ?? throw WrightException.Conflict(ErrorCodes.SetupUnavailable, "This server has its admin already; log in instead.");
        lock (_lock)
        {
            _token = null;
        }

        return user;
    }
}

internal static partial class SetupLog
{
    [LoggerMessage(EventId = 3110, Level = LogLevel.Information, Message = "Created the first admin '{UserName}' from WRIGHT_ADMIN_PASSWORD")]
    public static partial void AdminFromEnvironment(ILogger logger, string userName);

    [LoggerMessage(EventId = 3111, Level = LogLevel.Information, Message = "No user exists yet: waiting for the first admin at the setup URL printed on the console")]
    public static partial void Waiting(ILogger logger);
}
