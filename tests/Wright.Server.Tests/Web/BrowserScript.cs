using System.Diagnostics;
using Wright.Server.Tests.Infrastructure;

namespace Wright.Server.Tests.Web;

/// <summary>Runs one of web/e2e's Playwright scripts with node, bounded, for the browser tests.</summary>
internal static class BrowserScript
{
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
}
