using System.Diagnostics;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading.Channels;
using Wright.Server.Tests.Infrastructure;

namespace Wright.Server.Tests.Cli;

/// <summary>
/// The built `wright` command run as a real process (<c>dotnet wright.dll …</c>, copied next to
/// this test assembly), with an environment of the test's own: no WRIGHT_* variable of the test
/// run leaks in, and HOME is a temp directory so nothing can reach the real ~/.wright.
/// </summary>
public sealed class WrightProcess : IAsyncDisposable
{
    public const int SigInt = 2;
    public const int SigTerm = 15;

    private readonly Process _process;
    private readonly Channel<string> _stdoutLines = Channel.CreateUnbounded<string>();
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();

    private WrightProcess(Process process)
    {
        _process = process;
    }

    public int Id => _process.Id;

    public string Stdout
    {
        get
        {
            lock (_stdout)
            {
                return _stdout.ToString();
            }
        }
    }

    public string Stderr
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    /// <summary>The wright.dll built with this test assembly.</summary>
    public static string WrightDll
    {
        get
        {
            var path = Path.Combine(AppContext.BaseDirectory, "wright.dll");
            File.Exists(path).ShouldBeTrue($"{path} is missing: the test project references Wright.Cli, so the build copies it here.");
            return path;
        }
    }

    /// <summary>The version `wright --version` should print: the informational version of the build.</summary>
    public static string ExpectedVersion =>
        typeof(WrightServer).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion;

    public static WrightProcess Start(string home, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = home,
        };
        if (InheritsIgnoredSigInt())
        {
            // A child inherits an ignored SIGINT (a test run started in the background of a
            // non-interactive shell), and a process that starts with SIGINT ignored rightly
            // keeps ignoring it. Give wright the disposition of a foreground command; env execs,
            // so the pid stays the one of wright itself.
            start.FileName = "/usr/bin/env";
            start.ArgumentList.Add("--default-signal=INT");
            start.ArgumentList.Add(DotnetHost());
        }
        else
        {
            start.FileName = DotnetHost();
        }

        start.ArgumentList.Add(WrightDll);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("WRIGHT_", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(key);
        }

        start.Environment["HOME"] = home;
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var wright = new WrightProcess(process);
        process.OutputDataReceived += (_, e) => wright.OnStdout(e.Data);
        process.ErrorDataReceived += (_, e) => wright.OnStderr(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return wright;
    }

    /// <summary>Runs wright to completion: its exit code and everything it printed.</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string home, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null, string? stdin = null)
    {
        await using var wright = Start(home, arguments, environment);
        if (stdin is not null)
        {
            await wright._process.StandardInput.WriteAsync(stdin).Bounded();
        }

        wright._process.StandardInput.Close();
        var exitCode = await wright.WaitForExitAsync();
        return (exitCode, wright.Stdout, wright.Stderr);
    }

    /// <summary>Waits, bounded, for the first stdout line that <paramref name="match"/> accepts.</summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> match)
    {
        using var timeout = new CancellationTokenSource(TestTimeouts.Default);
        try
        {
            await foreach (var line in _stdoutLines.Reader.ReadAllAsync(timeout.Token))
            {
                if (match(line))
                {
                    return line;
                }
            }
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            // Reported below with everything the process said, which is what a reader needs.
        }

        throw new TimeoutException($"wright did not print the expected line (exited: {_process.HasExited}).\nstdout:\n{Stdout}\nstderr:\n{Stderr}");
    }

    /// <summary>Waits, bounded, for the `Wright is listening on …` line and returns the URL in it.</summary>
    public async Task<Uri> WaitForUrlAsync()
    {
        const string Prefix = "Wright is listening on ";
        var line = await WaitForLineAsync(l => l.StartsWith(Prefix, StringComparison.Ordinal));
        return new Uri(line[Prefix.Length..]);
    }

    /// <summary>Sends <paramref name="signal"/> to this process only, by its pid.</summary>
    public void Signal(int signal)
    {
        if (Kill(_process.Id, signal) != 0)
        {
            throw new InvalidOperationException($"kill({_process.Id}, {signal}) failed with errno {Marshal.GetLastPInvokeError()}.");
        }
    }

    public async Task<int> WaitForExitAsync()
    {
        try
        {
            await _process.WaitForExitAsync().WaitAsync(TestTimeouts.Default);
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"wright did not exit.\nstdout:\n{Stdout}\nstderr:\n{Stderr}", ex);
        }

        // Returns at once after an exit; it makes sure the redirected output is read to its end.
        _process.WaitForExit();
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            // Only reached when a test failed half-way: this process is ours, so end it hard.
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().WaitAsync(TestTimeouts.Default);
        }

        _process.Dispose();
    }

    private static string DotnetHost()
    {
        // The dotnet CLI tells the processes it starts where its host is; the test host runs
        // under it, so this is the same runtime the tests use.
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(host) && File.Exists(host))
        {
            return host;
        }

        var current = Environment.ProcessPath;
        return current is not null && Path.GetFileNameWithoutExtension(current) == "dotnet" ? current : "dotnet";
    }

    /// <summary>True when this test process has SIGINT ignored (bit 1 of SigIgn in /proc/self/status).</summary>
    private static bool InheritsIgnoredSigInt()
    {
        var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("SigIgn:", StringComparison.Ordinal));
        return line is not null &&
            ulong.TryParse(line["SigIgn:".Length..].Trim(), System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture, out var ignored) &&
            (ignored & (1UL << (SigInt - 1))) != 0;
    }

    private void OnStdout(string? line)
    {
        if (line is null)
        {
            _stdoutLines.Writer.TryComplete();
            return;
        }

        lock (_stdout)
        {
            _stdout.AppendLine(line);
        }

        _stdoutLines.Writer.TryWrite(line);
    }

    private void OnStderr(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_stderr)
        {
            _stderr.AppendLine(line);
        }
    }

    // DllImport rather than LibraryImport: the generated stub would need unsafe code in the project.
    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
