namespace Wright.Core.Terminals;

/// <summary>What keeps a terminal's shell running.</summary>
public enum TerminalHost
{
    /// <summary>A tmux session on Wright's private socket: the shell outlives a restart of the server.</summary>
    Tmux,

    /// <summary>A PTY held by the server process itself (tmux missing): the shell ends with the server.</summary>
    Pty,
}

/// <summary>
/// A shell in a PTY inside a project, streamed over WebSocket. <see cref="Cwd"/> is relative to the
/// project root ("" is the root); <see cref="ExitedAt"/> is set once the shell is gone, with its
/// exit code when it was known (null when it was killed or lost with its host). A
/// <see cref="Sandboxed"/> terminal's shell runs under the project's sandbox policy (bubblewrap).
/// </summary>
public sealed record Terminal(
    Guid Id,
    Guid ProjectId,
    Guid UserId,
    string Name,
    string Shell,
    string Cwd,
    int Cols,
    int Rows,
    TerminalHost Host,
    DateTimeOffset StartedAt,
    DateTimeOffset? ExitedAt = null,
    int? ExitCode = null,
    bool Sandboxed = false)
{
    public bool IsRunning => ExitedAt is null;

    /// <summary>Whether the shell keeps running when the Wright server stops.</summary>
    public bool SurvivesRestart => Host == TerminalHost.Tmux;
}

/// <summary>Stores terminal metadata; the shells themselves live in tmux or in the server's PTYs.</summary>
public interface ITerminalRepository
{
    Task InsertAsync(Terminal terminal, CancellationToken cancellationToken);

    Task<Terminal?> GetAsync(Guid id, CancellationToken cancellationToken);

    /// <summary>The terminals one user opened in one project, oldest first.</summary>
    Task<IReadOnlyList<Terminal>> ListAsync(Guid projectId, Guid userId, CancellationToken cancellationToken);

    /// <summary>Every terminal still marked running, whoever opened it (reconciled at start-up).</summary>
    Task<IReadOnlyList<Terminal>> ListRunningAsync(CancellationToken cancellationToken);

    Task<bool> RenameAsync(Guid id, string name, CancellationToken cancellationToken);

    Task ResizeAsync(Guid id, int cols, int rows, CancellationToken cancellationToken);

    /// <summary>Records the end of the shell once; a second call changes nothing.</summary>
    Task MarkExitedAsync(Guid id, DateTimeOffset exitedAt, int? exitCode, CancellationToken cancellationToken);

    Task<bool> DeleteAsync(Guid id, CancellationToken cancellationToken);
}
