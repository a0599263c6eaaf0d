using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Wright.Server.Tests.Infrastructure;

namespace Wright.Server.Tests.Cluster;

/// <summary>
/// A PostgreSQL server of the test's own (initdb + pg_ctl from Debian's binaries, in a temp
/// directory, on a free loopback port) that the test may stop and start. As root it runs as the
/// <c>postgres</c> account, which PostgreSQL requires.
/// </summary>
internal sealed class PrivatePostgres : IAsyncDisposable
{
    private readonly string _bin;
    private readonly string _dir;

    private PrivatePostgres(string bin, string dir, int port)
    {
        _bin = bin;
        _dir = dir;
        Port = port;
    }

    /// <summary>The directory of initdb and pg_ctl, or null when PostgreSQL's server binaries are not installed.</summary>
    public static string? BinDirectory =>
        Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).Where(d => File.Exists(Path.Combine(d, "initdb"))).Order().LastOrDefault()
            : null;

    public int Port { get; }

    public string Url => $"postgres://wright@127.0.0.1:{Port}/postgres";

    public static async Task<PrivatePostgres> StartAsync()
    {
        var bin = BinDirectory ?? throw new InvalidOperationException("PostgreSQL server binaries are not installed.");
        var dir = Path.Combine(Path.GetTempPath(), $"wright-private-pg-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        if (IsRoot)
        {
            await RunAsync("chown", ["postgres", dir]);
        }

        var postgres = new PrivatePostgres(bin, dir, FreePort());
        await postgres.RunPgAsync("initdb", ["-D", postgres.DataDir, "-A", "trust", "-U", "wright", "--no-sync", "-E", "UTF8"]);
        await postgres.StartServerAsync();
        return postgres;
    }

    private string DataDir => Path.Combine(_dir, "data");

    private static bool IsRoot => Environment.UserName == "root";

    public Task StartServerAsync() => RunPgAsync("pg_ctl", [
        "-D", DataDir, "-l", Path.Combine(_dir, "log"), "-w", "-t", "30",
        "-o", $"-p {Port} -k {_dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off", "start"]);

    /// <summary>Stops the server the way an operator's restart does: clients are disconnected, transactions in flight roll back.</summary>
    public Task StopServerAsync() => RunPgAsync("pg_ctl", ["-D", DataDir, "-m", "fast", "-w", "-t", "30", "stop"]);

    public async ValueTask DisposeAsync()
    {
        try
        {
            await RunPgAsync("pg_ctl", ["-D", DataDir, "-m", "immediate", "-w", "stop"]);
        }
        catch (InvalidOperationException)
        {
            // Already stopped by the test.
        }

        Directory.Delete(_dir, recursive: true);
    }

    private Task RunPgAsync(string tool, string[] arguments) =>
        IsRoot ? RunAsync("runuser", ["-u", "postgres", "--", Path.Combine(_bin, tool), .. arguments]) : RunAsync(Path.Combine(_bin, tool), arguments);

    private static async Task RunAsync(string file, string[] arguments)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TestTimeouts.Default);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} exited with {process.ExitCode}: {await stdout}{await stderr}");
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>A fact that needs PostgreSQL's server binaries to run a server of its own; skipped, with the reason, without them.</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class PostgresBinariesFactAttribute : FactAttribute
{
    public PostgresBinariesFactAttribute()
    {
        if (PrivatePostgres.BinDirectory is null)
        {
            Skip = "PostgreSQL server binaries (/usr/lib/postgresql/*/bin) are not installed: no server of the test's own to stop and start (apt-get install postgresql).";
        }
    }
}
