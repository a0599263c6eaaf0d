using Dapper;
using Wright.Core.Terminals;
using Wright.Storage.Database;

namespace Wright.Storage.Terminals;

/// <summary>Dapper repository of terminal metadata (table <c>terminals</c>).</summary>
internal sealed class TerminalRepository : ITerminalRepository
{
    private const string Columns =
        "id AS Id, project_id AS ProjectId, user_id AS UserId, name AS Name, shell AS Shell, cwd AS Cwd, cols AS Cols, rows AS Rows, host AS Host, " +
        "started_at_ms AS StartedAtMs, exited_at_ms AS ExitedAtMs, exit_code AS ExitCode, sandboxed AS Sandboxed";

    private readonly WrightDatabase _database;

    public TerminalRepository(WrightDatabase database)
    {
        _database = database;
    }

    public async Task InsertAsync(Terminal terminal, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO terminals (id, project_id, user_id, name, shell, cwd, cols, rows, host, started_at_ms, exited_at_ms, exit_code, sandboxed)
            VALUES (@Id, @ProjectId, @UserId, @Name, @Shell, @Cwd, @Cols, @Rows, @Host, @StartedAtMs, @ExitedAtMs, @ExitCode, @Sandboxed)
            """,
            new
            {
                Id = terminal.Id.ToString(),
                ProjectId = terminal.ProjectId.ToString(),
                UserId = terminal.UserId.ToString(),
                terminal.Name,
                terminal.Shell,
                terminal.Cwd,
                Cols = (long)terminal.Cols,
                Rows = (long)terminal.Rows,
                Host = HostName(terminal.Host),
                StartedAtMs = terminal.StartedAt.ToUnixTimeMilliseconds(),
                ExitedAtMs = terminal.ExitedAt?.ToUnixTimeMilliseconds(),
                ExitCode = (long?)terminal.ExitCode,
                Sandboxed = terminal.Sandboxed ? 1L : 0L,
            },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    public async Task<Terminal?> GetAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var row = await connection.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(
            $"SELECT {Columns} FROM terminals WHERE id = @Id", new { Id = id.ToString() }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return row?.ToTerminal();
    }

    public async Task<IReadOnlyList<Terminal>> ListAsync(Guid projectId, Guid userId, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<Row>(new CommandDefinition(
            $"SELECT {Columns} FROM terminals WHERE project_id = @ProjectId AND user_id = @UserId ORDER BY started_at_ms, id",
            new { ProjectId = projectId.ToString(), UserId = userId.ToString() },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        return rows.Select(r => r.ToTerminal()).ToList();
    }

    public async Task<IReadOnlyList<Terminal>> ListRunningAsync(CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<Row>(new CommandDefinition(
            $"SELECT {Columns} FROM terminals WHERE exited_at_ms IS NULL ORDER BY started_at_ms, id", cancellationToken: cancellationToken)).ConfigureAwait(false);
        return rows.Select(r => r.ToTerminal()).ToList();
    }

    public async Task<bool> RenameAsync(Guid id, string name, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE terminals SET name = @Name WHERE id = @Id", new { Id = id.ToString(), Name = name }, cancellationToken: cancellationToken)).ConfigureAwait(false) == 1;
    }

    public async Task ResizeAsync(Guid id, int cols, int rows, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE terminals SET cols = @Cols, rows = @Rows WHERE id = @Id",
            new { Id = id.ToString(), Cols = (long)cols, Rows = (long)rows },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    public async Task MarkExitedAsync(Guid id, DateTimeOffset exitedAt, int? exitCode, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE terminals SET exited_at_ms = @ExitedAtMs, exit_code = @ExitCode WHERE id = @Id AND exited_at_ms IS NULL",
            new { Id = id.ToString(), ExitedAtMs = exitedAt.ToUnixTimeMilliseconds(), ExitCode = (long?)exitCode },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    public async Task<bool> DeleteAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM terminals WHERE id = @Id", new { Id = id.ToString() }, cancellationToken: cancellationToken)).ConfigureAwait(false) == 1;
    }

    private static string HostName(TerminalHost host) => host == TerminalHost.Tmux ? "tmux" : "pty";

    private sealed class Row
    {
        public string Id { get; init; } = "";

        public string ProjectId { get; init; } = "";

        public string UserId { get; init; } = "";

        public string Name { get; init; } = "";

        public string Shell { get; init; } = "";

        public string Cwd { get; init; } = "";

        public long Cols { get; init; }

        public long Rows { get; init; }

        public string Host { get; init; } = "";

        public long StartedAtMs { get; init; }

        public long? ExitedAtMs { get; init; }

        public long? ExitCode { get; init; }

        public long Sandboxed { get; init; }

        public Terminal ToTerminal() => new(
            Guid.Parse(Id),
            Guid.Parse(ProjectId),
            Guid.Parse(UserId),
            Name,
            Shell,
            Cwd,
            (int)Cols,
            (int)Rows,
            Host == "tmux" ? TerminalHost.Tmux : TerminalHost.Pty,
            DateTimeOffset.FromUnixTimeMilliseconds(StartedAtMs),
            ExitedAtMs is { } exited ? DateTimeOffset.FromUnixTimeMilliseconds(exited) : null,
            (int?)ExitCode,
            Sandboxed != 0);
    }
}
