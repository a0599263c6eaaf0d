using System.ComponentModel;
using System.Diagnostics;
using System.Text;
using Wright.Core.Errors;

namespace Wright.Core.Git;

/// <summary>
/// Runs the git CLI with an argument list (never through a shell), non-interactively, in a given
/// working directory.
/// </summary>
public sealed class GitRunner
{
    private readonly string _gitPath;

    public GitRunner(string gitPath = "git")
    {
        _gitPath = gitPath;
    }

    /// <summary>Runs git and returns its result whatever the exit code.</summary>
    public async Task<GitCommandResult> RunAsync(
        string workingDirectory,
        IEnumerable<string> arguments,
        CancellationToken cancellationToken,
        string? standardInput = null,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(_gitPath)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // Never wait for a credential prompt or an editor, and never read the user's pager or
        // locale settings into machine-parsed output.
        start.Environment["GIT_TERMINAL_PROMPT"] = "0";
        start.Environment["GIT_ASKPASS"] = "";
        start.Environment["SSH_ASKPASS"] = "";
        start.Environment["GIT_EDITOR"] = "true";
        start.Environment["GIT_PAGER"] = "cat";
        start.Environment["LC_ALL"] = "C";
        start.Environment["GIT_OPTIONAL_LOCKS"] = "0";
        if (environment is not null)
        {
            foreach (var (key, value) in environment)
            {
                start.Environment[key] = value;
            }
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw GitUnavailable(null);
        }
        catch (Win32Exception ex)
        {
            throw GitUnavailable(ex);
        }

        using (process)
        {
            using var registration = cancellationToken.Register(() => KillQuietly(process));
            var stdout = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
            var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
            if (standardInput is not null)
            {
                await process.StandardInput.WriteAsync(standardInput.AsMemory(), CancellationToken.None).ConfigureAwait(false);
            }

            process.StandardInput.Close();
            await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            var result = new GitCommandResult(process.ExitCode, await stdout.ConfigureAwait(false), await stderr.ConfigureAwait(false));
            cancellationToken.ThrowIfCancellationRequested();
            return result;
        }
    }

    /// <summary>Runs git and throws <c>git_failed</c> with git's own message when it exits non-zero.</summary>
    public async Task<string> RunCheckedAsync(string workingDirectory, IEnumerable<string> arguments, CancellationToken cancellationToken, string? standardInput = null)
    {
        var list = arguments as IReadOnlyList<string> ?? arguments.ToList();
        var result = await RunAsync(workingDirectory, list, cancellationToken, standardInput).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            var subcommand = list.FirstOrDefault(a => !a.StartsWith('-')) ?? "git";
            throw new WrightException(ErrorKind.Conflict, ErrorCodes.GitFailed, $"git {subcommand} failed: {result.StandardError.Trim()}");
        }

        return result.StandardOutput;
    }

    private static WrightException GitUnavailable(Exception? inner) =>
        new(ErrorKind.Unavailable, ErrorCodes.GitUnavailable, "git is not installed or not on PATH; install git and restart Wright.", inner: inner);

    private static void KillQuietly(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // The process already exited between the cancellation and the kill: nothing to stop.
        }
    }
}
