using Wright.Cli.Agents;
using Wright.Cli.Commands;

// `wright hook` runs on every hook of the agent: answered before the command line is even parsed.
if (args.Length > 0 && args[0] == "hook")
{
    return await HookForwarder.RunAsync(args);
}

return await WrightCommandLine.RunAsync(args);
