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

    /// <summary>Allows a non-loopback bind without HTTPS (for a TLS-terminating proxy in front); tokens would otherwise cross the network in clear.</summary>
    public bool InsecureRemote { get; set; }

    /// <summary>PEM certificate (chain) for HTTPS; given together with <see cref="TlsKeyPath"/>.</summary>
    public string? TlsCertificatePath { get; set; }

    /// <summary>PEM private key for <see cref="TlsCertificatePath"/>.</summary>
    public string? TlsKeyPath { get; set; }

    public bool UsesHttps => !string.IsNullOrWhiteSpace(TlsCertificatePath);

    /// <summary>A postgres:// URL or Npgsql connection string; empty means the SQLite file in the data dir.</summary>
    public string? Database { get; set; }

    public string DataDir { get; set; } = WrightOptions.DefaultDataDir();

    /// <summary>Largest file the files API reads or writes (configuration key Wright:MaxFileBytes).</summary>
    public long MaxFileBytes { get; set; } = WrightOptions.DefaultMaxFileBytes;

    /// <summary>
    /// WRIGHT_ADMIN_PASSWORD: on a first start without users, creates the admin <c>admin</c> with
    /// this password instead of waiting at the setup URL. Ignored once users exist; never logged.
    /// </summary>
    public string? AdminPassword { get; set; }

    /// <summary>The built web workbench (web/dist, copied to <c>wwwroot</c> beside the server by the build); served at <c>/</c> when it holds an index.html.</summary>
    public string WebRoot { get; set; } = Path.Combine(AppContext.BaseDirectory, "wwwroot");

    /// <summary>
    /// Whether the process's environment variables are configuration too (<c>ANTHROPIC_API_KEY</c>,
    /// <c>WRIGHT_DEFAULT_MODEL</c>, <c>Llm__…</c>). `wright serve` reads them; a server a test starts
    /// in its own process does not, so a developer's keys and models never leak into a test.
    /// </summary>
    public bool ReadsEnvironment { get; set; } = true;

    /// <summary>Lists every problem with these options; empty when they are usable.</summary>
    public IReadOnlyList<string> Validate() => ServerOptionsValidator.Problems(this);

    public static bool IsLoopback(string host)
    {
        if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        return IPAddress.TryParse(host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address);
    }
}
