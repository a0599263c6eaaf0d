using System.Text.Json;
using Dapper;
using Wright.Core.Flows;
using Wright.Storage.Database;

namespace Wright.Storage.Flows;

/// <summary>The agent board's query over <c>flow_runs</c>: active runs joined with their session and project, scoped to a user's projects.</summary>
internal sealed class ActiveFlowRunRepository(WrightDatabase database) : IActiveFlowRunRepository
{
    private const string VisibleTo = "(p.owner_id = @UserId OR EXISTS (SELECT 1 FROM project_members m WHERE m.project_id = p.id AND m.user_id = @UserId))";

    public async Task<IReadOnlyList<ActiveFlowRun>> ListActiveAsync(Guid? userId, IReadOnlyList<string> states, int limit, CancellationToken cancellationToken)
    {
        var sql = $"""
            SELECT r.id AS Id, r.session_id AS SessionId, s.title AS SessionTitle, r.project_id AS ProjectId, p.name AS ProjectName,
                   r.flow AS Flow, r.state AS State, r.position AS Position, r.paused_prompt AS PausedPrompt,
                   r.paused_at_ms AS PausedAtMs, r.started_at_ms AS StartedAtMs, r.updated_at_ms AS UpdatedAtMs
            FROM flow_runs r
            JOIN chat_sessions s ON s.id = r.session_id
            JOIN projects p ON p.id = r.project_id
            WHERE r.state {(database.Dialect == DatabaseDialect.Postgres ? "= ANY(@States)" : "IN @States")}
              AND NOT (r.flow = @DefaultFlow AND r.state = @Paused)
              {(userId is null ? "" : "AND " + VisibleTo)}
            ORDER BY r.updated_at_ms, r.id
            LIMIT @Limit
            """;
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<Row>(new CommandDefinition(
            sql,
            new { States = states.ToArray(), DefaultFlow = FlowTemplates.DefaultName, Paused = FlowRunStates.Paused, UserId = userId?.ToString(), Limit = limit },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        return rows.Select(r => r.ToRun()).OrderBy(r => r.Since).ToList();
    }

    private sealed class Row
    {
        public string Id { get; init; } = "";

        public string SessionId { get; init; } = "";

        public string SessionTitle { get; init; } = "";

        public string ProjectId { get; init; } = "";

        public string ProjectName { get; init; } = "";

        public string Flow { get; init; } = "";

        public string State { get; init; } = "";

        public string? Position { get; init; }

        public string? PausedPrompt { get; init; }

        public long? PausedAtMs { get; init; }

        public long StartedAtMs { get; init; }

        public long UpdatedAtMs { get; init; }

        public ActiveFlowRun ToRun()
        {
            var position = Position is null ? null : JsonSerializer.Deserialize<FlowPosition>(Position, FlowTemplateText.Json);
            var sinceMs = State == FlowRunStates.Paused
                ? PausedAtMs ?? UpdatedAtMs
                : position is { EnteredAtMs: > 0 } ? position.EnteredAtMs : StartedAtMs;
            return new ActiveFlowRun(
                Guid.Parse(Id), Guid.Parse(SessionId), SessionTitle, Guid.Parse(ProjectId), ProjectName, Flow, State, position?.NodeId, PausedPrompt,
                DateTimeOffset.FromUnixTimeMilliseconds(sinceMs), DateTimeOffset.FromUnixTimeMilliseconds(StartedAtMs));
        }
    }
}
