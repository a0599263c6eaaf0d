using System.Net;
using Wright.Core.Hosting;

namespace Wright.Server.Hosting;

/// <summary>How `wright serve` was asked to run: where to listen and which database to use.</summary>
public sealed class ServerOptions
{
    public const int DefaultPort = 5055;

    public string Host { get; set; } = "127.0.0.1";

    /// <summary>TCP port; 0 lets the OS choose (tests).</summary>
    public int Port { get; set; } = DefaultPort;

    public bool AllowRemote { get; set; }

    /// <summary>A postgres:// URL or Npgsql connection string; empty means the SQLite file in the data dir.</summary>
    public string? Database { get; set; }

    public string DataDir { get; set; } = WrightOptions.DefaultDataDir();

    public long MaxFileBytes { get; set; } = 5 * 1024 * 1024;

    /// <summary>Lists every problem with these options; empty when they are usable.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (Port is < 0 or > 65535)
        {
            problems.Add($"--port must be between 0 and 65535 (got {Port}).");
        }

        if (string.IsNullOrWhiteSpace(Host))
        {
            problems.Add("--host must not be empty.");
        }
        else if (!IsLoopback(Host) && !AllowRemote)
        {
            problems.Add($"--host {Host} is not a loopback address: Wright edits files and runs commands, so it binds 127.0.0.1 by default. Pass --allow-remote to listen on {Host}.");
        }

        if (string.IsNullOrWhiteSpace(DataDir))
        {
            problems.Add("--data-dir must not be empty.");
        }

        if (MaxFileBytes < 1)
        {
            problems.Add("Wright:MaxFileBytes must be positive.");
        }

        return problems;
    }

    public static bool IsLoopback(string host)
    {
        if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        return IPAddress.TryParse(host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address);
    }
}
