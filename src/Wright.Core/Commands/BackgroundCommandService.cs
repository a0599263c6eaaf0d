using System.Collections.Concurrent;
using System.ComponentModel;
using System.Diagnostics;
using Wright.Core.Actions;
using Wright.Core.Errors;
using Wright.Core.Hosting;
using Wright.Core.Previews;
using Wright.Core.Projects;
using Wright.Core.Sandbox;

namespace Wright.Core.Commands;

/// <summary>
/// The model's background commands, per project: started under the project's sandbox policy like
/// any command (environment scrubbed, bubblewrap where it applies), returned at once with their
/// first output, listed (the previews find their ports and printed URLs), stopped on request,
/// with their project, or with the server. Bounded: a number running per project, the output
/// kept per command, the ended ones kept listed. Callers check the actor's access to the project
/// first (the API and the answer do).
/// </summary>
public sealed class BackgroundCommandService : IProjectDeletionListener, IAsyncDisposable
{
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(5);

    private readonly CommandSandbox _sandbox;
    private readonly BackgroundCommandOptions _options;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<Guid, BackgroundCommand> _commands = new();
    private readonly Lock _startLock = new();
    private bool _disposed;

    public BackgroundCommandService(CommandSandbox sandbox, BackgroundCommandOptions options, TimeProvider time)
    {
        _sandbox = sandbox;
        _options = options;
        _time = time;
    }

    /// <summary>
    /// Starts <paramref name="command"/> in <paramref name="projectRoot"/> and returns once it shows
    /// signs of life (a loopback URL printed, a port listened on, or its end) or after
    /// <c>StartWait</c>; <c>background_command_limit</c> when the project has its maximum running.
    /// </summary>
    public async Task<BackgroundCommand> StartAsync(Guid projectId, string projectRoot, CommandAction command, string? startedBy, CancellationToken cancellationToken)
    {
        var start = await _sandbox.PrepareAsync(command, projectRoot, cancellationToken).ConfigureAwait(false);
        BackgroundCommand started;
        lock (_startLock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var running = _commands.Values.Count(c => c.ProjectId == projectId && c.IsRunning);
            if (running >= _options.MaxPerProject)
            {
                throw WrightException.Conflict(
                    ErrorCodes.BackgroundCommandLimit,
                    $"This project already has {running} background commands running (at most {_options.MaxPerProject}); stop one first (stop_command, or POST /api/projects/{{id}}/commands/{{commandId}}:stop).");
            }

            Process process;
            try
            {
                process = Process.Start(start.StartInfo) ?? throw new InvalidOperationException("Process.Start returned null.");
            }
            catch (Win32Exception ex)
            {
                throw WrightException.Invalid(ActionErrorCodes.CommandFailed, $"The command '{command.Display}' could not start: {ex.Message}. Is '{command.Executable}' installed and on PATH?");
            }

            started = new BackgroundCommand(Guid.NewGuid(), projectId, command.Display, start.Sandboxed, startedBy, _time.GetUtcNow(), process, _options.OutputChars);
            _commands[started.Id] = started;
        }

        Watch(started);
        Forget(projectId);
        await WaitForLifeAsync(started, cancellationToken).ConfigureAwait(false);
        return started;
    }

    /// <summary>The project's background commands, running and recently ended, newest first.</summary>
    public IReadOnlyList<BackgroundCommand> List(Guid projectId) =>
        _commands.Values.Where(c => c.ProjectId == projectId).OrderByDescending(c => c.StartedAt).ToList();

    /// <summary>The command of that project; <c>background_command_not_found</c> otherwise.</summary>
    public BackgroundCommand Get(Guid projectId, Guid commandId) =>
        _commands.TryGetValue(commandId, out var command) && command.ProjectId == projectId
            ? command
            : throw WrightException.NotFound(ErrorCodes.BackgroundCommandNotFound, $"Project {projectId} has no background command {commandId}.");

    /// <summary>Stops the command and everything it started; returns it once it has ended (stopping an ended one changes nothing).</summary>
    public async Task<BackgroundCommand> StopAsync(Guid projectId, Guid commandId)
    {
        var command = Get(projectId, commandId);
        await StopAsync(command).ConfigureAwait(false);
        return command;
    }

    /// <summary>A project's commands end with it.</summary>
    public Task ProjectDeletingAsync(Guid projectId, CancellationToken cancellationToken) =>
        Task.WhenAll(_commands.Values.Where(c => c.ProjectId == projectId).Select(StopAsync));

    /// <summary>Background commands end with the server: every one still running is stopped.</summary>
    public async ValueTask DisposeAsync()
    {
        lock (_startLock)
        {
            _disposed = true;
        }

        await Task.WhenAll(_commands.Values.Select(StopAsync)).ConfigureAwait(false);
    }

    private async Task StopAsync(BackgroundCommand command)
    {
        if (!command.IsRunning)
        {
            return;
        }

        command.MarkStopped();
        try
        {
            ChildProcesses.KillTree(command.Process);
            await command.Ended.Task.WaitAsync(StopGrace).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is TimeoutException or ObjectDisposedException)
        {
            // It ended between the check and the kill, or its output is still draining (a
            // descendant that left the tree holds the pipe): it stays listed until that ends.
        }
    }

    // Reads its output into the ring (reading on, so it never blocks on a full pipe) and records its end.
    private void Watch(BackgroundCommand command)
    {
        var process = command.Process;
        process.StandardInput.Close();
        var stdout = PumpAsync(process.StandardOutput, command);
        var stderr = PumpAsync(process.StandardError, command);
        _ = Task.Run(async () =>
        {
            await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            await Task.WhenAll(stdout, stderr).ConfigureAwait(false);
            command.MarkEnded(process.ExitCode, _time.GetUtcNow());
            process.Dispose();
            Forget(command.ProjectId);
        });
    }

    private static async Task PumpAsync(StreamReader reader, BackgroundCommand command)
    {
        var buffer = new char[4096];
        int read;
        while ((read = await reader.ReadAsync(buffer.AsMemory(), CancellationToken.None).ConfigureAwait(false)) > 0)
        {
            command.Append(buffer.AsSpan(0, read));
        }
    }

    private async Task WaitForLifeAsync(BackgroundCommand command, CancellationToken cancellationToken)
    {
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        wait.CancelAfter(_options.StartWait);
        try
        {
            while (command.IsRunning && LoopbackListeners.PrintedPorts(command.Output()).Count == 0 && Ports(command).Count == 0)
            {
                // Output wakes it at once; a port listened on silently is looked for every 100 ms.
                await command.OutputArrived.WaitAsync(TimeSpan.FromMilliseconds(100), wait.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // Still starting after the wait: it is returned as it is.
        }
    }

    /// <summary>The loopback ports the command's process tree listens on.</summary>
    public static IReadOnlySet<int> Ports(BackgroundCommand command) =>
        command.IsRunning ? LoopbackListeners.OfProcessTree(command.Pid, LoopbackListeners.All()) : new HashSet<int>();

    /// <summary>Keeps the project's most recent ended commands, up to <c>KeepEnded</c>.</summary>
    private void Forget(Guid projectId)
    {
        foreach (var old in _commands.Values.Where(c => c.ProjectId == projectId && !c.IsRunning).OrderByDescending(c => c.EndedAt).Skip(_options.KeepEnded))
        {
            _commands.TryRemove(old.Id, out _);
        }
    }
}
