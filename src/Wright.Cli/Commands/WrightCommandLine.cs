using System.CommandLine;

namespace Wright.Cli.Commands;

/// <summary>The `wright` command: one subcommand per job, usage errors exit with code 2.</summary>
internal static class WrightCommandLine
{
    public const int UsageError = 2;

    public static async Task<int> RunAsync(string[] args)
    {
        var root = new RootCommand("Wright: a self-hosted, prompt-first development environment.");
        root.Subcommands.Add(ServeCommand.Create());
        root.Subcommands.Add(AccountCommands.CreateUser());
        root.Subcommands.Add(AccountCommands.CreateToken());
        root.Subcommands.Add(RunCommand.Create());
        root.Subcommands.Add(Agents.AgentCommands.CreateHooks());
        root.Subcommands.Add(Agents.AgentCommands.CreateStart());
        root.Subcommands.Add(Agents.AgentCommands.CreateAgents());
        root.Subcommands.Add(new Command("hook", "Forward one Claude Code hook (stdin) to Wright: wright hook EVENT [--url URL]. Always exits 0, prints nothing."));

        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors)
            {
                await Console.Error.WriteLineAsync(error.Message);
            }

            var command = parse.CommandResult.Command == root ? "wright" : $"wright {parse.CommandResult.Command.Name}";
            await Console.Error.WriteLineAsync($"Run '{command} --help' for usage.");
            return UsageError;
        }

        // `wright serve` handles Ctrl+C and SIGTERM itself (stop the host, then exit 0);
        // System.CommandLine's own handler would end the process with 130/143 after a timeout.
        return await parse.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });
    }
}
