using System.Text.Json;
using System.Text.Json.Serialization;
using Dapper;
using Wright.Core.Actions;
using Wright.Core.Answers;
using Wright.Core.Context;
using Wright.Core.Engine;
using Wright.Storage.Cluster;
using Wright.Storage.Database;

namespace Wright.Storage.Engine;

/// <summary>Dapper repository of prompt contexts, answers and prompt versions; the same SQL runs on SQLite and PostgreSQL.</summary>
internal sealed class EngineRepository : IEngineRepository
{
    private const decimal PicosPerUnit = 1_000_000_000_000m;

    private const string AnswerColumns = "message_id AS MessageId, session_id AS SessionId, base_commit AS BaseCommit, commit_sha AS CommitSha, commits AS Commits, git_branch AS GitBranch, stop_reason AS StopReason, stop_detail AS StopDetail, steps AS Steps, cost_picos AS CostPicos, failure AS Failure, created_at_ms AS CreatedAtMs, updated_at_ms AS UpdatedAtMs, state AS State, unpriced AS Unpriced";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    private readonly WrightDatabase _database;

    private readonly PendingSaves? _pendingSaves;

    public EngineRepository(WrightDatabase database)
        : this(database, null)
    {
    }

    /// <summary>With <paramref name="pendingSaves"/>, a prompt's Context stored while the database is away is saved once it is back.</summary>
    public EngineRepository(WrightDatabase database, PendingSaves? pendingSaves)
    {
        _database = database;
        _pendingSaves = pendingSaves;
    }

