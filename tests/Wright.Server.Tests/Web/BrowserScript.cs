using System.Diagnostics;
using Wright.Server.Tests.Cli;
using Wright.Server.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Wright.Server.Tests.Web;

/// <summary>Runs one of web/e2e's Playwright scripts with node, bounded, for the browser tests.</summary>
internal static class BrowserScript
{
    private const string Chromium = "/usr/bin/chromium";

    /// <summary>web/ of this checkout: the directory above the test assembly that holds Wright.slnx.</summary>
    public static string WebDirectory
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Wright.slnx")))
                {
                    return Path.Combine(dir.FullName, "web");
                }
            }

            throw new InvalidOperationException("Wright.slnx not found above the test assembly.");
        }
    }

    /// <summary>The script's exit code and everything it printed; past <paramref name="limit"/> its process tree is ended and the code is -1.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(string script, IReadOnlyDictionary<string, string> environment, TimeSpan limit)
    {
        var start = new ProcessStartInfo("node")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = WebDirectory,
        };
        start.ArgumentList.Add(script);
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        using var node = Process.Start(start)!;
        var stdout = node.StandardOutput.ReadToEndAsync();
        var stderr = node.StandardError.ReadToEndAsync();
        try
        {
            await node.WaitForExitAsync().WaitAsync(limit);
        }
        catch (TimeoutException)
        {
            // Ours: the node process and the Chromium it started.
            node.Kill(entireProcessTree: true);
            await node.WaitForExitAsync().Bounded();
            return (-1, $"the browser run took longer than {limit}\n{await stdout}\n{await stderr}");
        }

        return (node.ExitCode, $"{await stdout}\n{await stderr}");
    }

    /// <summary>`wright serve` in <paramref name="home"/> (its own data directory, a free loopback port) and the first-run setup URL it printed.</summary>
    public static async Task<ServedWright> ServeAsync(TempDirectory home, IReadOnlyDictionary<string, string>? environment = null)
    {
        var wright = WrightProcess.Start(home.Path, ["serve", "--port", "0", "--data-dir", home.Combine("data")], environment ?? new Dictionary<string, string>());
        try
        {
            var setupLine = await wright.WaitForLineAsync(l => l.Contains("/setup?token=", StringComparison.Ordinal));
            return new ServedWright(wright, setupLine[setupLine.IndexOf("http", StringComparison.Ordinal)..].Split(' ')[0]);
        }
        catch
        {
            await wright.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Runs web/e2e/<paramref name="script"/> against <paramref name="served"/> with what every script
    /// reads (the setup URL, its screenshot directory under web/e2e/out, Debian's Chromium) and
    /// <paramref name="environment"/>; fails with its output and the server's unless every step passed.
    /// </summary>
    public static async Task RunPassingAsync(string script, ServedWright served, ITestOutputHelper output, TimeSpan limit, string screenshots = "", IReadOnlyDictionary<string, string>? environment = null)
    {
        var variables = new Dictionary<string, string>(environment ?? new Dictionary<string, string>())
        {
            ["WRIGHT_SETUP_URL"] = served.SetupUrl,
            ["E2E_OUT"] = Path.Combine(WebDirectory, "e2e", "out", screenshots),
            ["CHROMIUM_PATH"] = Chromium,
        };
        var (exitCode, text) = await RunAsync(Path.Combine(WebDirectory, "e2e", script), variables, limit);
        output.WriteLine(text);
        exitCode.ShouldBe(0, $"{text}\nserver stdout:\n{served.Wright.Stdout}\nserver stderr:\n{served.Wright.Stderr}");
        text.ShouldContain("passed, 0 failed");
    }
}

/// <summary>A `wright serve` started for a browser test, with the setup URL it printed; disposing it stops the server.</summary>
internal sealed record ServedWright(WrightProcess Wright, string SetupUrl) : IAsyncDisposable
{
    public ValueTask DisposeAsync() => Wright.DisposeAsync();
}
