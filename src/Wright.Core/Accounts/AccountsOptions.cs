using Microsoft.Extensions.Options;

namespace Wright.Core.Accounts;

/// <summary>Lifetimes and login limits of accounts (configuration section <c>Wright:Accounts</c>).</summary>
public sealed class AccountsOptions
{
    public const string Section = "Wright:Accounts";

    /// <summary>How long an access token is accepted; short, because it is checked without the database.</summary>
    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>How long a refresh token may wait to be used; each refresh starts a new one.</summary>
    public TimeSpan RefreshTokenLifetime { get; set; } = TimeSpan.FromDays(14);

    /// <summary>
    /// How long after a refresh the token it spent still answers with the same successor instead
    /// of counting as reuse: two tabs (or a retry after a lost response) refreshing at the same
    /// moment keep the login. Reuse after this window still revokes the whole login. Zero turns it off.
    /// </summary>
    public TimeSpan RefreshReuseGrace { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long expired and revoked refresh tokens are kept before the periodic purge deletes them.</summary>
    public TimeSpan RefreshTokenRetention { get; set; } = TimeSpan.FromDays(1);

    /// <summary>How often the purge of spent refresh tokens runs.</summary>
    public TimeSpan RefreshTokenPurgeInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Login attempts allowed per client address in <see cref="LoginWindow"/>.</summary>
    public int LoginAttemptsPerAddress { get; set; } = 30;

    /// <summary>Login attempts allowed per user name in <see cref="LoginWindow"/>, from any address.</summary>
    public int LoginAttemptsPerUserName { get; set; } = 10;

    public TimeSpan LoginWindow { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Longest lifetime a personal access token may ask for; tokens may also never expire.</summary>
    public int MaxTokenDays { get; set; } = 366;
}

/// <summary>Checks <see cref="AccountsOptions"/> at start, naming each configuration key.</summary>
internal sealed class AccountsOptionsValidator : IValidateOptions<AccountsOptions>
{
    private static readonly TimeSpan MinimumAccessTokenLifetime = TimeSpan.FromSeconds(5);

    public ValidateOptionsResult Validate(string? name, AccountsOptions options)
    {
        var problems = new List<string>();
        // Seconds are allowed so a test (or a cautious admin) can watch refresh happen; below five
        // seconds a slow request could expire between the refresh and its retry.
        if (options.AccessTokenLifetime < MinimumAccessTokenLifetime || options.AccessTokenLifetime > TimeSpan.FromHours(24))
        {
            problems.Add($"{AccountsOptions.Section}:AccessTokenLifetime must be between 00:00:05 and 1.00:00:00 (got {options.AccessTokenLifetime}).");
        }

        if (options.RefreshTokenLifetime <= options.AccessTokenLifetime || options.RefreshTokenLifetime > TimeSpan.FromDays(365))
        {
            problems.Add($"{AccountsOptions.Section}:RefreshTokenLifetime must be longer than the access token lifetime and at most 365 days (got {options.RefreshTokenLifetime}).");
        }

        if (options.RefreshReuseGrace < TimeSpan.Zero || options.RefreshReuseGrace > TimeSpan.FromMinutes(5))
        {
            problems.Add($"{AccountsOptions.Section}:RefreshReuseGrace must be between 00:00:00 and 00:05:00 (got {options.RefreshReuseGrace}).");
        }

        if (options.RefreshTokenRetention < TimeSpan.Zero)
        {
            problems.Add($"{AccountsOptions.Section}:RefreshTokenRetention must not be negative (got {options.RefreshTokenRetention}).");
        }

        if (options.RefreshTokenPurgeInterval < TimeSpan.FromMinutes(1))
        {
            problems.Add($"{AccountsOptions.Section}:RefreshTokenPurgeInterval must be at least 00:01:00 (got {options.RefreshTokenPurgeInterval}).");
        }

        if (options.LoginAttemptsPerAddress < 1)
        {
            problems.Add($"{AccountsOptions.Section}:LoginAttemptsPerAddress must be positive (got {options.LoginAttemptsPerAddress}).");
        }

        if (options.LoginAttemptsPerUserName < 1)
        {
            problems.Add($"{AccountsOptions.Section}:LoginAttemptsPerUserName must be positive (got {options.LoginAttemptsPerUserName}).");
        }

        if (options.LoginWindow < TimeSpan.FromSeconds(1))
        {
            problems.Add($"{AccountsOptions.Section}:LoginWindow must be at least 00:00:01 (got {options.LoginWindow}).");
        }

        if (options.MaxTokenDays < 1)
        {
            problems.Add($"{AccountsOptions.Section}:MaxTokenDays must be positive (got {options.MaxTokenDays}).");
        }

        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
