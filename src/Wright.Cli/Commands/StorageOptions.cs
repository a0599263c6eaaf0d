using System.CommandLine;
using Wright.Core.Hosting;
using Wright.Storage.Database;

namespace Wright.Cli.Commands;

/// <summary>
/// Where a command keeps its data: <c>--data-dir</c> and <c>--database</c>, defined once for every
/// command that opens Wright's storage (serve, run, the account commands), with the same defaults
/// from the environment and the same error for a bad database URL.
/// </summary>
internal sealed class StorageOptions
{
    private StorageOptions()
    {
    }

    public Option<string?> DataDir { get; } = new("--data-dir") { Description = $"Data directory (default: ${WrightConfigNames.HomeVariable} or ~/.wright)." };

    public Option<string?> Database { get; } = new("--database") { Description = $"postgres://user:pass@host:5432/db to use PostgreSQL instead of the SQLite file in the data directory (or ${WrightConfigNames.DatabaseVariable})." };

    /// <summary>Adds both options to <paramref name="command"/>.</summary>
    public static StorageOptions AddTo(Command command)
    {
        var options = new StorageOptions();
        command.Options.Add(options.DataDir);
        command.Options.Add(options.Database);
        return options;
    }

    /// <summary>The data directory, as given or its default (<c>$WRIGHT_HOME</c>, else <c>~/.wright</c>), as a full path.</summary>
    public string DataDirOf(ParseResult parse) => Path.GetFullPath(parse.GetValue(DataDir) ?? WrightOptions.DefaultDataDir());

    /// <summary>The database URL, as given or from <c>$WRIGHT_DATABASE</c>; null means the SQLite file.</summary>
    public string? DatabaseOf(ParseResult parse)
    {
        var value = parse.GetValue(Database) ?? Environment.GetEnvironmentVariable(WrightConfigNames.DatabaseVariable);
        return string.IsNullOrWhiteSpace(value) ? null : value;
    }

    /// <summary>What is wrong with <paramref name="database"/>, naming the flag and the variable; null when it is usable.</summary>
    public static string? ProblemWith(string? database) =>
        WrightDatabase.ProblemWith(database) is { } problem ? $"--database ({WrightConfigNames.DatabaseVariable}) {problem}" : null;
}
