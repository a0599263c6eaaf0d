using System.Diagnostics;
using Wright.Server.Tests.Infrastructure;

namespace Wright.Server.Tests.Git;

/// <summary>
/// Plain git for tests to set up and check repositories behind Wright's back. CI machines have no
/// git identity, so every call carries one.
/// </summary>
internal static class GitCli
{
    public static async Task<string> RunAsync(string directory, params string[] arguments)
    {
        var start = new ProcessStartInfo("git")
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in (string[])["-c", "user.name=Test User", "-c", "user.email=test@example.com", "-c", "init.defaultBranch=main", .. arguments])
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["LC_ALL"] = "C";
        start.Environment["GIT_TERMINAL_PROMPT"] = "0";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().Bounded();
        var output = await stdout.Bounded();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"git {string.Join(' ', arguments)} failed: {await stderr.Bounded()}");
        }

        return output;
    }

    /// <summary>A repository with one commit of <c>readme.md</c>, in a new directory below <paramref name="parent"/>.</summary>
    public static async Task<string> CreateRepositoryAsync(string parent, string name = "source")
    {
        var path = Path.Combine(parent, name);
        Directory.CreateDirectory(path);
        await RunAsync(path, "init", "--quiet");
        await File.WriteAllTextAsync(Path.Combine(path, "readme.md"), "# source\n");
        await RunAsync(path, "add", "--all");
        await RunAsync(path, "commit", "--quiet", "-m", "Add readme");
        return path;
    }

    public static async Task<string> HeadAsync(string directory) => (await RunAsync(directory, "rev-parse", "HEAD")).Trim();
}
