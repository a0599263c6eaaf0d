using System.CommandLine;
using System.Data.Common;
using System.Runtime.InteropServices;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Wright.Core.Errors;
using Wright.Core.Hosting;
using Wright.Server;
using Wright.Server.Hosting;
using Wright.Storage.Database;

namespace Wright.Cli.Commands;

/// <summary>`wright serve`: runs the server until Ctrl+C or SIGTERM.</summary>
internal static class ServeCommand
{
    /// <summary>Exit code of a server that could not start (database too new, port in use, …).</summary>
    public const int StartupFailed = 1;


    public static Command Create()
    {
        var host = new Option<string>("--host") { Description = "Address to listen on. Non-loopback addresses need --allow-remote.", DefaultValueFactory = _ => "127.0.0.1" };
        var port = new Option<int>("--port") { Description = "TCP port (0 picks a free one).", DefaultValueFactory = _ => ServerOptions.DefaultPort };
        var allowRemote = new Option<bool>("--allow-remote") { Description = "Allow listening on a non-loopback address." };

        var insecureRemote = new Option<bool>("--insecure-remote") { Description = "With --allow-remote, listen without HTTPS (only behind a TLS-terminating proxy)." };
        var tlsCert = new Option<string?>("--tls-cert") { Description = "PEM certificate file: serve HTTPS." };
        var tlsKey = new Option<string?>("--tls-key") { Description = "PEM private key file for --tls-cert." };

        var command = new Command("serve", "Start the Wright server.") { host, port, allowRemote, insecureRemote, tlsCert, tlsKey };
        var storage = StorageOptions.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var options = new ServerOptions
            {
                Host = parse.GetValue(host)!,
                Port = parse.GetValue(port),
                DataDir = storage.DataDirOf(parse),
                Database = storage.DatabaseOf(parse),
                AllowRemote = parse.GetValue(allowRemote),
                InsecureRemote = parse.GetValue(insecureRemote),
                TlsCertificatePath = parse.GetValue(tlsCert),
                TlsKeyPath = parse.GetValue(tlsKey),
                AdminPassword = NonEmpty(Environment.GetEnvironmentVariable(WrightConfigNames.AdminPasswordVariable)),
            };
            return await RunAsync(options, cancellationToken);
        });
        return command;
    }

    private static async Task<int> RunAsync(ServerOptions options, CancellationToken cancellationToken)
    {
        // Bad options come back from WrightServer.Build as an OptionsValidationException listing them all.
        // Ctrl+C and SIGTERM both mean "stop cleanly": during start-up they cancel it, once
        // running they stop the host, which finishes in-flight requests before it returns.
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, context => RequestStop(context, stopping));
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context => RequestStop(context, stopping));

        WebApplication? app = null;
        try
        {
            app = WrightServer.Build(options, builder => builder.Logging.AddWrightConsole());
            var url = await WrightServer.StartAsync(app, stopping.Token);
            await Console.Out.WriteLineAsync($"Wright is listening on {url}");
            if (app.Services.GetRequiredService<Wright.Server.Accounts.FirstAdminSetup>().PendingToken is { } setupToken)
            {
                // The setup token goes to the terminal of whoever started the server, like
                // Jupyter's: never to the log.
                await Console.Out.WriteLineAsync($"No user exists yet. Create the first admin at {url}setup?token={setupToken}");
                await Console.Out.WriteLineAsync($"  (or POST {{\"token\", \"userName\", \"password\"}} to {url}api/setup, or restart with {WrightConfigNames.AdminPasswordVariable} set)");
            }

            await Console.Out.FlushAsync(CancellationToken.None);
            await app.WaitForShutdownAsync(stopping.Token);
            return 0;
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Stopped while starting: the user asked for it, so it is a clean exit too.
            return 0;
        }
        catch (OptionsValidationException ex)
        {
            await ReportConfigurationAsync(ex.Failures);
            return WrightCommandLine.UsageError;
        }
        catch (Exception ex)
        {
            // One line a user can act on; the stack trace of a refused start helps no one.
            await Console.Error.WriteLineAsync($"wright: {StartupFailure(ex, options, app)}");
            return StartupFailed;
        }
        finally
        {
            if (app is not null)
            {
                await app.DisposeAsync();
            }
        }
    }

    private static void RequestStop(PosixSignalContext context, CancellationTokenSource stopping)
    {
        context.Cancel = true;
        stopping.Cancel();
    }

    // Only asked after a database error, when the database singleton exists already.
    private static string DatabaseOf(WebApplication? app) =>
        app?.Services.GetService(typeof(WrightDatabase)) is WrightDatabase database ? database.Description : "the database";

    private static string StartupFailure(Exception ex, ServerOptions options, WebApplication? app) => ex switch
    {
        WrightException wright => $"{wright.Message} ({wright.Code})",
        IOException { InnerException: AddressInUseException } =>
            $"cannot listen on {options.Host}:{options.Port}: the address is already in use. Stop the other server or pick another --port.",
        IOException io => $"cannot listen on {options.Host}:{options.Port}: {io.Message}",
        DbException db => $"cannot open {DatabaseOf(app)}: {FirstLine(db.Message).TrimEnd('.')}. Check --database (or {WrightConfigNames.DatabaseVariable}) and that the database server is running.",
        UnauthorizedAccessException access => $"cannot use the data directory {options.DataDir}: {access.Message}",
        _ => $"could not start ({ex.GetType().Name}): {FirstLine(ex.Message)}",
    };

    private static async Task ReportConfigurationAsync(IEnumerable<string> problems)
    {
        var list = problems.ToList();
        await Console.Error.WriteLineAsync(list.Count == 1 ? "wright: the configuration has a problem:" : $"wright: the configuration has {list.Count} problems:");
        foreach (var problem in list)
        {
            await Console.Error.WriteLineAsync($"  - {problem}");
        }
    }

    private static string FirstLine(string text)
    {
        var newline = text.IndexOfAny(['\r', '\n']);
        return newline < 0 ? text : text[..newline];
    }

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
