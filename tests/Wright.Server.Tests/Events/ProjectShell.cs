using System.Diagnostics;
using System.Security.Cryptography;
using Wright.Server.Tests.Infrastructure;

namespace Wright.Server.Tests.Events;

/// <summary>Changes a project the way the outside world does: real processes (sh, git) in its directory.</summary>
internal static class ProjectShell
{
    /// <summary>Runs <c>sh -c <paramref name="script"/></c> in <paramref name="directory"/> and expects it to succeed.</summary>
    public static Task ShAsync(string directory, string script) => RunAsync(directory, "sh", "-c", script);

    /// <summary>Runs git with a fixed identity, so commits work on a machine without one.</summary>
    public static Task GitAsync(string directory, params string[] arguments) =>
        RunAsync(directory, "git", ["-c", "user.name=Wright Tests", "-c", "user.email=tests@wright.local", .. arguments]);

    public static string ETagOf(string path) => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));

    private static async Task RunAsync(string directory, string fileName, params string[] arguments)
    {
        var start = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().Bounded();
        process.ExitCode.ShouldBe(0, $"{fileName} {string.Join(' ', arguments)}: {await stdout} {await stderr}");
    }
}
