using System.Data.Common;
using System.Text.Json;
using System.Text.Json.Nodes;
using Dapper;
using Wright.Core.Flows;
using Wright.Storage.Database;

namespace Wright.Storage.Flows;

/// <summary>Dapper repository of flow templates kept with users, runs, checkpoints and events; the same SQL runs on SQLite and PostgreSQL.</summary>
internal sealed class FlowRepository : IFlowRepository
{
    private const string RunColumns = "id AS Id, session_id AS SessionId, project_id AS ProjectId, user_id AS UserId, flow AS Flow, graph AS Graph, state AS State, position AS Position, paused_prompt AS PausedPrompt, paused_at_ms AS PausedAtMs, variables AS Variables, error_code AS ErrorCode, error_detail AS ErrorDetail, cost_picos AS CostPicos, unpriced AS Unpriced, started_at_ms AS StartedAtMs, updated_at_ms AS UpdatedAtMs, ended_at_ms AS EndedAtMs";

    private const decimal PicosPerUnit = 1_000_000_000_000m;

    private static readonly JsonSerializerOptions Json = FlowTemplateText.Json;

    private readonly WrightDatabase _database;

    public FlowRepository(WrightDatabase database)
    {
        _database = database;
    }

    public async Task<IReadOnlyList<StoredFlowTemplate>> ListTemplatesAsync(Guid userId, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<TemplateRow>(new CommandDefinition(
            "SELECT user_id AS UserId, name AS Name, format AS Format, text AS Text, updated_at_ms AS UpdatedAtMs FROM flow_templates WHERE user_id = @UserId ORDER BY name",
            new { UserId = userId.ToString() },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        return rows.Select(r => r.ToTemplate()).ToList();
    }

    public async Task<StoredFlowTemplate?> GetTemplateAsync(Guid userId, string name, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var row = await connection.QuerySingleOrDefaultAsync<TemplateRow>(new CommandDefinition(
            "SELECT user_id AS UserId, name AS Name, format AS Format, text AS Text, updated_at_ms AS UpdatedAtMs FROM flow_templates WHERE user_id = @UserId AND name = @Name",
            new { UserId = userId.ToString(), Name = name },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        return row?.ToTemplate();
    }

    public async Task SaveTemplateAsync(StoredFlowTemplate template, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO flow_templates (user_id, name, format, text, updated_at_ms) VALUES (@UserId, @Name, @Format, @Text, @UpdatedAtMs)
            ON CONFLICT (user_id, name) DO UPDATE SET format = excluded.format, text = excluded.text, updated_at_ms = excluded.updated_at_ms
            """,
            new { UserId = template.UserId.ToString(), template.Name, template.Format, template.Text, UpdatedAtMs = template.UpdatedAt.ToUnixTimeMilliseconds() },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    public async Task<bool> DeleteTemplateAsync(Guid userId, string name, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM flow_templates WHERE user_id = @UserId AND name = @Name", new { UserId = userId.ToString(), Name = name }, cancellationToken: cancellationToken)).ConfigureAwait(false) == 1;
    }

    public async Task<bool> InsertRunAsync(FlowRun run, IReadOnlyList<(string Type, JsonObject Data)> events, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await connection.ExecuteAsync(new CommandDefinition(
                """
                INSERT INTO flow_runs (id, session_id, project_id, user_id, flow, graph, state, position, paused_prompt, paused_at_ms, variables, error_code, error_detail, cost_picos, unpriced, event_seq, checkpoint_seq, started_at_ms, updated_at_ms, ended_at_ms)
                VALUES (@Id, @SessionId, @ProjectId, @UserId, @Flow, @Graph, @State, @Position, @PausedPrompt, @PausedAtMs, @Variables, @ErrorCode, @ErrorDetail, @CostPicos, @Unpriced, @EventSeq, 0, @StartedAtMs, @UpdatedAtMs, @EndedAtMs)
                """,
                RunRow.From(run, events.Count),
                transaction,
                cancellationToken: cancellationToken)).ConfigureAwait(false);
        }
        catch (Exception ex) when (WrightDatabase.IsUniqueViolation(ex))
        {
            return false;
        }

        await InsertEventsAsync(connection, transaction, run.Id, 1, events, run.StartedAt, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }

    public async Task<FlowRun?> GetRunAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var row = await connection.QuerySingleOrDefaultAsync<RunRow>(new CommandDefinition(
            $"SELECT {RunColumns} FROM flow_runs WHERE id = @Id", new { Id = id.ToString() }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return row?.ToRun();
    }

    public async Task<(IReadOnlyList<FlowRun> Items, string? NextCursor)> ListRunsAsync(Guid sessionId, int limit, string? cursor, CancellationToken cancellationToken)
    {
        var after = KeysetCursor.Decode(cursor);
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = (await connection.QueryAsync<RunRow>(new CommandDefinition(
            $"""
            SELECT {RunColumns} FROM flow_runs
            WHERE session_id = @SessionId AND (@AfterMs IS NULL OR started_at_ms < @AfterMs OR (started_at_ms = @AfterMs AND id < @AfterId))
            ORDER BY started_at_ms DESC, id DESC
            LIMIT @Take
            """,
            new { SessionId = sessionId.ToString(), AfterMs = after?.Milliseconds, AfterId = after?.Id ?? "", Take = limit + 1 },
            cancellationToken: cancellationToken)).ConfigureAwait(false)).ToList();
        var next = rows.Count > limit ? new KeysetCursor(rows[limit - 1].StartedAtMs, rows[limit - 1].Id).Encode() : null;
        return (rows.Take(limit).Select(r => r.ToRun()).ToList(), next);
    }

    public async Task<(FlowRun? Latest, FlowRun? Active)> SessionRunsAsync(Guid sessionId, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var latest = await connection.QuerySingleOrDefaultAsync<RunRow>(new CommandDefinition(
            $"SELECT {RunColumns} FROM flow_runs WHERE session_id = @SessionId ORDER BY started_at_ms DESC, id DESC LIMIT 1", new { SessionId = sessionId.ToString() }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        var active = latest is null ? null : await connection.QuerySingleOrDefaultAsync<RunRow>(new CommandDefinition(
            $"SELECT {RunColumns} FROM flow_runs WHERE session_id = @SessionId AND state IN ('running', 'paused')", new { SessionId = sessionId.ToString() }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return (latest?.ToRun(), active?.ToRun());
    }

    public async Task<FlowRun?> ActiveRunAsync(Guid sessionId, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var row = await connection.QuerySingleOrDefaultAsync<RunRow>(new CommandDefinition(
            $"SELECT {RunColumns} FROM flow_runs WHERE session_id = @SessionId AND state IN ('running', 'paused')", new { SessionId = sessionId.ToString() }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return row?.ToRun();
    }

    public async Task<IReadOnlyList<Guid>> ListRunIdsAsync(string state, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var ids = await connection.QueryAsync<string>(new CommandDefinition(
            "SELECT id FROM flow_runs WHERE state = @State ORDER BY started_at_ms, id", new { State = state }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return ids.Select(Guid.Parse).ToList();
    }

    public async Task<bool> SaveStepAsync(FlowStep step, CancellationToken cancellationToken)
    {
        var states = string.Join(", ", step.FromStates.Select(s => FlowRunStates.IsActive(s) || s is FlowRunStates.Completed or FlowRunStates.Failed or FlowRunStates.Cancelled ? $"'{s}'" : throw new ArgumentException($"Unknown state {s}.", nameof(step))));
        var row = RunRow.From(step.Run, 0);
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var seqs = await connection.QuerySingleOrDefaultAsync<SeqRow>(new CommandDefinition(
            $"""
            UPDATE flow_runs SET state = @State, position = @Position, paused_prompt = @PausedPrompt, paused_at_ms = @PausedAtMs, variables = @Variables,
                error_code = @ErrorCode, error_detail = @ErrorDetail, cost_picos = @CostPicos, unpriced = @Unpriced, updated_at_ms = @UpdatedAtMs, ended_at_ms = @EndedAtMs,
                event_seq = event_seq + @EventCount, checkpoint_seq = checkpoint_seq + @CheckpointCount
            WHERE id = @Id AND state IN ({states})
            RETURNING event_seq AS EventSeq, checkpoint_seq AS CheckpointSeq
            """,
            new
            {
                row.Id, row.State, row.Position, row.PausedPrompt, row.PausedAtMs, row.Variables, row.ErrorCode, row.ErrorDetail, row.CostPicos, row.Unpriced, row.UpdatedAtMs, row.EndedAtMs,
                EventCount = step.Events.Count,
                CheckpointCount = step.Checkpoints.Count,
            },
            transaction,
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        if (seqs is null)
        {
            return false;
        }

        var checkpoints = step.Checkpoints;
        for (var i = 0; i < checkpoints.Count; i++)
        {
            var c = checkpoints[i];
            await connection.ExecuteAsync(new CommandDefinition(
                """
                INSERT INTO flow_checkpoints (run_id, seq, node_id, phase, at_ms, commit_sha, duration_ms, cost_picos, inputs, outputs)
                VALUES (@RunId, @Seq, @NodeId, @Phase, @AtMs, @CommitSha, @DurationMs, @CostPicos, @Inputs, @Outputs)
                """,
                new
                {
                    RunId = row.Id,
                    Seq = seqs.CheckpointSeq - checkpoints.Count + 1 + i,
                    c.NodeId,
                    c.Phase,
                    AtMs = c.At.ToUnixTimeMilliseconds(),
                    CommitSha = c.Commit,
                    c.DurationMs,
                    CostPicos = (long)(c.Cost * PicosPerUnit),
                    Inputs = c.Inputs?.ToJsonString(Json),
                    Outputs = c.Outputs?.ToJsonString(Json),
                },
                transaction,
                cancellationToken: cancellationToken)).ConfigureAwait(false);
        }

        await InsertEventsAsync(connection, transaction, step.Run.Id, seqs.EventSeq - step.Events.Count + 1, step.Events, step.Run.UpdatedAt, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }

    public async Task AppendEventsAsync(Guid runId, IReadOnlyList<(string Type, JsonObject Data)> events, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var seq = await connection.QuerySingleOrDefaultAsync<long?>(new CommandDefinition(
            "UPDATE flow_runs SET event_seq = event_seq + @Count WHERE id = @Id RETURNING event_seq",
            new { Id = runId.ToString(), events.Count },
            transaction,
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        if (seq is not { } last)
        {
            return;
        }

        await InsertEventsAsync(connection, transaction, runId, last - events.Count + 1, events, at, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<FlowRunEvent>> EventsAfterAsync(Guid runId, long afterSeq, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<EventRow>(new CommandDefinition(
            "SELECT seq AS Seq, type AS Type, data AS Data, at_ms AS AtMs FROM flow_events WHERE run_id = @RunId AND seq > @After ORDER BY seq LIMIT @Limit",
            new { RunId = runId.ToString(), After = afterSeq, Limit = limit },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        return rows.Select(r => new FlowRunEvent(r.Seq, r.Type, JsonNode.Parse(r.Data) as JsonObject ?? [], DateTimeOffset.FromUnixTimeMilliseconds(r.AtMs))).ToList();
    }

    public async Task<IReadOnlyList<FlowCheckpoint>> CheckpointsAsync(Guid runId, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<CheckpointRow>(new CommandDefinition(
            "SELECT seq AS Seq, node_id AS NodeId, phase AS Phase, at_ms AS AtMs, commit_sha AS CommitSha, duration_ms AS DurationMs, cost_picos AS CostPicos, inputs AS Inputs, outputs AS Outputs FROM flow_checkpoints WHERE run_id = @RunId ORDER BY seq",
            new { RunId = runId.ToString() },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        return rows.Select(r => new FlowCheckpoint(
            r.Seq, r.NodeId, r.Phase, DateTimeOffset.FromUnixTimeMilliseconds(r.AtMs), r.CommitSha, r.DurationMs, r.CostPicos / PicosPerUnit,
            r.Inputs is null ? null : JsonNode.Parse(r.Inputs), r.Outputs is null ? null : JsonNode.Parse(r.Outputs))).ToList();
    }

    public async Task<bool> ClaimRunAsync(Guid runId, string instanceId, DateTimeOffset now, bool shared, CancellationToken cancellationToken)
    {
        // Alone on SQLite nobody else can own a run; shared, a run whose owner still holds a live
        // lease (cluster_instances, renewed by the answers' heartbeat) is left to that owner.
        var sql = shared
            ? """
              UPDATE flow_runs SET owner_instance_id = @Instance
              WHERE id = @Id AND state = 'running' AND (owner_instance_id IS NULL OR owner_instance_id = @Instance
                  OR NOT EXISTS (SELECT 1 FROM cluster_instances c WHERE c.id = flow_runs.owner_instance_id AND c.lease_until_ms > @NowMs))
              """
            : "UPDATE flow_runs SET owner_instance_id = @Instance WHERE id = @Id AND state = 'running'";
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await connection.ExecuteAsync(new CommandDefinition(sql, new { Id = runId.ToString(), Instance = instanceId, NowMs = now.ToUnixTimeMilliseconds() }, cancellationToken: cancellationToken)).ConfigureAwait(false) == 1;
    }

    private static async Task InsertEventsAsync(DbConnection connection, DbTransaction transaction, Guid runId, long firstSeq, IReadOnlyList<(string Type, JsonObject Data)> events, DateTimeOffset at, CancellationToken cancellationToken)
    {
        for (var i = 0; i < events.Count; i++)
        {
            await connection.ExecuteAsync(new CommandDefinition(
                "INSERT INTO flow_events (run_id, seq, type, data, at_ms) VALUES (@RunId, @Seq, @Type, @Data, @AtMs)",
                new { RunId = runId.ToString(), Seq = firstSeq + i, events[i].Type, Data = events[i].Data.ToJsonString(Json), AtMs = at.ToUnixTimeMilliseconds() },
                transaction,
                cancellationToken: cancellationToken)).ConfigureAwait(false);
        }
    }

    private sealed record SeqRow(long EventSeq, long CheckpointSeq);

    private sealed record EventRow(long Seq, string Type, string Data, long AtMs);

    private sealed record CheckpointRow(long Seq, string NodeId, string Phase, long AtMs, string? CommitSha, long? DurationMs, long CostPicos, string? Inputs, string? Outputs);

    private sealed record TemplateRow(string UserId, string Name, string Format, string Text, long UpdatedAtMs)
    {
        public StoredFlowTemplate ToTemplate() => new(Guid.Parse(UserId), Name, Format, Text, DateTimeOffset.FromUnixTimeMilliseconds(UpdatedAtMs));
    }

    private sealed class RunRow
    {
        public string Id { get; init; } = "";

        public string SessionId { get; init; } = "";

        public string ProjectId { get; init; } = "";

        public string? UserId { get; init; }

        public string Flow { get; init; } = "";

        public string Graph { get; init; } = "";

        public string State { get; init; } = "";

        public string? Position { get; init; }

        public string? PausedPrompt { get; init; }

        public long? PausedAtMs { get; init; }

        public string Variables { get; init; } = "{}";

        public string? ErrorCode { get; init; }

        public string? ErrorDetail { get; init; }

        public long CostPicos { get; init; }

        public long Unpriced { get; init; }

        public long EventSeq { get; init; }

        public long StartedAtMs { get; init; }

        public long UpdatedAtMs { get; init; }

        public long? EndedAtMs { get; init; }

        public static RunRow From(FlowRun run, long eventSeq) => new()
        {
            Id = run.Id.ToString(),
            SessionId = run.SessionId.ToString(),
            ProjectId = run.ProjectId.ToString(),
            UserId = run.UserId?.ToString(),
            Flow = run.Flow,
            Graph = JsonSerializer.Serialize(run.Graph, Json),
            State = run.State,
            Position = run.Position is null ? null : JsonSerializer.Serialize(run.Position, Json),
            PausedPrompt = run.PausedPrompt,
            PausedAtMs = run.PausedAt?.ToUnixTimeMilliseconds(),
            Variables = run.Variables.ToJsonString(Json),
            ErrorCode = run.ErrorCode,
            ErrorDetail = run.ErrorDetail,
            CostPicos = (long)(run.Cost * PicosPerUnit),
            Unpriced = run.Unpriced ? 1 : 0,
            EventSeq = eventSeq,
            StartedAtMs = run.StartedAt.ToUnixTimeMilliseconds(),
            UpdatedAtMs = run.UpdatedAt.ToUnixTimeMilliseconds(),
            EndedAtMs = run.EndedAt?.ToUnixTimeMilliseconds(),
        };

        public FlowRun ToRun() => new(
            Guid.Parse(Id),
            Guid.Parse(SessionId),
            Guid.Parse(ProjectId),
            UserId is null ? null : Guid.Parse(UserId),
            Flow,
            JsonSerializer.Deserialize<FlowGraph>(Graph, Json)!,
            State,
            Position is null ? null : JsonSerializer.Deserialize<FlowPosition>(Position, Json),
            PausedPrompt,
            PausedAtMs is { } p ? DateTimeOffset.FromUnixTimeMilliseconds(p) : null,
            JsonNode.Parse(Variables) as JsonObject ?? [],
            ErrorCode,
            ErrorDetail,
            CostPicos / PicosPerUnit,
            Unpriced != 0,
            DateTimeOffset.FromUnixTimeMilliseconds(StartedAtMs),
            DateTimeOffset.FromUnixTimeMilliseconds(UpdatedAtMs),
            EndedAtMs is { } e ? DateTimeOffset.FromUnixTimeMilliseconds(e) : null);
    }
}
