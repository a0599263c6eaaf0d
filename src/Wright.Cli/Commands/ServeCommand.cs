using System.CommandLine;
using Microsoft.Extensions.Hosting;
using Wright.Core.Errors;
using Wright.Core.Hosting;
using Wright.Server;
using Wright.Server.Hosting;

namespace Wright.Cli.Commands;

/// <summary>`wright serve`: runs the server until Ctrl+C or SIGTERM.</summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var host = new Option<string>("--host") { Description = "Address to listen on. Non-loopback addresses need --allow-remote.", DefaultValueFactory = _ => "127.0.0.1" };
        var port = new Option<int>("--port") { Description = "TCP port (0 picks a free one).", DefaultValueFactory = _ => ServerOptions.DefaultPort };
        var dataDir = new Option<string?>("--data-dir") { Description = "Data directory (default: $WRIGHT_HOME or ~/.wright)." };
        var database = new Option<string?>("--database") { Description = "postgres://user:pass@host/db to use PostgreSQL instead of SQLite (or WRIGHT_DATABASE)." };
        var allowRemote = new Option<bool>("--allow-remote") { Description = "Allow listening on a non-loopback address." };

        var command = new Command("serve", "Start the Wright server.") { host, port, dataDir, database, allowRemote };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var options = new ServerOptions
            {
                Host = parse.GetValue(host)!,
                Port = parse.GetValue(port),
                DataDir = parse.GetValue(dataDir) ?? WrightOptions.DefaultDataDir(),
                Database = parse.GetValue(database) ?? Environment.GetEnvironmentVariable("WRIGHT_DATABASE"),
                AllowRemote = parse.GetValue(allowRemote),
            };
            return await RunAsync(options, cancellationToken);
        });
        return command;
    }

    private static async Task<int> RunAsync(ServerOptions options, CancellationToken cancellationToken)
    {
        var problems = options.Validate();
        if (problems.Count > 0)
        {
            foreach (var problem in problems)
            {
                await Console.Error.WriteLineAsync(problem);
            }

            return WrightCommandLine.UsageError;
        }

        await using var app = WrightServer.Build(options);
        try
        {
            var url = await WrightServer.StartAsync(app, cancellationToken);
            Console.WriteLine($"Wright is listening on {url}");
            Console.Out.Flush();
        }
        catch (WrightException ex)
        {
            await Console.Error.WriteLineAsync($"wright: {ex.Message} ({ex.Code})");
            return 1;
        }
        catch (IOException ex)
        {
            await Console.Error.WriteLineAsync($"wright: cannot listen on {options.Host}:{options.Port}: {ex.Message}");
            return 1;
        }

        await app.WaitForShutdownAsync(cancellationToken);
        return 0;
    }
}
