using System.Data.Common;
using Dapper;
using Wright.Core.Agents;
using Wright.Core.Paging;
using Wright.Storage.Database;

namespace Wright.Storage.Agents;

/// <summary>Dapper repository of the agent monitor; the same SQL runs on SQLite and PostgreSQL.</summary>
internal sealed class AgentRepository : IAgentRepository
{
    /// <summary>Costs are stored in picodollars (10^-12 USD) as integers, so sums are exact on both engines.</summary>
    private const decimal PicosPerUnit = 1_000_000_000_000m;

    private const string ProjectColumns = "p.id AS Id, p.owner_id AS OwnerId, p.path AS Path, p.name AS Name, p.remote AS Remote, p.branch AS Branch, p.wright_project_id AS WrightProjectId, p.created_at_ms AS CreatedAtMs";
    private const string AgentColumns = "a.id AS Id, a.owner_id AS OwnerId, a.kind AS Kind, a.name AS Name, a.project_id AS ProjectId, a.session_uuid AS SessionUuid, a.agent_session_id AS AgentSessionId, a.terminal_pane AS TerminalPane, a.current_task_id AS CurrentTaskId, a.transcript_path AS TranscriptPath, a.started_at_ms AS StartedAtMs, a.last_seen_at_ms AS LastSeenAtMs, a.ended_at_ms AS EndedAtMs";
    private const string TaskColumns = "t.id AS Id, t.agent_id AS AgentId, t.state AS State, t.waiting_on AS WaitingOn, t.started_at_ms AS StartedAtMs, t.state_changed_at_ms AS StateChangedAtMs, t.completed_at_ms AS CompletedAtMs, t.end_reason AS EndReason";
    private const string TurnColumns = "id AS Id, agent_id AS AgentId, task_id AS TaskId, actor AS Actor, intent AS Intent, text AS Text, commit_sha AS CommitSha, at_ms AS AtMs";
    private const string UsageColumns = "agent_id AS AgentId, usage_key AS UsageKey, task_id AS TaskId, turn_id AS TurnId, model AS Model, input_tokens AS InputTokens, output_tokens AS OutputTokens, cache_read_tokens AS CacheReadTokens, cache_write_tokens AS CacheWriteTokens, cost_picos AS CostPicos, at_ms AS AtMs";

    private readonly WrightDatabase _database;

    public AgentRepository(WrightDatabase database)
    {
        _database = database;
    }

