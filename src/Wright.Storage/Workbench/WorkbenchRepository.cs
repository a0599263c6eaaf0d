using Dapper;
using Wright.Core.Workbench;
using Wright.Storage.Database;

namespace Wright.Storage.Workbench;

/// <summary>Dapper repository of workbench states, one row per user and project (deleted with either).</summary>
internal sealed class WorkbenchRepository : IWorkbenchRepository
{
    private readonly WrightDatabase _database;

    public WorkbenchRepository(WrightDatabase database)
    {
        _database = database;
    }

    public async Task<WorkbenchState?> GetAsync(Guid userId, Guid projectId, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var row = await connection.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(
            "SELECT state AS State, updated_at_ms AS UpdatedAtMs FROM workbench_states WHERE user_id = @UserId AND project_id = @ProjectId",
            new { UserId = userId.ToString(), ProjectId = projectId.ToString() },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        return row is null ? null : new WorkbenchState(userId, projectId, row.State, DateTimeOffset.FromUnixTimeMilliseconds(row.UpdatedAtMs));
    }

    public async Task SaveAsync(WorkbenchState state, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO workbench_states (user_id, project_id, state, updated_at_ms)
            VALUES (@UserId, @ProjectId, @State, @UpdatedAtMs)
            ON CONFLICT (user_id, project_id) DO UPDATE SET state = excluded.state, updated_at_ms = excluded.updated_at_ms
            """,
            new
            {
                UserId = state.UserId.ToString(),
                ProjectId = state.ProjectId.ToString(),
                State = state.StateJson,
                UpdatedAtMs = state.UpdatedAt.ToUnixTimeMilliseconds(),
            },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    private sealed class Row
    {
        public string State { get; init; } = "";

        public long UpdatedAtMs { get; init; }
    }
}
