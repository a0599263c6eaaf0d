using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Wright.Core.Accounts;
using Wright.Core.Errors;
using Wright.Core.Hosting;
using Wright.Core.Projects;
using Wright.Core.Sandbox;
using Wright.Core.Workspace;

namespace Wright.Core.Terminals;

/// <summary>
/// Opens, lists, renames, kills and attaches to terminals. A terminal belongs to the user who
/// opened it, inside a project they may use: anyone else is told it does not exist. Shells run in
/// tmux when it is installed (they outlive the server), else in a PTY of the server's own.
/// </summary>
public sealed partial class TerminalService : IAsyncDisposable
{
    public const int MaxCols = 1000;
    public const int MaxRows = 500;
    private const int MaxNameLength = 100;

    private readonly ITerminalRepository _terminals;
    private readonly ProjectService _projects;
    private readonly TerminalOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<TerminalService> _logger;
    private readonly ConcurrentDictionary<Guid, DirectTerminal> _direct = new();
    private readonly CommandSandbox _sandbox;

    public TerminalService(ITerminalRepository terminals, ProjectService projects, TerminalOptions options, WrightOptions wright, CommandSandbox sandbox, TimeProvider time, ILogger<TerminalService> logger)
    {
        _terminals = terminals;
        _sandbox = sandbox;
        _projects = projects;
        _options = options;
        _time = time;
        _logger = logger;
        Tmux = TmuxServer.Find(options.Tmux, Path.Combine(wright.DataDir, "terminals"), options.ScrollbackLines);
    }

    /// <summary>The tmux server that hosts shells, or null when terminals use the server's own PTYs.</summary>
    public TmuxServer? Tmux { get; }

