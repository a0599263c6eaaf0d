using Wright.Cli.Agents;

// wright-hook: `wright hook` as its own small native program, so a command hook costs about what
// curl does instead of the .NET runtime's start. Called as `wright-hook hook EVENT …` (the command
// `wright hooks install` writes) or `wright-hook EVENT …`.
return await HookForwarder.RunAsync(args.Length > 0 && args[0] == "hook" ? args : ["hook", .. args]);