    public async Task SaveContextAsync(StoredContext context, CancellationToken cancellationToken)
    {
        try
        {
            await SaveContextNowAsync(context, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (_pendingSaves is not null && DatabaseFailures.IsUnavailable(ex))
        {
            // A record beside the answer (an upsert, so its place in the queue does not matter): the answer streams on.
            _pendingSaves.Enqueue($"the context of prompt {context.MessageId}", token => SaveContextNowAsync(context, token));
        }
    }

    private async Task SaveContextNowAsync(StoredContext context, CancellationToken cancellationToken)
    {
        var record = context.Record;
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO prompt_contexts (id, session_id, message_id, turn, budget_tokens, token_count, head, record, created_at_ms)
            VALUES (@Id, @SessionId, @MessageId, @Turn, @BudgetTokens, @TokenCount, @Head, @Record, @CreatedAtMs)
            ON CONFLICT (message_id) DO UPDATE SET id = excluded.id, turn = excluded.turn, budget_tokens = excluded.budget_tokens,
                token_count = excluded.token_count, head = excluded.head, record = excluded.record, created_at_ms = excluded.created_at_ms
            """,
            new
            {
                Id = record.Id.ToString(),
                SessionId = context.SessionId.ToString(),
                MessageId = context.MessageId.ToString(),
                Turn = (long)record.Turn,
                BudgetTokens = (long)record.BudgetTokens,
                TokenCount = (long)record.TokenCount,
                record.Head,
                Record = JsonSerializer.Serialize(record, Json),
                CreatedAtMs = record.CreatedAt.ToUnixTimeMilliseconds(),
            },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    public async Task<StoredContext?> GetContextAsync(Guid messageId, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var row = await connection.QuerySingleOrDefaultAsync<ContextRow>(new CommandDefinition(
            "SELECT session_id AS SessionId, message_id AS MessageId, record AS Record FROM prompt_contexts WHERE message_id = @MessageId",
            new { MessageId = messageId.ToString() },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        return row is null ? null : new StoredContext(Guid.Parse(row.SessionId), Guid.Parse(row.MessageId), JsonSerializer.Deserialize<ContextRecord>(row.Record, Json)!);
    }

    public async Task SaveAnswerAsync(AnswerRecord run, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO answers (message_id, session_id, base_commit, commit_sha, commits, git_branch, stop_reason, stop_detail, steps, cost_picos, failure, created_at_ms, updated_at_ms, state, unpriced)
            VALUES (@MessageId, @SessionId, @BaseCommit, @CommitSha, @Commits, @GitBranch, @StopReason, @StopDetail, @Steps, @CostPicos, @Failure, @CreatedAtMs, @UpdatedAtMs, @State, @Unpriced)
            ON CONFLICT (message_id) DO UPDATE SET base_commit = excluded.base_commit, commit_sha = excluded.commit_sha, commits = excluded.commits,
                git_branch = excluded.git_branch, stop_reason = excluded.stop_reason, stop_detail = excluded.stop_detail, steps = excluded.steps,
                cost_picos = excluded.cost_picos, failure = excluded.failure, updated_at_ms = excluded.updated_at_ms, state = excluded.state, unpriced = excluded.unpriced
            """,
            new
            {
                MessageId = run.MessageId.ToString(),
                SessionId = run.SessionId.ToString(),
                run.BaseCommit,
                run.CommitSha,
                Commits = JsonSerializer.Serialize(run.Commits, Json),
                run.GitBranch,
                run.StopReason,
                run.StopDetail,
                Steps = (long)run.Steps,
                CostPicos = (long)decimal.Round(run.Cost * PicosPerUnit),
                Failure = run.Failure is null ? null : JsonSerializer.Serialize(run.Failure, Json),
                CreatedAtMs = run.CreatedAt.ToUnixTimeMilliseconds(),
                UpdatedAtMs = run.UpdatedAt.ToUnixTimeMilliseconds(),
                State = run.State is null ? null : JsonSerializer.Serialize(run.State, Json),
                Unpriced = run.Unpriced ? 1L : 0L,
            },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    public async Task<AnswerRecord?> GetAnswerAsync(Guid messageId, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var row = await connection.QuerySingleOrDefaultAsync<RunRow>(new CommandDefinition(
            $"SELECT {AnswerColumns} FROM answers WHERE message_id = @MessageId", new { MessageId = messageId.ToString() }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return row?.ToRecord();
    }

    public async Task<IReadOnlyList<AnswerRecord>> ListAnswersAsync(Guid sessionId, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<RunRow>(new CommandDefinition(
            $"SELECT {AnswerColumns} FROM answers WHERE session_id = @SessionId ORDER BY created_at_ms, message_id", new { SessionId = sessionId.ToString() }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return rows.Select(r => r.ToRecord()).ToList();
    }

    public async Task<PromptVersion> AddPromptVersionAsync(string scope, string scopeKey, string content, Guid? authorId, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var id = Guid.CreateVersion7(at);

        // The unique (scope, scope_key, version) index turns a concurrent edit into an error rather than two "version 3"s.
        var version = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            """
            INSERT INTO prompt_versions (id, scope, scope_key, version, content, author_id, created_at_ms)
            VALUES (@Id, @Scope, @ScopeKey, (SELECT COALESCE(MAX(version), 0) + 1 FROM prompt_versions WHERE scope = @Scope AND scope_key = @ScopeKey), @Content, @AuthorId, @CreatedAtMs)
            RETURNING version
            """,
            new { Id = id.ToString(), Scope = scope, ScopeKey = scopeKey, Content = content, AuthorId = authorId?.ToString(), CreatedAtMs = at.ToUnixTimeMilliseconds() },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        return new PromptVersion(id, scope, scopeKey, (int)version, content, authorId, DateTimeOffset.FromUnixTimeMilliseconds(at.ToUnixTimeMilliseconds()));
    }

    public async Task<IReadOnlyList<PromptVersion>> ListPromptVersionsAsync(string scope, string scopeKey, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<PromptRow>(new CommandDefinition(
            "SELECT id AS Id, scope AS Scope, scope_key AS ScopeKey, version AS Version, content AS Content, author_id AS AuthorId, created_at_ms AS CreatedAtMs FROM prompt_versions WHERE scope = @Scope AND scope_key = @ScopeKey ORDER BY version",
            new { Scope = scope, ScopeKey = scopeKey },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        return rows.Select(r => new PromptVersion(Guid.Parse(r.Id), r.Scope, r.ScopeKey, (int)r.Version, r.Content, r.AuthorId is null ? null : Guid.Parse(r.AuthorId), DateTimeOffset.FromUnixTimeMilliseconds(r.CreatedAtMs))).ToList();
    }

    public async Task<IReadOnlyDictionary<(string Scope, string ScopeKey), PromptVersion>> LatestPromptVersionsAsync(IReadOnlyList<(string Scope, string ScopeKey)> prompts, CancellationToken cancellationToken)
    {
        if (prompts.Count == 0)
        {
            return new Dictionary<(string, string), PromptVersion>();
        }

        var parameters = new DynamicParameters();
        var which = new List<string>();
        for (var i = 0; i < prompts.Count; i++)
        {
            parameters.Add($"S{i}", prompts[i].Scope);
            parameters.Add($"K{i}", prompts[i].ScopeKey);
            which.Add($"(p.scope = @S{i} AND p.scope_key = @K{i})");
        }

        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<PromptRow>(new CommandDefinition(
            $"""
            SELECT p.id AS Id, p.scope AS Scope, p.scope_key AS ScopeKey, p.version AS Version, p.content AS Content, p.author_id AS AuthorId, p.created_at_ms AS CreatedAtMs
            FROM prompt_versions p
            WHERE ({string.Join(" OR ", which)})
              AND p.version = (SELECT MAX(v.version) FROM prompt_versions v WHERE v.scope = p.scope AND v.scope_key = p.scope_key)
            """,
            parameters,
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        return rows.ToDictionary(r => (r.Scope, r.ScopeKey), r => new PromptVersion(Guid.Parse(r.Id), r.Scope, r.ScopeKey, (int)r.Version, r.Content, r.AuthorId is null ? null : Guid.Parse(r.AuthorId), DateTimeOffset.FromUnixTimeMilliseconds(r.CreatedAtMs)));
    }

    private sealed record ContextRow(string SessionId, string MessageId, string Record);

    private sealed record PromptRow(string Id, string Scope, string ScopeKey, long Version, string Content, string? AuthorId, long CreatedAtMs);

    private sealed class RunRow
    {
        public string MessageId { get; init; } = "";

        public string SessionId { get; init; } = "";

        public string? BaseCommit { get; init; }

        public string? CommitSha { get; init; }

        public string Commits { get; init; } = "[]";

        public string? GitBranch { get; init; }

        public string? StopReason { get; init; }

        public string? StopDetail { get; init; }

        public long Steps { get; init; }

        public long CostPicos { get; init; }

        public string? Failure { get; init; }

        public long CreatedAtMs { get; init; }

        public long UpdatedAtMs { get; init; }

        public string? State { get; init; }

        public long Unpriced { get; init; }

        public AnswerRecord ToRecord() => new(
            Guid.Parse(MessageId),
            Guid.Parse(SessionId),
            BaseCommit,
            CommitSha,
            JsonSerializer.Deserialize<List<string>>(Commits, Json) ?? [],
            GitBranch,
            StopReason,
            StopDetail,
            (int)Steps,
            CostPicos / PicosPerUnit,
            Failure is null ? null : JsonSerializer.Deserialize<ActionFailure>(Failure, Json),
            DateTimeOffset.FromUnixTimeMilliseconds(CreatedAtMs),
            DateTimeOffset.FromUnixTimeMilliseconds(UpdatedAtMs),
            State is null ? null : JsonSerializer.Deserialize<AnswerState>(State, Json),
            Unpriced != 0);
    }
}