    /// <summary>
    /// Opens a terminal: the user's own shell, or with <paramref name="sandbox"/> the shell under the
    /// project's sandbox (bubblewrap: the project writable, the rest read-only, secrets hidden).
    /// </summary>
    public async Task<Terminal> CreateAsync(Actor actor, Guid projectId, string? name, string? shell, string? cwd, int cols, int rows, CancellationToken cancellationToken, bool sandbox = false)
    {
        var project = await _projects.GetWritableAsync(actor, projectId, cancellationToken).ConfigureAwait(false);
        CheckSize(cols, rows);
        var directory = PathJail.Resolve(project.RootPath, cwd, allowRoot: true);
        if (!Directory.Exists(directory.RealPath))
        {
            throw WrightException.NotFound(ErrorCodes.DirectoryNotFound, $"The terminal's directory '{directory.RelativePath}' does not exist in the project.");
        }

        var program = ResolveShell(shell);
        IReadOnlyList<string> command = sandbox
            ? await _sandbox.ShellCommandAsync(project.RootPath, directory.RealPath, program, cancellationToken).ConfigureAwait(false)
            : [program];
        var existing = await _terminals.ListAsync(projectId, actor.UserId, cancellationToken).ConfigureAwait(false);
        var terminal = new Terminal(
            Guid.NewGuid(),
            projectId,
            actor.UserId,
            ValidateName(name) ?? $"Terminal {(existing.Count + 1).ToString(CultureInfo.InvariantCulture)}",
            program,
            directory.RelativePath,
            cols,
            rows,
            Tmux is null ? TerminalHost.Pty : TerminalHost.Tmux,
            _time.GetUtcNow(),
            Sandboxed: sandbox);
        await _terminals.InsertAsync(terminal, cancellationToken).ConfigureAwait(false);
        try
        {
            if (Tmux is not null)
            {
                await Tmux.CreateSessionAsync(terminal.Id, command, directory.RealPath, cols, rows, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                var environment = TmuxServer.Environment();
                environment["TERM"] = "xterm-256color";
                environment["COLORTERM"] = "truecolor";
                var pty = PtyProcess.Start(command[0], command.Skip(1).ToList(), environment, directory.RealPath, cols, rows);
                var direct = new DirectTerminal(pty, _options.BufferBytes);
                _direct[terminal.Id] = direct;
                _ = RecordExitAsync(terminal.Id, direct);
            }
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException)
        {
            await _terminals.DeleteAsync(terminal.Id, CancellationToken.None).ConfigureAwait(false);
            throw new WrightException(ErrorKind.Unavailable, ErrorCodes.TerminalStartFailed, $"The terminal could not start: {ex.Message}", inner: ex);
        }

        TerminalsLog.Opened(_logger, terminal.Id, projectId, terminal.Host.ToString());
        return terminal;
    }

    /// <summary>The actor's terminals in a project, each with its exit recorded if its shell has ended.</summary>
    public async Task<IReadOnlyList<Terminal>> ListAsync(Actor actor, Guid projectId, CancellationToken cancellationToken)
    {
        await _projects.GetAsync(actor, projectId, cancellationToken).ConfigureAwait(false);
        var terminals = await _terminals.ListAsync(projectId, actor.UserId, cancellationToken).ConfigureAwait(false);
        if (!terminals.Any(t => t.IsRunning))
        {
            return terminals;
        }

        var sessions = Tmux is null ? null : await Tmux.ListSessionsAsync(cancellationToken).ConfigureAwait(false);
        var result = new List<Terminal>(terminals.Count);
        foreach (var terminal in terminals)
        {
            result.Add(terminal.IsRunning && !IsAlive(terminal, sessions) ? await RecordEndAsync(terminal, cancellationToken).ConfigureAwait(false) : terminal);
        }

        return result;
    }

    /// <summary>A terminal of the actor's; <c>terminal_not_found</c> for anyone else's, or when its project is no longer theirs.</summary>
    public async Task<Terminal> GetAsync(Actor actor, Guid id, CancellationToken cancellationToken)
    {
        var terminal = await _terminals.GetAsync(id, cancellationToken).ConfigureAwait(false);
        if (terminal is null || terminal.UserId != actor.UserId || !await _projects.CanSeeAsync(actor, terminal.ProjectId, cancellationToken).ConfigureAwait(false))
        {
            throw WrightException.NotFound(ErrorCodes.TerminalNotFound, $"Terminal {id} does not exist.");
        }

        if (terminal.IsRunning)
        {
            var sessions = Tmux is null ? null : await Tmux.ListSessionsAsync(cancellationToken).ConfigureAwait(false);
            if (!IsAlive(terminal, sessions))
            {
                return await RecordEndAsync(terminal, cancellationToken).ConfigureAwait(false);
            }
        }

        return terminal;
    }

    public async Task<Terminal> RenameAsync(Actor actor, Guid id, string? name, CancellationToken cancellationToken)
    {
        var terminal = await GetAsync(actor, id, cancellationToken).ConfigureAwait(false);
        var newName = ValidateName(name) ?? throw WrightException.Invalid(ErrorCodes.ValidationFailed, "name must not be empty.");
        await _terminals.RenameAsync(id, newName, cancellationToken).ConfigureAwait(false);
        return terminal with { Name = newName };
    }

    /// <summary>Ends the shell and everything it started; the terminal stays listed as ended.</summary>
    public async Task<Terminal> KillAsync(Actor actor, Guid id, CancellationToken cancellationToken)
    {
        var terminal = await GetAsync(actor, id, cancellationToken).ConfigureAwait(false);
        if (!terminal.IsRunning)
        {
            return terminal;
        }

        await StopShellAsync(terminal, cancellationToken).ConfigureAwait(false);
        var exitedAt = _time.GetUtcNow();
        await _terminals.MarkExitedAsync(id, exitedAt, null, CancellationToken.None).ConfigureAwait(false);
        TerminalsLog.Killed(_logger, id);
        return await _terminals.GetAsync(id, CancellationToken.None).ConfigureAwait(false) ?? terminal with { ExitedAt = exitedAt };
    }

    /// <summary>Kills the terminal if it runs and forgets it.</summary>
    public async Task DeleteAsync(Actor actor, Guid id, CancellationToken cancellationToken)
    {
        var terminal = await GetAsync(actor, id, cancellationToken).ConfigureAwait(false);
        if (terminal.IsRunning)
        {
            await StopShellAsync(terminal, cancellationToken).ConfigureAwait(false);
        }

        await _terminals.DeleteAsync(id, CancellationToken.None).ConfigureAwait(false);
        if (Tmux is not null)
        {
            File.Delete(Tmux.ExitFileOf(id));
        }
    }

    /// <summary>
    /// A new client of a running terminal, sized <paramref name="cols"/> × <paramref name="rows"/>
    /// (the terminal's last size when absent); null when its shell has ended.
    /// </summary>
    public async Task<ITerminalAttachment?> AttachAsync(Terminal terminal, int? cols, int? rows, CancellationToken cancellationToken)
    {
        if (!terminal.IsRunning)
        {
            return null;
        }

        var width = cols ?? terminal.Cols;
        var height = rows ?? terminal.Rows;
        CheckSize(width, height);
        if (terminal.Host == TerminalHost.Pty)
        {
            if (!_direct.TryGetValue(terminal.Id, out var direct) || direct.HasEnded)
            {
                return null;
            }

            if (cols is not null || rows is not null)
            {
                direct.Resize(width, height);
            }

            return direct.Attach();
        }

        if (Tmux is null || !await Tmux.HasSessionAsync(terminal.Id, cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        var scrollback = await Tmux.ScrollbackAsync(terminal.Id, height, cancellationToken).ConfigureAwait(false);
        return new TmuxAttachment(Tmux.Attach(terminal.Id, width, height), scrollback);
    }

    /// <summary>Remembers a client's new size, so the next client starts with it.</summary>
    public Task ResizedAsync(Guid id, int cols, int rows, CancellationToken cancellationToken)
    {
        CheckSize(cols, rows);
        return _terminals.ResizeAsync(id, cols, rows, cancellationToken);
    }

    /// <summary>After a client's output ended: the terminal as it is now, its exit recorded if the shell is gone.</summary>
    public async Task<Terminal> RefreshAsync(Guid id, CancellationToken cancellationToken)
    {
        var terminal = await _terminals.GetAsync(id, cancellationToken).ConfigureAwait(false)
            ?? throw WrightException.NotFound(ErrorCodes.TerminalNotFound, $"Terminal {id} does not exist.");
        if (!terminal.IsRunning)
        {
            return terminal;
        }

        if (terminal.Host == TerminalHost.Pty && _direct.TryGetValue(id, out var direct))
        {
            // The pump ends when the shell's output does; the exit code follows at once.
            var code = await direct.Exited.WaitAsync(cancellationToken).ConfigureAwait(false);
            await _terminals.MarkExitedAsync(id, _time.GetUtcNow(), code, cancellationToken).ConfigureAwait(false);
            return await _terminals.GetAsync(id, cancellationToken).ConfigureAwait(false) ?? terminal;
        }

        var sessions = Tmux is null ? null : await Tmux.ListSessionsAsync(cancellationToken).ConfigureAwait(false);
        return IsAlive(terminal, sessions) ? terminal : await RecordEndAsync(terminal, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The process that runs in a live terminal (the root of its process tree), for finding the dev
    /// servers it started; null when it has ended.
    /// </summary>
    public async Task<int?> ShellPidAsync(Terminal terminal, CancellationToken cancellationToken)
    {
        if (!terminal.IsRunning)
        {
            return null;
        }

        if (terminal.Host == TerminalHost.Pty)
        {
            return _direct.TryGetValue(terminal.Id, out var direct) && !direct.HasEnded ? direct.Shell.Pid : null;
        }

        return Tmux is null ? null : await Tmux.PanePidAsync(terminal.Id, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The terminal's recent output as text (about the last 200 lines), for the URLs dev servers print.</summary>
    public async Task<string> RecentOutputAsync(Terminal terminal, CancellationToken cancellationToken)
    {
        if (!terminal.IsRunning)
        {
            return "";
        }

        if (terminal.Host == TerminalHost.Pty)
        {
            return _direct.TryGetValue(terminal.Id, out var direct) ? System.Text.Encoding.UTF8.GetString(direct.Snapshot()) : "";
        }

        return Tmux is null ? "" : await Tmux.RecentTextAsync(terminal.Id, 200, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>At start-up: terminals whose shells ended while the server was down get their exit recorded.</summary>
    public async Task ReconcileAsync(CancellationToken cancellationToken)
    {
        var running = await _terminals.ListRunningAsync(cancellationToken).ConfigureAwait(false);
        if (running.Count == 0)
        {
            return;
        }

        var sessions = Tmux is null ? null : await Tmux.ListSessionsAsync(cancellationToken).ConfigureAwait(false);
        foreach (var terminal in running.Where(t => !IsAlive(t, sessions)))
        {
            await RecordEndAsync(terminal, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Ends the shells the server holds itself (tmux-hosted ones keep running).</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var (id, direct) in _direct)
        {
            await direct.DisposeAsync().ConfigureAwait(false);
            _direct.TryRemove(id, out _);
        }
    }

    private bool IsAlive(Terminal terminal, IReadOnlySet<string>? sessions) => terminal.Host switch
    {
        TerminalHost.Pty => _direct.TryGetValue(terminal.Id, out var direct) && !direct.HasEnded,
        _ => sessions is not null && sessions.Contains(TmuxServer.SessionOf(terminal.Id)),
    };

    private async Task<Terminal> RecordEndAsync(Terminal terminal, CancellationToken cancellationToken)
    {
        int? code = null;
        if (terminal.Host == TerminalHost.Tmux && Tmux is not null &&
            File.Exists(Tmux.ExitFileOf(terminal.Id)) &&
            int.TryParse(await File.ReadAllTextAsync(Tmux.ExitFileOf(terminal.Id), cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture, out var status))
        {
            code = status;
        }
        else if (terminal.Host == TerminalHost.Pty && _direct.TryGetValue(terminal.Id, out var direct) && direct.Exited.IsCompletedSuccessfully)
        {
            code = direct.Exited.Result;
        }

        var exitedAt = _time.GetUtcNow();
        await _terminals.MarkExitedAsync(terminal.Id, exitedAt, code, cancellationToken).ConfigureAwait(false);
        TerminalsLog.Exited(_logger, terminal.Id, code);
        return await _terminals.GetAsync(terminal.Id, cancellationToken).ConfigureAwait(false) ?? terminal with { ExitedAt = exitedAt, ExitCode = code };
    }

    private async Task StopShellAsync(Terminal terminal, CancellationToken cancellationToken)
    {
        if (terminal.Host == TerminalHost.Pty)
        {
            if (_direct.TryRemove(terminal.Id, out var direct))
            {
                await direct.DisposeAsync().ConfigureAwait(false);
            }
        }
        else if (Tmux is not null)
        {
            await Tmux.KillSessionAsync(terminal.Id, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task RecordExitAsync(Guid id, DirectTerminal direct)
    {
        var code = await direct.Exited.ConfigureAwait(false);
        try
        {
            await _terminals.MarkExitedAsync(id, _time.GetUtcNow(), code, CancellationToken.None).ConfigureAwait(false);
            TerminalsLog.Exited(_logger, id, code);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The database may already be closed when the server stops; start-up reconciles then.
            TerminalsLog.ExitNotRecorded(_logger, id, ex);
        }
    }

    private static void CheckSize(int cols, int rows)
    {
        if (cols is < 2 or > MaxCols || rows is < 1 or > MaxRows)
        {
            throw WrightException.Invalid(ErrorCodes.TerminalSizeInvalid, $"A terminal is 2 to {MaxCols} columns and 1 to {MaxRows} rows; got {cols} × {rows}.");
        }
    }

    private static string? ValidateName(string? name)
    {
        if (name is null)
        {
            return null;
        }

        var trimmed = name.Trim();
        if (trimmed.Length == 0 || trimmed.Length > MaxNameLength || trimmed.Any(char.IsControl))
        {
            throw WrightException.Invalid(ErrorCodes.ValidationFailed, $"A terminal name is 1 to {MaxNameLength} characters without control characters.");
        }

        return trimmed;
    }

    private static string ResolveShell(string? shell)
    {
        if (string.IsNullOrWhiteSpace(shell))
        {
            return TerminalOptions.DefaultShell();
        }

        var candidates = Path.IsPathRooted(shell)
            ? [shell]
            : (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin").Split(':', StringSplitOptions.RemoveEmptyEntries).Select(d => Path.Combine(d, shell));
        foreach (var candidate in candidates)
        {
            if (!shell.Contains('/', StringComparison.Ordinal) || Path.IsPathRooted(shell))
            {
                if (File.Exists(candidate) && !OperatingSystem.IsWindows() && (File.GetUnixFileMode(candidate) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0)
                {
                    return candidate;
                }
            }
        }

        throw WrightException.Invalid(ErrorCodes.TerminalShellNotFound, $"The shell '{shell}' is not an executable file (give an absolute path or a name on PATH).");
    }
}
