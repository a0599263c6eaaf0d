using Wright.Cli.Commands;

return await WrightCommandLine.RunAsync(args);
