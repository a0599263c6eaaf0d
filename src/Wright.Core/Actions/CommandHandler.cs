using System.ComponentModel;
using System.Diagnostics;
using System.Text;
using Wright.Core.Errors;
using Wright.Core.Sandbox;
using Wright.Core.Hosting;

namespace Wright.Core.Actions;

/// <summary>
/// COMMAND: runs a program (argument list, never a shell) with the project as working directory,
/// a timeout, a cap on the output kept, and an environment without Wright's own secrets. The
/// approval policy is checked during validation, so a denied command fails the run before any
/// file changes.
/// </summary>
public sealed class CommandHandler : IActionHandler
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(2);

    /// <summary>Characters of output kept per command; the rest is dropped and the result says so.</summary>
    public const int MaxOutputChars = 64 * 1024;

    private readonly CommandSandbox _sandbox;

    public CommandHandler()
        : this(CommandSandbox.Default)
    {
    }

    public CommandHandler(CommandSandbox sandbox)
    {
        _sandbox = sandbox;
    }

    public bool CanHandle(WrightAction action) => action is CommandAction;

    public async Task ValidateAsync(WrightAction action, ActionRunContext context, CancellationToken cancellationToken)
    {
        var command = (CommandAction)action;
        if (string.IsNullOrWhiteSpace(command.Executable) || command.Executable.Any(char.IsControl))
        {
            throw WrightException.Invalid(ErrorCodes.ValidationFailed, "A command needs the program to run (for example 'dotnet'), with its arguments as a list.");
        }

        var allowed = context.Request.CommandPolicy switch
        {
            CommandApprovalPolicy.Auto => true,
            CommandApprovalPolicy.Deny => false,
            _ => context.Request.ApproveCommand is { } approve && await approve(command, cancellationToken).ConfigureAwait(false),
        };
        if (!allowed)
        {
            var why = context.Request.CommandPolicy == CommandApprovalPolicy.Deny
                ? "the project's approval policy is 'deny'"
                : "it was not approved";
            throw new WrightException(ErrorKind.Forbidden, ActionErrorCodes.CommandDenied, $"The command '{command.Display}' did not run: {why}.");
        }
    }

    public async Task ExecuteAsync(WrightAction action, ActionRunContext context, CancellationToken cancellationToken)
    {
        var command = (CommandAction)action;
        var result = await RunAsync(command, context.ProjectRoot, context.Request.CommandOutput, _sandbox, cancellationToken).ConfigureAwait(false);
        context.Commands.Add(result);
        await context.ReportAsync(ActionRunStage.CommandFinished, command.Display, cancellationToken).ConfigureAwait(false);
        if (result.TimedOut)
        {
            throw WrightException.Conflict(ActionErrorCodes.CommandTimedOut, $"The command '{command.Display}' was stopped after {(command.Timeout ?? DefaultTimeout).TotalSeconds:0} seconds.\n{result.Output}");
        }

        if (command.RequireSuccess && result.ExitCode != 0)
        {
            throw WrightException.Conflict(ActionErrorCodes.CommandFailed, $"The command '{command.Display}' exited with code {result.ExitCode}.\n{result.Output}");
        }
    }

    /// <summary>A command's effects on the working tree are undone by the safety point; anything beyond it cannot be.</summary>
    public Task RollbackAsync(WrightAction action, ActionRunContext context, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>True for variables that hold Wright's or a provider's secrets, which a command never sees.</summary>
    public static bool IsSecretVariable(string name) =>
        name.StartsWith("WRIGHT_", StringComparison.OrdinalIgnoreCase)
        || name.EndsWith("_API_KEY", StringComparison.OrdinalIgnoreCase)
        || name.EndsWith("_TOKEN", StringComparison.OrdinalIgnoreCase)
        || name.EndsWith("_SECRET", StringComparison.OrdinalIgnoreCase);

    public static Task<CommandResult> RunAsync(CommandAction command, string workingDirectory, CancellationToken cancellationToken) =>
        RunAsync(command, workingDirectory, null, cancellationToken);

    public static Task<CommandResult> RunAsync(CommandAction command, string workingDirectory, Action<string>? onOutput, CancellationToken cancellationToken) =>
        RunAsync(command, workingDirectory, onOutput, CommandSandbox.Default, cancellationToken);

    /// <summary>Runs the command in <paramref name="sandbox"/> under the project's policy; <paramref name="onOutput"/> sees its output (stdout and stderr interleaved) as it is printed.</summary>
    public static async Task<CommandResult> RunAsync(CommandAction command, string workingDirectory, Action<string>? onOutput, CommandSandbox sandbox, CancellationToken cancellationToken)
    {
        var start = (await sandbox.PrepareAsync(command, workingDirectory, cancellationToken).ConfigureAwait(false)).StartInfo;

        var clock = Stopwatch.StartNew();
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("Process.Start returned null.");
        }
        catch (Win32Exception ex)
        {
            throw WrightException.Invalid(ActionErrorCodes.CommandFailed, $"The command '{command.Display}' could not start: {ex.Message}. Is '{command.Executable}' installed and on PATH?");
        }

        using (process)
        {
            process.StandardInput.Close();
            var output = new CappedOutput(MaxOutputChars);
            var stdout = PumpAsync(process.StandardOutput, output, onOutput);
            var stderr = PumpAsync(process.StandardError, output, onOutput);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(command.Timeout ?? DefaultTimeout);
            var timedOut = false;
            try
            {
                await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested)
            {
                // Timed out or the run was cancelled: either way the command and its children must stop now.
                timedOut = !cancellationToken.IsCancellationRequested;
                ChildProcesses.KillTree(process);

                await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            }

            await Task.WhenAll(stdout, stderr).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            return new CommandResult(command.Display, timedOut ? null : process.ExitCode, timedOut, output.ToString(), output.Truncated, clock.Elapsed);
        }
    }

    private static async Task PumpAsync(StreamReader reader, CappedOutput output, Action<string>? onOutput)
    {
        var buffer = new char[4096];
        int read;
        while ((read = await reader.ReadAsync(buffer.AsMemory(), CancellationToken.None).ConfigureAwait(false)) > 0)
        {
            if (output.Append(buffer.AsSpan(0, read)) && onOutput is not null)
            {
                onOutput(new string(buffer, 0, read));
            }
        }
    }

    /// <summary>Interleaved stdout and stderr, keeping the first characters up to the cap (reading continues so the command never blocks on a full pipe).</summary>
    private sealed class CappedOutput(int max)
    {
        private readonly StringBuilder _text = new();

        public bool Truncated { get; private set; }

        /// <summary>Keeps what fits under the cap; false once the cap was reached before this chunk (nothing more to stream).</summary>
        public bool Append(ReadOnlySpan<char> chunk)
        {
            lock (_text)
            {
                var room = max - _text.Length;
                if (room <= 0)
                {
                    Truncated = true;
                    return false;
                }

                if (chunk.Length > room)
                {
                    Truncated = true;
                    chunk = chunk[..Math.Max(0, room)];
                }

                _text.Append(chunk);
                return true;
            }
        }

        public override string ToString()
        {
            lock (_text)
            {
                return _text.ToString();
            }
        }
    }
}