    public async Task<AgentProject?> FindProjectAsync(Guid ownerId, string path, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var row = await connection.QuerySingleOrDefaultAsync<ProjectRow>(new CommandDefinition(
            $"SELECT {ProjectColumns} FROM agent_projects p WHERE p.owner_id = @OwnerId AND p.path = @Path",
            new { OwnerId = ownerId.ToString(), Path = path },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        return row?.ToProject();
    }

    public Task<Agent?> GetAsync(Guid id, CancellationToken cancellationToken) =>
        FindAgentAsync("a.id = @Id", new { Id = id.ToString() }, cancellationToken);

    public Task<Agent?> FindBySessionUuidAsync(Guid ownerId, Guid sessionUuid, CancellationToken cancellationToken) =>
        FindAgentAsync("a.owner_id = @OwnerId AND a.session_uuid = @SessionUuid", new { OwnerId = ownerId.ToString(), SessionUuid = sessionUuid.ToString() }, cancellationToken);

    public Task<Agent?> FindByAgentSessionIdAsync(Guid ownerId, string agentSessionId, CancellationToken cancellationToken) =>
        FindAgentAsync("a.owner_id = @OwnerId AND a.agent_session_id = @AgentSessionId ORDER BY a.started_at_ms DESC LIMIT 1", new { OwnerId = ownerId.ToString(), AgentSessionId = agentSessionId }, cancellationToken);

    public Task<Agent?> FindActiveInProjectAsync(Guid ownerId, Guid projectId, bool unlinkedOnly, CancellationToken cancellationToken) =>
        FindAgentAsync(
            $"a.owner_id = @OwnerId AND a.project_id = @ProjectId AND a.ended_at_ms IS NULL {(unlinkedOnly ? "AND a.agent_session_id IS NULL" : "")} ORDER BY a.last_seen_at_ms DESC LIMIT 1",
            new { OwnerId = ownerId.ToString(), ProjectId = projectId.ToString() },
            cancellationToken);

    public async Task<AgentTask?> GetTaskAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var row = await connection.QuerySingleOrDefaultAsync<TaskRow>(new CommandDefinition(
            $"SELECT {TaskColumns} FROM agent_tasks t WHERE t.id = @Id", new { Id = id.ToString() }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return row?.ToTask();
    }

    public async Task SaveAsync(AgentChanges changes, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        if (changes.NewProject is { } newProject)
        {
            await ExecuteAsync(connection, transaction, "INSERT INTO agent_projects (id, owner_id, path, name, remote, branch, wright_project_id, created_at_ms) VALUES (@Id, @OwnerId, @Path, @Name, @Remote, @Branch, @WrightProjectId, @CreatedAtMs)", ProjectRow.From(newProject), cancellationToken).ConfigureAwait(false);
        }

        if (changes.UpdatedProject is { } project)
        {
            await ExecuteAsync(connection, transaction, "UPDATE agent_projects SET name = @Name, remote = @Remote, branch = @Branch, wright_project_id = @WrightProjectId WHERE id = @Id", ProjectRow.From(project), cancellationToken).ConfigureAwait(false);
        }

        if (changes.NewAgent is { } newAgent)
        {
            await ExecuteAsync(connection, transaction, """
                INSERT INTO agents (id, owner_id, kind, name, project_id, session_uuid, agent_session_id, terminal_pane, current_task_id, transcript_path, started_at_ms, last_seen_at_ms, ended_at_ms)
                VALUES (@Id, @OwnerId, @Kind, @Name, @ProjectId, @SessionUuid, @AgentSessionId, @TerminalPane, NULL, @TranscriptPath, @StartedAtMs, @LastSeenAtMs, @EndedAtMs)
                """, AgentRow.From(newAgent), cancellationToken).ConfigureAwait(false);
        }

        foreach (var task in changes.NewTasks)
        {
            await ExecuteAsync(connection, transaction, "INSERT INTO agent_tasks (id, agent_id, state, waiting_on, started_at_ms, state_changed_at_ms, completed_at_ms, end_reason) VALUES (@Id, @AgentId, @State, @WaitingOn, @StartedAtMs, @StateChangedAtMs, @CompletedAtMs, @EndReason)", TaskRow.From(task), cancellationToken).ConfigureAwait(false);
        }

        foreach (var task in changes.UpdatedTasks)
        {
            await ExecuteAsync(connection, transaction, "UPDATE agent_tasks SET state = @State, waiting_on = @WaitingOn, state_changed_at_ms = @StateChangedAtMs, completed_at_ms = @CompletedAtMs, end_reason = @EndReason WHERE id = @Id", TaskRow.From(task), cancellationToken).ConfigureAwait(false);
        }

        // After the tasks: the agent points at its current task.
        var agent = changes.NewAgent ?? changes.UpdatedAgent;
        if (agent is not null)
        {
            await ExecuteAsync(connection, transaction, """
                UPDATE agents SET name = @Name, agent_session_id = @AgentSessionId, terminal_pane = @TerminalPane, current_task_id = @CurrentTaskId,
                    transcript_path = @TranscriptPath, last_seen_at_ms = @LastSeenAtMs, ended_at_ms = @EndedAtMs
                WHERE id = @Id
                """, AgentRow.From(agent), cancellationToken).ConfigureAwait(false);
        }

        foreach (var turn in changes.Turns)
        {
            await ExecuteAsync(connection, transaction, "INSERT INTO agent_turns (id, agent_id, task_id, actor, intent, text, commit_sha, at_ms) VALUES (@Id, @AgentId, @TaskId, @Actor, @Intent, @Text, @CommitSha, @AtMs)", TurnRow.From(turn), cancellationToken).ConfigureAwait(false);
        }

        foreach (var evt in changes.Events)
        {
            await ExecuteAsync(connection, transaction, "INSERT INTO agent_events (id, agent_id, project_id, task_id, turn_id, type, payload, at_ms) VALUES (@Id, @AgentId, @ProjectId, @TaskId, @TurnId, @Type, @Payload, @AtMs)", new
            {
                Id = evt.Id.ToString(),
                AgentId = evt.AgentId.ToString(),
                ProjectId = evt.ProjectId.ToString(),
                TaskId = evt.TaskId?.ToString(),
                TurnId = evt.TurnId?.ToString(),
                evt.Type,
                evt.Payload,
                AtMs = evt.At.ToUnixTimeMilliseconds(),
            }, cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<bool> SaveUsageAsync(AgentUsage usage, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var changed = await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO agent_usage (agent_id, usage_key, task_id, turn_id, model, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, total_tokens, cost_picos, at_ms)
            VALUES (@AgentId, @UsageKey, @TaskId, @TurnId, @Model, @InputTokens, @OutputTokens, @CacheReadTokens, @CacheWriteTokens, @TotalTokens, @CostPicos, @AtMs)
            ON CONFLICT (agent_id, usage_key) DO UPDATE SET
                model = excluded.model, input_tokens = excluded.input_tokens, output_tokens = excluded.output_tokens,
                cache_read_tokens = excluded.cache_read_tokens, cache_write_tokens = excluded.cache_write_tokens,
                total_tokens = excluded.total_tokens, cost_picos = excluded.cost_picos
            WHERE excluded.total_tokens > agent_usage.total_tokens
            """,
            new
            {
                AgentId = usage.AgentId.ToString(),
                UsageKey = usage.Key,
                TaskId = usage.TaskId?.ToString(),
                TurnId = usage.TurnId?.ToString(),
                usage.Model,
                usage.InputTokens,
                usage.OutputTokens,
                usage.CacheReadTokens,
                usage.CacheWriteTokens,
                usage.TotalTokens,
                CostPicos = (long)decimal.Round(usage.Cost * PicosPerUnit),
                AtMs = usage.At.ToUnixTimeMilliseconds(),
            },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        return changed > 0;
    }

    public async Task<long> GetTranscriptOffsetAsync(Guid agentId, string path, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await connection.QuerySingleOrDefaultAsync<long?>(new CommandDefinition(
            "SELECT read_offset FROM agent_transcripts WHERE agent_id = @AgentId AND path = @Path",
            new { AgentId = agentId.ToString(), Path = path },
            cancellationToken: cancellationToken)).ConfigureAwait(false) ?? 0;
    }

    public async Task SetTranscriptOffsetAsync(Guid agentId, string path, long offset, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition(
            "INSERT INTO agent_transcripts (agent_id, path, read_offset) VALUES (@AgentId, @Path, @Offset) ON CONFLICT (agent_id, path) DO UPDATE SET read_offset = excluded.read_offset",
            new { AgentId = agentId.ToString(), Path = path, Offset = offset },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    public async Task<Page<AgentSummary>> ListAsync(Guid ownerId, AgentTaskState? state, Guid? projectId, PageRequest page, CancellationToken cancellationToken)
    {
        var after = KeysetCursor.Decode(page.Cursor);
        var rows = await QuerySummariesAsync(
            """
            (@ProjectId IS NULL OR a.project_id = @ProjectId)
              AND (@State IS NULL OR COALESCE(t.state, 'IDLE') = @State)
              AND (@AfterMs IS NULL OR a.started_at_ms < @AfterMs OR (a.started_at_ms = @AfterMs AND a.id < @AfterId))
            ORDER BY a.started_at_ms DESC, a.id DESC
            LIMIT @Take
            """,
            new { OwnerId = ownerId.ToString(), ProjectId = projectId?.ToString(), State = state is { } s ? StateName(s) : null, AfterMs = after?.Milliseconds, AfterId = after?.Id ?? "", Take = page.Limit + 1 },
            cancellationToken).ConfigureAwait(false);
        var paged = Paging.ToPage(rows.Agents, page.Limit, r => new KeysetCursor(r.Agent.StartedAtMs, r.Agent.Id), r => r);
        return new Page<AgentSummary>(await WithTurnsAndUsageAsync(paged.Items, cancellationToken).ConfigureAwait(false), paged.NextCursor);
    }

    public async Task<AgentSummary?> GetSummaryAsync(Guid ownerId, Guid agentId, CancellationToken cancellationToken)
    {
        var rows = await QuerySummariesAsync("a.id = @AgentId", new { OwnerId = ownerId.ToString(), AgentId = agentId.ToString() }, cancellationToken).ConfigureAwait(false);
        return rows.Agents.Count == 0 ? null : (await WithTurnsAndUsageAsync(rows.Agents, cancellationToken).ConfigureAwait(false))[0];
    }

    public async Task<IReadOnlyList<AgentTask>> ListTasksAsync(Guid agentId, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<TaskRow>(new CommandDefinition(
            $"SELECT {TaskColumns} FROM agent_tasks t WHERE t.agent_id = @AgentId ORDER BY t.started_at_ms, t.id",
            new { AgentId = agentId.ToString() },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        return rows.Select(r => r.ToTask()).ToList();
    }

    public async Task<IReadOnlyList<AgentTurn>> ListTurnsAsync(Guid agentId, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<TurnRow>(new CommandDefinition(
            $"SELECT {TurnColumns} FROM agent_turns WHERE agent_id = @AgentId ORDER BY seq",
            new { AgentId = agentId.ToString() },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        return rows.Select(r => r.ToTurn()).ToList();
    }

    public async Task<IReadOnlyList<AgentEvent>> ListEventsAsync(Guid agentId, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<EventRow>(new CommandDefinition(
            "SELECT id AS Id, agent_id AS AgentId, project_id AS ProjectId, task_id AS TaskId, turn_id AS TurnId, type AS Type, payload AS Payload, at_ms AS AtMs FROM agent_events WHERE agent_id = @AgentId ORDER BY seq DESC LIMIT @Limit",
            new { AgentId = agentId.ToString(), Limit = limit },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        return rows.Reverse().Select(r => new AgentEvent(Guid.Parse(r.Id), Guid.Parse(r.AgentId), Guid.Parse(r.ProjectId), ParseGuid(r.TaskId), ParseGuid(r.TurnId), r.Type, r.Payload, Milliseconds.ToTime(r.AtMs))).ToList();
    }

    public async Task<IReadOnlyList<AgentUsage>> ListUsageAsync(Guid agentId, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<UsageRow>(new CommandDefinition(
            $"SELECT {UsageColumns} FROM agent_usage WHERE agent_id = @AgentId ORDER BY at_ms, usage_key",
            new { AgentId = agentId.ToString() },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        return rows.Select(r => r.ToUsage()).ToList();
    }

    public async Task<IReadOnlyList<UsageBucket>> UsageByAsync(Guid ownerId, UsageGrouping grouping, CancellationToken cancellationToken)
    {
        const string Sums = "SUM(u.input_tokens) AS InputTokens, SUM(u.output_tokens) AS OutputTokens, SUM(u.cache_read_tokens) AS CacheReadTokens, SUM(u.cache_write_tokens) AS CacheWriteTokens, SUM(u.cost_picos) AS CostPicos";
        var day = "u.at_ms / 86400000";
        var key = grouping == UsageGrouping.Project ? "a.project_id" : day;
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<BucketRow>(new CommandDefinition(
            $"SELECT {key} AS BucketKey, {Sums} FROM agent_usage u JOIN agents a ON a.id = u.agent_id WHERE a.owner_id = @OwnerId GROUP BY {key} ORDER BY {key}",
            new { OwnerId = ownerId.ToString() },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        return rows.Select(r => new UsageBucket(
            grouping == UsageGrouping.Day ? DateTimeOffset.FromUnixTimeMilliseconds(Convert.ToInt64(r.BucketKey, System.Globalization.CultureInfo.InvariantCulture) * 86_400_000).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture) : Convert.ToString(r.BucketKey, System.Globalization.CultureInfo.InvariantCulture)!,
            Totals(r.InputTokens, r.OutputTokens, r.CacheReadTokens, r.CacheWriteTokens, r.CostPicos))).ToList();
    }

    public async Task<IReadOnlyList<Agent>> ListSilentWithOpenTaskAsync(DateTimeOffset seenBefore, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<AgentRow>(new CommandDefinition(
            $"SELECT {AgentColumns} FROM agents a WHERE a.current_task_id IS NOT NULL AND a.last_seen_at_ms < @Before LIMIT 1000",
            new { Before = seenBefore.ToUnixTimeMilliseconds() },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        return rows.Select(r => r.ToAgent()).ToList();
    }

    private async Task<Agent?> FindAgentAsync(string where, object parameters, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var row = await connection.QueryFirstOrDefaultAsync<AgentRow>(new CommandDefinition(
            $"SELECT {AgentColumns} FROM agents a WHERE {where}", parameters, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return row?.ToAgent();
    }

    private async Task<(List<SummaryRow> Agents, int Count)> QuerySummariesAsync(string where, object parameters, CancellationToken cancellationToken)
    {
        var sql = $"""
            SELECT {AgentColumns}, '' AS Split, {ProjectColumns}, '' AS Split, {TaskColumns}
            FROM agents a
            JOIN agent_projects p ON p.id = a.project_id
            LEFT JOIN agent_tasks t ON t.id = a.current_task_id
            WHERE a.owner_id = @OwnerId AND {where}
            """;
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<AgentRow, ProjectRow, TaskRow, SummaryRow>(
            new CommandDefinition(sql, parameters, cancellationToken: cancellationToken),
            (agent, project, task) => new SummaryRow(agent, project, task?.Id is null ? null : task),
            splitOn: "Split").ConfigureAwait(false);
        var list = rows.ToList();
        return (list, list.Count);
    }

    /// <summary>
    /// The summaries of <paramref name="rows"/>: each with its latest command and answer and its
    /// usage totals, read for these agents only (through the keys' indexes), never by summing every
    /// agent's usage for a page of them.
    /// </summary>
    private async Task<IReadOnlyList<AgentSummary>> WithTurnsAndUsageAsync(IReadOnlyList<SummaryRow> rows, CancellationToken cancellationToken)
    {
        if (rows.Count == 0)
        {
            return [];
        }

        // Named parameters rather than Dapper's list expansion, which Npgsql would take as one array.
        var parameters = new DynamicParameters();
        for (var i = 0; i < rows.Count; i++)
        {
            parameters.Add($"Id{i}", rows[i].Agent.Id);
        }

        var ids = string.Join(", ", Enumerable.Range(0, rows.Count).Select(i => $"@Id{i}"));
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var turns = (await connection.QueryAsync<TurnRow>(new CommandDefinition(
            $"""
            SELECT {TurnColumns} FROM (
                SELECT agent_turns.*, ROW_NUMBER() OVER (PARTITION BY agent_id, actor ORDER BY seq DESC) AS rn
                FROM agent_turns WHERE agent_id IN ({ids})) latest
            WHERE rn = 1
            """,
            parameters,
            cancellationToken: cancellationToken)).ConfigureAwait(false)).Select(r => r.ToTurn()).ToList();
        var sums = (await connection.QueryAsync<SumsRow>(new CommandDefinition(
            $"""
            SELECT agent_id AS AgentId, SUM(input_tokens) AS InputTokens, SUM(output_tokens) AS OutputTokens, SUM(cache_read_tokens) AS CacheReadTokens,
                   SUM(cache_write_tokens) AS CacheWriteTokens, SUM(cost_picos) AS CostPicos
            FROM agent_usage WHERE agent_id IN ({ids}) GROUP BY agent_id
            """,
            parameters,
            cancellationToken: cancellationToken)).ConfigureAwait(false)).ToDictionary(s => s.AgentId);
        return rows.Select(r =>
        {
            var agent = r.Agent.ToAgent();
            var task = r.Task?.ToTask();
            var command = turns.FirstOrDefault(t => t.AgentId == agent.Id && t.Actor == TurnActor.User);
            var last = turns.FirstOrDefault(t => t.AgentId == agent.Id && t.Actor == TurnActor.Agent);
            var used = sums.GetValueOrDefault(r.Agent.Id) ?? new SumsRow();
            return new AgentSummary(agent, r.Project.ToProject(), task, command, last, Totals(used.InputTokens, used.OutputTokens, used.CacheReadTokens, used.CacheWriteTokens, used.CostPicos));
        }).ToList();
    }

    private static UsageTotals Totals(long input, long output, long cacheRead, long cacheWrite, long costPicos) =>
        new(input, output, cacheRead, cacheWrite, costPicos / PicosPerUnit);

    private static Task ExecuteAsync(DbConnection connection, DbTransaction transaction, string sql, object parameters, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition(sql, parameters, transaction, cancellationToken: cancellationToken));

    internal static string StateName(AgentTaskState state) => state switch
    {
        AgentTaskState.Idle => "IDLE",
        AgentTaskState.Commanded => "COMMANDED",
        AgentTaskState.Processing => "PROCESSING",
        AgentTaskState.AwaitingInput => "AWAITING_INPUT",
        AgentTaskState.Complete => "COMPLETE",
        _ => throw new ArgumentOutOfRangeException(nameof(state)),
    };

    internal static AgentTaskState ParseState(string state) => state switch
    {
        "IDLE" => AgentTaskState.Idle,
        "COMMANDED" => AgentTaskState.Commanded,
        "PROCESSING" => AgentTaskState.Processing,
        "AWAITING_INPUT" => AgentTaskState.AwaitingInput,
        "COMPLETE" => AgentTaskState.Complete,
        _ => throw new InvalidOperationException($"Unknown task state '{state}' in the database."),
    };

    private static Guid? ParseGuid(string? value) => value is null ? null : Guid.Parse(value);

    private sealed record SummaryRow(AgentRow Agent, ProjectRow Project, TaskRow? Task);

    private sealed class SumsRow
    {
        public string AgentId { get; set; } = "";

        public long InputTokens { get; set; }

        public long OutputTokens { get; set; }

        public long CacheReadTokens { get; set; }

        public long CacheWriteTokens { get; set; }

        public long CostPicos { get; set; }
    }

    private sealed class BucketRow
    {
        public object BucketKey { get; set; } = "";

        public long InputTokens { get; set; }

        public long OutputTokens { get; set; }

        public long CacheReadTokens { get; set; }

        public long CacheWriteTokens { get; set; }

        public long CostPicos { get; set; }
    }

    private sealed class ProjectRow
    {
        public string Split { get; set; } = "";

        public string Id { get; set; } = "";

        public string OwnerId { get; set; } = "";

        public string Path { get; set; } = "";

        public string Name { get; set; } = "";

        public string? Remote { get; set; }

        public string? Branch { get; set; }

        public string? WrightProjectId { get; set; }

        public long CreatedAtMs { get; set; }

        public static ProjectRow From(AgentProject p) => new()
        {
            Id = p.Id.ToString(),
            OwnerId = p.OwnerId.ToString(),
            Path = p.Path,
            Name = p.Name,
            Remote = p.Remote,
            Branch = p.Branch,
            WrightProjectId = p.WrightProjectId?.ToString(),
            CreatedAtMs = p.CreatedAt.ToUnixTimeMilliseconds(),
        };

        public AgentProject ToProject() => new(Guid.Parse(Id), Guid.Parse(OwnerId), Path, Name, Remote, Branch, ParseGuid(WrightProjectId), Milliseconds.ToTime(CreatedAtMs));
    }

    private sealed class AgentRow
    {
        public string Id { get; set; } = "";

        public string OwnerId { get; set; } = "";

        public string Kind { get; set; } = "";

        public string? Name { get; set; }

        public string ProjectId { get; set; } = "";

        public string? SessionUuid { get; set; }

        public string? AgentSessionId { get; set; }

        public string? TerminalPane { get; set; }

        public string? CurrentTaskId { get; set; }

        public string? TranscriptPath { get; set; }

        public long StartedAtMs { get; set; }

        public long LastSeenAtMs { get; set; }

        public long? EndedAtMs { get; set; }

        public static AgentRow From(Agent a) => new()
        {
            Id = a.Id.ToString(),
            OwnerId = a.OwnerId.ToString(),
            Kind = a.Kind,
            Name = a.Name,
            ProjectId = a.ProjectId.ToString(),
            SessionUuid = a.SessionUuid?.ToString(),
            AgentSessionId = a.AgentSessionId,
            TerminalPane = a.TerminalPane,
            CurrentTaskId = a.CurrentTaskId?.ToString(),
            TranscriptPath = a.TranscriptPath,
            StartedAtMs = a.StartedAt.ToUnixTimeMilliseconds(),
            LastSeenAtMs = a.LastSeenAt.ToUnixTimeMilliseconds(),
            EndedAtMs = a.EndedAt?.ToUnixTimeMilliseconds(),
        };

        public Agent ToAgent() => new(
            Guid.Parse(Id), Guid.Parse(OwnerId), Kind, Name, Guid.Parse(ProjectId), ParseGuid(SessionUuid), AgentSessionId, TerminalPane, ParseGuid(CurrentTaskId), TranscriptPath,
            Milliseconds.ToTime(StartedAtMs), Milliseconds.ToTime(LastSeenAtMs), Milliseconds.ToTime(EndedAtMs));
    }

    private sealed class TaskRow
    {
        public string Split { get; set; } = "";

        public string? Id { get; set; }

        public string AgentId { get; set; } = "";

        public string State { get; set; } = "";

        public string? WaitingOn { get; set; }

        public long StartedAtMs { get; set; }

        public long StateChangedAtMs { get; set; }

        public long? CompletedAtMs { get; set; }

        public string? EndReason { get; set; }

        public static TaskRow From(AgentTask t) => new()
        {
            Id = t.Id.ToString(),
            AgentId = t.AgentId.ToString(),
            State = StateName(t.State),
            WaitingOn = t.WaitingOn,
            StartedAtMs = t.StartedAt.ToUnixTimeMilliseconds(),
            StateChangedAtMs = t.StateChangedAt.ToUnixTimeMilliseconds(),
            CompletedAtMs = t.CompletedAt?.ToUnixTimeMilliseconds(),
            EndReason = t.EndReason,
        };

        public AgentTask ToTask() => new(Guid.Parse(Id!), Guid.Parse(AgentId), ParseState(State), WaitingOn, Milliseconds.ToTime(StartedAtMs), Milliseconds.ToTime(StateChangedAtMs), Milliseconds.ToTime(CompletedAtMs), EndReason);
    }

    private sealed class TurnRow
    {
        public string Id { get; set; } = "";

        public string AgentId { get; set; } = "";

        public string TaskId { get; set; } = "";

        public string Actor { get; set; } = "";

        public string Intent { get; set; } = "";

        public string? Text { get; set; }

        public string? CommitSha { get; set; }

        public long AtMs { get; set; }

        public static TurnRow From(AgentTurn t) => new()
        {
            Id = t.Id.ToString(),
            AgentId = t.AgentId.ToString(),
            TaskId = t.TaskId.ToString(),
            Actor = t.Actor == TurnActor.User ? "USER" : "AGENT",
            Intent = t.Intent.ToString().ToUpperInvariant(),
            Text = t.Text,
            CommitSha = t.Commit,
            AtMs = t.At.ToUnixTimeMilliseconds(),
        };

        public AgentTurn ToTurn() => new(
            Guid.Parse(Id), Guid.Parse(AgentId), Guid.Parse(TaskId), Actor == "USER" ? TurnActor.User : TurnActor.Agent,
            Enum.Parse<TurnIntent>(Intent, ignoreCase: true), Text, CommitSha, Milliseconds.ToTime(AtMs));
    }

    private sealed class EventRow
    {
        public string Id { get; set; } = "";

        public string AgentId { get; set; } = "";

        public string ProjectId { get; set; } = "";

        public string? TaskId { get; set; }

        public string? TurnId { get; set; }

        public string Type { get; set; } = "";

        public string Payload { get; set; } = "";

        public long AtMs { get; set; }
    }

    private sealed class UsageRow
    {
        public string AgentId { get; set; } = "";

        public string UsageKey { get; set; } = "";

        public string? TaskId { get; set; }

        public string? TurnId { get; set; }

        public string? Model { get; set; }

        public long InputTokens { get; set; }

        public long OutputTokens { get; set; }

        public long CacheReadTokens { get; set; }

        public long CacheWriteTokens { get; set; }

        public long CostPicos { get; set; }

        public long AtMs { get; set; }

        public AgentUsage ToUsage() => new(Guid.Parse(AgentId), UsageKey, ParseGuid(TaskId), ParseGuid(TurnId), Model, InputTokens, OutputTokens, CacheReadTokens, CacheWriteTokens, CostPicos / PicosPerUnit, Milliseconds.ToTime(AtMs));
    }
}
