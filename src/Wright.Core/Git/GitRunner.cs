using System.ComponentModel;
using System.Diagnostics;
using System.Text;
using Wright.Core.Errors;
using Wright.Core.Hosting;

namespace Wright.Core.Git;

/// <summary>
/// Runs the git CLI with an argument list (never through a shell), non-interactively, in a given
/// working directory.
/// </summary>
public sealed class GitRunner
{
    /// <summary>UTF-8 without a byte-order mark: git would take a BOM on standard input as part of a commit message.</summary>
    private static readonly Encoding Utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);

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
        using var process = Start(workingDirectory, arguments, environment);
        using var registration = cancellationToken.Register(() => ChildProcesses.KillTree(process));
        var stdout = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
        try
        {
            if (standardInput is not null)
            {
                await process.StandardInput.WriteAsync(standardInput.AsMemory(), CancellationToken.None).ConfigureAwait(false);
            }

            process.StandardInput.Close();
        }
        catch (IOException)
        {
            // git exited before reading all of its input (for example outside a repository): the
            // broken pipe says nothing more than the exit code and stderr read below.
        }
        await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
        var result = new GitCommandResult(process.ExitCode, await stdout.ConfigureAwait(false), await stderr.ConfigureAwait(false));
        cancellationToken.ThrowIfCancellationRequested();
        return result;
    }

    /// <summary>
    /// Runs git, handing each line of its standard error to <paramref name="onLine"/> as it comes
    /// (progress meters end their lines with a carriage return), and returns the result whatever
    /// the exit code. The error text kept for the result is the last 16,000 characters.
    /// </summary>
    public async Task<GitCommandResult> RunStreamingErrorAsync(
        string workingDirectory,
        IEnumerable<string> arguments,
        Action<string> onLine,
        CancellationToken cancellationToken,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        const int keep = 16_000;
        using var process = Start(workingDirectory, arguments, environment);
        using var registration = cancellationToken.Register(() => ChildProcesses.KillTree(process));
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var kept = new StringBuilder();
        var line = new StringBuilder();
        var buffer = new char[4096];
        int read;
        while ((read = await process.StandardError.ReadAsync(buffer, CancellationToken.None).ConfigureAwait(false)) > 0)
        {
            kept.Append(buffer, 0, read);
            if (kept.Length > keep * 2)
            {
                kept.Remove(0, kept.Length - keep);
            }

            for (var i = 0; i < read; i++)
            {
                if (buffer[i] is '\r' or '\n')
                {
                    if (line.Length > 0)
                    {
                        onLine(line.ToString());
                        line.Clear();
                    }
                }
                else
                {
                    line.Append(buffer[i]);
                }
            }
        }

        if (line.Length > 0)
        {
            onLine(line.ToString());
        }

        await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
        var error = kept.Length > keep ? kept.ToString(kept.Length - keep, keep) : kept.ToString();
        var result = new GitCommandResult(process.ExitCode, await stdout.ConfigureAwait(false), error);
        cancellationToken.ThrowIfCancellationRequested();
        return result;
    }

    private Process Start(string workingDirectory, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment)
    {
        if (!Directory.Exists(workingDirectory))
        {
            // Process.Start reports a missing working directory like a missing executable; say what it is.
            throw WrightException.Conflict(ErrorCodes.ProjectPathMissing, $"The directory '{workingDirectory}' no longer exists; restore it or delete the project.");
        }

        var start = new ProcessStartInfo(_gitPath)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            StandardOutputEncoding = Utf8,
            StandardErrorEncoding = Utf8,
            StandardInputEncoding = Utf8,
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

        try
        {
            return Process.Start(start) ?? throw GitUnavailable(null);
        }
        catch (Win32Exception ex)
        {
            throw GitUnavailable(ex);
        }
    }

    /// <summary>Runs git and throws <c>git_failed</c> with git's own message when it exits non-zero.</summary>
    public async Task<string> RunCheckedAsync(
        string workingDirectory,
        IEnumerable<string> arguments,
        CancellationToken cancellationToken,
        string? standardInput = null,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var list = arguments as IReadOnlyList<string> ?? arguments.ToList();
        var result = await RunAsync(workingDirectory, list, cancellationToken, standardInput, environment).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            throw Failed(list, result.StandardError);
        }

        return result.StandardOutput;
    }

    /// <summary>
    /// Runs git and keeps at most <paramref name="maxChars"/> characters of its output; past that
    /// git is stopped and the result says so. Used for output whose size the repository decides
    /// (a huge commit's diff, a status of 100k untracked files), so no request can exhaust memory.
    /// </summary>
    public async Task<GitCappedResult> RunCappedAsync(string workingDirectory, IEnumerable<string> arguments, int maxChars, CancellationToken cancellationToken)
    {
        var list = arguments as IReadOnlyList<string> ?? arguments.ToList();
        using var process = Start(workingDirectory, list, environment: null);
        using var registration = cancellationToken.Register(() => ChildProcesses.KillTree(process));
        var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
        process.StandardInput.Close();

        var output = new StringBuilder();
        var buffer = new char[16 * 1024];
        var truncated = false;
        while (true)
        {
            var read = await process.StandardOutput.ReadAsync(buffer.AsMemory(), CancellationToken.None).ConfigureAwait(false);
            if (read == 0)
            {
                break;
            }

            var room = maxChars - output.Length;
            if (read > room)
            {
                output.Append(buffer, 0, room);
                truncated = true;
                ChildProcesses.KillTree(process);
                break;
            }

            output.Append(buffer, 0, read);
        }

        await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
        var error = await stderr.ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        if (!truncated && process.ExitCode != 0)
        {
            throw Failed(list, error);
        }

        return new GitCappedResult(output.ToString(), truncated);
    }

    /// <summary>
    /// Copies git's raw output to <paramref name="destination"/> as it is produced (a bundle, an
    /// archive). Throws <c>git_failed</c> if git exits non-zero, possibly after some bytes were
    /// written: a caller streaming to a client must then abort rather than end the response.
    /// </summary>
    public async Task StreamAsync(string workingDirectory, IEnumerable<string> arguments, Stream destination, CancellationToken cancellationToken)
    {
        var list = arguments as IReadOnlyList<string> ?? arguments.ToList();
        using var process = Start(workingDirectory, list, environment: null);
        using var registration = cancellationToken.Register(() => ChildProcesses.KillTree(process));
        var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
        process.StandardInput.Close();
        try
        {
            await process.StandardOutput.BaseStream.CopyToAsync(destination, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            // Whatever happened to the destination (a client that went away), git must not outlive the request.
            if (!process.HasExited)
            {
                ChildProcesses.KillTree(process);
            }

            await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
        }

        var error = await stderr.ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        if (process.ExitCode != 0)
        {
            throw Failed(list, error);
        }
    }

    internal static WrightException Failed(IReadOnlyList<string> arguments, string standardError)
    {
        var subcommand = SubcommandOf(arguments);
        return new WrightException(ErrorKind.Conflict, ErrorCodes.GitFailed, $"git {subcommand} failed: {standardError.Trim()}");
    }

    /// <summary>The first argument that is neither an option nor the value of a leading <c>-c</c>/<c>-C</c>.</summary>
    private static string SubcommandOf(IReadOnlyList<string> arguments)
    {
        for (var i = 0; i < arguments.Count; i++)
        {
            if (arguments[i] is "-c" or "-C")
            {
                i++;
                continue;
            }

            if (!arguments[i].StartsWith('-'))
            {
                return arguments[i];
            }
        }

        return "git";
    }

    private static WrightException GitUnavailable(Exception? inner) =>
        new(ErrorKind.Unavailable, ErrorCodes.GitUnavailable, "git is not installed or not on PATH; install git and restart Wright.", inner: inner);

}
