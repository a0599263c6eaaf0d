using Wright.Core.Accounts;
using Wright.Core.Commands;
using Wright.Core.Errors;
using Wright.Core.Projects;
using Wright.Core.Terminals;

namespace Wright.Core.Previews;

/// <summary>
/// The dev servers of a project the actor can preview: ports that processes started from their
/// terminals listen on, loopback URLs those terminals printed, and ports they added by hand.
/// Only loopback ports are ever previewed; the proxy connects to 127.0.0.1 alone.
/// </summary>
public sealed class PreviewService
{
    private readonly ProjectService _projects;
    private readonly TerminalService _terminals;
    private readonly BackgroundCommandService _commands;
    private readonly IPreviewRepository _ports;
    private readonly TimeProvider _time;

    public PreviewService(ProjectService projects, TerminalService terminals, BackgroundCommandService commands, IPreviewRepository ports, TimeProvider time)
    {
        _commands = commands;
        _projects = projects;
        _terminals = terminals;
        _ports = ports;
        _time = time;
    }

    public async Task<IReadOnlyList<Preview>> ListAsync(Actor actor, Guid projectId, CancellationToken cancellationToken)
    {
        await _projects.GetAsync(actor, projectId, cancellationToken).ConfigureAwait(false);
        var listening = LoopbackListeners.All();
        var listeningPorts = listening.Values.ToHashSet();
        var found = new Dictionary<int, Preview>();
        foreach (var terminal in await _terminals.ListAsync(actor, projectId, cancellationToken).ConfigureAwait(false))
        {
            if (!terminal.IsRunning)
            {
                continue;
            }

            if (await _terminals.ShellPidAsync(terminal, cancellationToken).ConfigureAwait(false) is { } pid)
            {
                foreach (var port in LoopbackListeners.OfProcessTree(pid, listening))
                {
                    found.TryAdd(port, new Preview(projectId, port, PreviewSource.Listening, terminal.Id, true));
                }
            }

            var text = await _terminals.RecentOutputAsync(terminal, cancellationToken).ConfigureAwait(false);
            foreach (var port in LoopbackListeners.PrintedPorts(text))
            {
                found.TryAdd(port, new Preview(projectId, port, PreviewSource.Printed, terminal.Id, listeningPorts.Contains(port)));
            }
        }

        foreach (var command in _commands.List(projectId).Where(c => c.IsRunning))
        {
            foreach (var port in LoopbackListeners.OfProcessTree(command.Pid, listening))
            {
                found.TryAdd(port, new Preview(projectId, port, PreviewSource.Command, null, true, command.Id, command.Command));
            }

            foreach (var port in LoopbackListeners.PrintedPorts(command.Output()))
            {
                found.TryAdd(port, new Preview(projectId, port, PreviewSource.Command, null, listeningPorts.Contains(port), command.Id, command.Command));
            }
        }

        foreach (var port in await _ports.ListAsync(projectId, actor.UserId, cancellationToken).ConfigureAwait(false))
        {
            found.TryAdd(port, new Preview(projectId, port, PreviewSource.Added, null, listeningPorts.Contains(port)));
        }

        return found.Values.OrderBy(p => p.Port).ToList();
    }

    /// <summary>Adds a port by hand (idempotent).</summary>
    public async Task<Preview> AddAsync(Actor actor, Guid projectId, int port, CancellationToken cancellationToken)
    {
        await _projects.GetAsync(actor, projectId, cancellationToken).ConfigureAwait(false);
        CheckPort(port);
        await _ports.AddAsync(projectId, actor.UserId, port, _time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        return new Preview(projectId, port, PreviewSource.Added, null, LoopbackListeners.All().Values.Contains(port));
    }

    public async Task RemoveAsync(Actor actor, Guid projectId, int port, CancellationToken cancellationToken)
    {
        await _projects.GetAsync(actor, projectId, cancellationToken).ConfigureAwait(false);
        if (!await _ports.RemoveAsync(projectId, actor.UserId, port, cancellationToken).ConfigureAwait(false))
        {
            throw WrightException.NotFound(ErrorCodes.PreviewNotFound, $"Port {port} was not added to this project's previews.");
        }
    }

    /// <summary>True when the actor may use project <paramref name="projectId"/> (the proxy asks on every request).</summary>
    public Task<bool> CanPreviewAsync(Actor actor, Guid projectId, CancellationToken cancellationToken) =>
        _projects.CanSeeAsync(actor, projectId, cancellationToken);

    public static void CheckPort(int port)
    {
        if (port is < 1 or > 65535)
        {
            throw WrightException.Invalid(ErrorCodes.PreviewPortInvalid, "A preview port is a number from 1 to 65535.");
        }
    }
}
