using Wright.Core.Hosting;
using Wright.Core.Accounts;
using Microsoft.Extensions.Options;
using Wright.Storage.Database;

namespace Wright.Server.Hosting;

/// <summary>
/// Checks <see cref="ServerOptions"/> as a whole and reports every problem at once, each naming
/// the flag (and environment variable) to change, so one failed start fixes them all.
/// </summary>
internal static class ServerOptionsValidator
{
    /// <summary>Throws <see cref="OptionsValidationException"/> listing every problem of <paramref name="options"/>, each naming its flag or key.</summary>
    public static void ThrowIfInvalid(ServerOptions options)
    {
        var problems = Problems(options);
        if (problems.Count > 0)
        {
            throw new OptionsValidationException(nameof(ServerOptions), typeof(ServerOptions), problems);
        }
    }

    public static List<string> Problems(ServerOptions options)
    {
        var problems = new List<string>();
        if (options.Port is < 0 or > 65535)
        {
            problems.Add($"--port must be between 0 and 65535 (got {options.Port}); 0 picks a free port.");
        }

        if (string.IsNullOrWhiteSpace(options.Host))
        {
            problems.Add("--host must not be empty.");
        }
        else if (!ServerOptions.IsLoopback(options.Host) && !options.AllowRemote)
        {
            problems.Add($"--host {options.Host} is not a loopback address: Wright edits files and runs commands, so it binds 127.0.0.1 by default. Pass --allow-remote to listen on {options.Host}.");
        }

        var hasCertificate = !string.IsNullOrWhiteSpace(options.TlsCertificatePath);
        var hasKey = !string.IsNullOrWhiteSpace(options.TlsKeyPath);
        if (hasCertificate != hasKey)
        {
            problems.Add("--tls-cert and --tls-key go together: give both PEM files, or neither.");
        }

        foreach (var (flag, file) in new[] { ("--tls-cert", options.TlsCertificatePath), ("--tls-key", options.TlsKeyPath) })
        {
            if (!string.IsNullOrWhiteSpace(file) && !File.Exists(file))
            {
                problems.Add($"{flag} {file} does not exist.");
            }
        }

        if (!string.IsNullOrWhiteSpace(options.Host) && !ServerOptions.IsLoopback(options.Host) && options.AllowRemote && !hasCertificate && !options.InsecureRemote)
        {
            problems.Add($"--host {options.Host} with --allow-remote needs HTTPS, or passwords and tokens would cross the network in clear: pass --tls-cert and --tls-key, or --insecure-remote when a TLS-terminating proxy sits in front.");
        }

        if (string.IsNullOrWhiteSpace(options.DataDir))
        {
            problems.Add($"--data-dir ({WrightConfigNames.HomeVariable}) must not be empty.");
        }
        else if (File.Exists(options.DataDir))
        {
            problems.Add($"--data-dir ({WrightConfigNames.HomeVariable}) {options.DataDir} is a file; it must be a directory (it is created when missing).");
        }

        if (WrightDatabase.ProblemWith(options.Database) is { } database)
        {
            problems.Add($"--database ({WrightConfigNames.DatabaseVariable}) {database}");
        }

        if (options.AdminPassword is { Length: > 0 } password && (password.Length < AccountRules.MinPasswordLength || password.Length > AccountRules.MaxPasswordLength))
        {
            problems.Add($"{WrightConfigNames.AdminPasswordVariable} must be {AccountRules.MinPasswordLength} to {AccountRules.MaxPasswordLength} characters.");
        }

        if (options.MaxFileBytes < 1)
        {
            problems.Add($"{WrightConfigNames.MaxFileBytesKey} must be positive (got {options.MaxFileBytes}).");
        }

        return problems;
    }
}

/// <summary>Registers the server's options once, validated when the host starts.</summary>
public static class ServerOptionsServiceCollectionExtensions
{
    /// <summary>The server's options as validated by <see cref="ServerOptionsValidator.ThrowIfInvalid"/>: a singleton and <see cref="IOptions{TOptions}"/>, not validated again.</summary>
    public static IServiceCollection AddServerOptions(this IServiceCollection services, ServerOptions options)
    {
        services.AddSingleton(options);
        services.AddSingleton(Options.Create(options));
        return services;
    }
}
