using System.Data.Common;
using System.Text.Json;
using Dapper;
using Wright.Core.Conversations;
using Wright.Core.Paging;
using Wright.Storage.Cluster;
using Wright.Storage.Database;

namespace Wright.Storage.Conversations;

/// <summary>Dapper repository of sessions, messages and provider calls; the same SQL runs on SQLite and PostgreSQL.</summary>
internal sealed class ConversationRepository : IConversationRepository
{
    private const string SessionColumns = "id AS Id, project_id AS ProjectId, title AS Title, title_source AS TitleSource, current_leaf_id AS CurrentLeafId, created_at_ms AS CreatedAtMs, updated_at_ms AS UpdatedAtMs, archived_at_ms AS ArchivedAtMs";

    private const string MessageColumns = "id AS Id, session_id AS SessionId, parent_id AS ParentId, seq AS Seq, role AS Role, content AS Content, status AS Status, model AS Model, tool_calls AS ToolCalls, error_code AS ErrorCode, error_detail AS ErrorDetail, created_at_ms AS CreatedAtMs, updated_at_ms AS UpdatedAtMs";

    private const string RequestColumns = "id AS Id, session_id AS SessionId, message_id AS MessageId, attempt AS Attempt, provider AS Provider, model AS Model, parameters AS Parameters, status AS Status, started_at_ms AS StartedAtMs, ttft_ms AS TtftMs, duration_ms AS DurationMs, input_tokens AS InputTokens, output_tokens AS OutputTokens, cache_read_tokens AS CacheReadTokens, cache_write_tokens AS CacheWriteTokens, cost_picos AS CostPicos, currency AS Currency, error_code AS ErrorCode, error_detail AS ErrorDetail";

    private const string InsertMessageSql = """
        INSERT INTO chat_messages (id, session_id, parent_id, seq, role, content, status, model, tool_calls, error_code, error_detail, created_at_ms, updated_at_ms)
        VALUES (@Id, @SessionId, @ParentId, (SELECT COALESCE(MAX(seq), 0) + 1 FROM chat_messages WHERE session_id = @SessionId), @Role, @Content, @Status, @Model, @ToolCalls, @ErrorCode, @ErrorDetail, @CreatedAtMs, @UpdatedAtMs)
        """;

    private const string InsertRequestSql = """
        INSERT INTO ai_requests (id, session_id, message_id, attempt, provider, model, parameters, status, started_at_ms, ttft_ms, duration_ms, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, cost_picos, currency, error_code, error_detail)
        VALUES (@Id, @SessionId, @MessageId, @Attempt, @Provider, @Model, @Parameters, @Status, @StartedAtMs, @TtftMs, @DurationMs, @InputTokens, @OutputTokens, @CacheReadTokens, @CacheWriteTokens, @CostPicos, @Currency, @ErrorCode, @ErrorDetail)
        ON CONFLICT (id) DO NOTHING
        """;

    // A call's row is ended by an upsert, which also sets its real start and parameters (the first
    // call's row is written with its prompt, before the call is built): its insert may still wait
    // for a database that was away (then that late insert of the 'streaming' row changes nothing).
    private const string UpdateRequestSql = """
        INSERT INTO ai_requests (id, session_id, message_id, attempt, provider, model, parameters, status, started_at_ms, ttft_ms, duration_ms, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, cost_picos, currency, error_code, error_detail)
        VALUES (@Id, @SessionId, @MessageId, @Attempt, @Provider, @Model, @Parameters, @Status, @StartedAtMs, @TtftMs, @DurationMs, @InputTokens, @OutputTokens, @CacheReadTokens, @CacheWriteTokens, @CostPicos, @Currency, @ErrorCode, @ErrorDetail)
        ON CONFLICT (id) DO UPDATE SET status = excluded.status, parameters = excluded.parameters, started_at_ms = excluded.started_at_ms,
            ttft_ms = excluded.ttft_ms, duration_ms = excluded.duration_ms, attempt = excluded.attempt,
            input_tokens = excluded.input_tokens, output_tokens = excluded.output_tokens, cache_read_tokens = excluded.cache_read_tokens, cache_write_tokens = excluded.cache_write_tokens,
            cost_picos = excluded.cost_picos, currency = excluded.currency, error_code = excluded.error_code, error_detail = excluded.error_detail
        """;

    private const string UpdateSessionSql = "UPDATE chat_sessions SET title = @Title, title_source = @TitleSource, current_leaf_id = @CurrentLeafId, updated_at_ms = @UpdatedAtMs, archived_at_ms = @ArchivedAtMs WHERE id = @Id";

    /// <summary>Costs are stored in picodollars (10^-12 USD) as integers, so sums are exact on both engines.</summary>
    private const decimal PicosPerUnit = 1_000_000_000_000m;

    private readonly WrightDatabase _database;

    private readonly PendingSaves? _pendingSaves;

    public ConversationRepository(WrightDatabase database)
        : this(database, null)
    {
    }

    /// <summary>With <paramref name="pendingSaves"/>, an answer that ends while the database is away is saved once it is back.</summary>
    public ConversationRepository(WrightDatabase database, PendingSaves? pendingSaves)
    {
        _database = database;
        _pendingSaves = pendingSaves;
    }

    public async Task InsertSessionAsync(Session session, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition(
            "INSERT INTO chat_sessions (id, project_id, title, title_source, current_leaf_id, created_at_ms, updated_at_ms, archived_at_ms) VALUES (@Id, @ProjectId, @Title, @TitleSource, @CurrentLeafId, @CreatedAtMs, @UpdatedAtMs, @ArchivedAtMs)",
            SessionRow.From(session),
            cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    public async Task<Session?> GetSessionAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var row = await connection.QuerySingleOrDefaultAsync<SessionRow>(new CommandDefinition(
            $"SELECT {SessionColumns} FROM chat_sessions WHERE id = @Id", new { Id = id.ToString() }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return row?.ToSession();
    }

    public async Task<Page<Session>> ListSessionsAsync(Guid projectId, PageRequest page, string? search, bool includeArchived, CancellationToken cancellationToken)
    {
        var after = KeysetCursor.Decode(page.Cursor);
        var pattern = string.IsNullOrWhiteSpace(search) ? null : "%" + EscapeLike(search.Trim().ToLowerInvariant()) + "%";
        var sql = $"""
            SELECT {SessionColumns} FROM chat_sessions s
            WHERE project_id = @ProjectId
              AND (@IncludeArchived OR archived_at_ms IS NULL)
              AND (@AfterMs IS NULL OR created_at_ms < @AfterMs OR (created_at_ms = @AfterMs AND id < @AfterId))
              AND (@Pattern IS NULL OR lower(title) LIKE @Pattern ESCAPE '\'
                   OR EXISTS (SELECT 1 FROM chat_messages m WHERE m.session_id = s.id AND lower(m.content) LIKE @Pattern ESCAPE '\'))
            ORDER BY created_at_ms DESC, id DESC
            LIMIT @Take
            """;
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = (await connection.QueryAsync<SessionRow>(new CommandDefinition(
            sql,
            new { ProjectId = projectId.ToString(), IncludeArchived = includeArchived, AfterMs = after?.Milliseconds, AfterId = after?.Id ?? "", Pattern = pattern, Take = page.Limit + 1 },
            cancellationToken: cancellationToken)).ConfigureAwait(false)).ToList();
        return Paging.ToPage(rows, page.Limit, r => new KeysetCursor(r.CreatedAtMs, r.Id), r => r.ToSession());
    }

    public async Task<bool> UpdateSessionAsync(Session session, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await connection.ExecuteAsync(new CommandDefinition(UpdateSessionSql, SessionRow.From(session), cancellationToken: cancellationToken)).ConfigureAwait(false) == 1;
    }

    public async Task<bool> DeleteSessionAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await connection.ExecuteAsync(new CommandDefinition("DELETE FROM chat_sessions WHERE id = @Id", new { Id = id.ToString() }, cancellationToken: cancellationToken)).ConfigureAwait(false) == 1;
    }

    public async Task<IReadOnlyList<Message>> ListMessagesAsync(Guid sessionId, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<MessageRow>(new CommandDefinition(
            $"SELECT {MessageColumns} FROM chat_messages WHERE session_id = @SessionId ORDER BY seq, id", new { SessionId = sessionId.ToString() }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return rows.Select(r => r.ToMessage()).ToList();
    }

    public async Task<Message?> GetMessageAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var row = await connection.QuerySingleOrDefaultAsync<MessageRow>(new CommandDefinition(
            $"SELECT {MessageColumns} FROM chat_messages WHERE id = @Id", new { Id = id.ToString() }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return row?.ToMessage();
    }

    public async Task InsertTurnAsync(Session session, IReadOnlyList<Message> messages, AiRequest? request, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        foreach (var message in messages)
        {
            await connection.ExecuteAsync(new CommandDefinition(InsertMessageSql, MessageRow.From(message), transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        }

        if (request is not null)
        {
            await connection.ExecuteAsync(new CommandDefinition(InsertRequestSql, RequestRow.From(request), transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        }

        await connection.ExecuteAsync(new CommandDefinition(UpdateSessionSql, SessionRow.From(session), transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task UpdateStreamingContentAsync(IReadOnlyList<StreamingContent> updates, CancellationToken cancellationToken)
    {
        if (updates.Count == 0)
        {
            return;
        }

        try
        {
            await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            foreach (var update in updates)
            {
                await connection.ExecuteAsync(new CommandDefinition(
                    "UPDATE chat_messages SET content = @Content, tool_calls = @ToolCalls, updated_at_ms = @At WHERE id = @Id AND status = 'streaming'",
                    new { Id = update.MessageId.ToString(), update.Content, ToolCalls = ToolCallsJson(update.ToolCalls), At = update.At.ToUnixTimeMilliseconds() },
                    transaction,
                    cancellationToken: cancellationToken)).ConfigureAwait(false);
            }

            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (_pendingSaves is not null && DatabaseFailures.IsUnavailable(ex))
        {
            // A progress save, not a final one: the answer streams on, and its final save (which
            // waits for the database) carries all the text.
        }
    }

    public async Task FinishMessageAsync(Message message, AiRequest? request, IReadOnlyList<AiRequest> retried, CancellationToken cancellationToken)
    {
        try
        {
            await FinishMessageNowAsync(message, request, retried, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (_pendingSaves is not null && DatabaseFailures.IsUnavailable(ex))
        {
            _pendingSaves.Enqueue($"the final state of answer {message.Id}", ct => FinishMessageNowAsync(message, request, retried, ct));
        }
    }

    private async Task FinishMessageNowAsync(Message message, AiRequest? request, IReadOnlyList<AiRequest> retried, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE chat_messages SET content = @Content, status = @Status, tool_calls = @ToolCalls, error_code = @ErrorCode, error_detail = @ErrorDetail, updated_at_ms = @UpdatedAtMs WHERE id = @Id",
            MessageRow.From(message),
            transaction,
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        if (request is not null)
        {
            await connection.ExecuteAsync(new CommandDefinition(UpdateRequestSql, RequestRow.From(request), transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        }
        foreach (var attempt in retried)
        {
            await connection.ExecuteAsync(new CommandDefinition(InsertRequestSql, RequestRow.From(attempt), transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    public Task InsertRequestAsync(AiRequest request, CancellationToken cancellationToken) =>
        SaveRequestAsync(InsertRequestSql, $"the start of provider call {request.Id}", request, cancellationToken);

    public Task UpdateRequestAsync(AiRequest request, CancellationToken cancellationToken) =>
        SaveRequestAsync(UpdateRequestSql, $"the end of provider call {request.Id}", request, cancellationToken);

    public async Task DeleteUnsentRequestAsync(Guid requestId, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM ai_requests WHERE id = @Id AND status = 'streaming'",
            new { Id = requestId.ToString() },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    /// <summary>A call's row is a record beside the answer: while the database is away it waits for it, and the answer streams on.</summary>
    private async Task SaveRequestAsync(string sql, string what, AiRequest request, CancellationToken cancellationToken)
    {
        async Task SaveAsync(CancellationToken token)
        {
            await using var connection = await _database.OpenAsync(token).ConfigureAwait(false);
            await connection.ExecuteAsync(new CommandDefinition(sql, RequestRow.From(request), cancellationToken: token)).ConfigureAwait(false);
        }

        try
        {
            await SaveAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (_pendingSaves is not null && DatabaseFailures.IsUnavailable(ex))
        {
            _pendingSaves.Enqueue(what, SaveAsync);
        }
    }

    public async Task<int> InterruptStreamingAsync(DateTimeOffset at, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var messages = await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE chat_messages SET status = 'interrupted', error_code = 'interrupted', error_detail = @Detail, updated_at_ms = @At WHERE status = 'streaming'",
            new { At = at.ToUnixTimeMilliseconds(), Detail = "The server stopped while this answer was streaming; the text received until then is kept." },
            transaction,
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE ai_requests SET status = 'interrupted', error_code = 'interrupted' WHERE status = 'streaming'",
            transaction: transaction,
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return messages;
    }

    public async Task<IReadOnlyList<AiRequest>> ListRequestsAsync(Guid sessionId, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<RequestRow>(new CommandDefinition(
            $"SELECT {RequestColumns} FROM ai_requests WHERE session_id = @SessionId ORDER BY started_at_ms, attempt, id", new { SessionId = sessionId.ToString() }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return rows.Select(r => r.ToRequest()).ToList();
    }

    public async Task<IReadOnlyList<UsageSum>> SumUsageAsync(Guid sessionId, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<SumRow>(new CommandDefinition(
            """
            SELECT provider AS Provider, model AS Model, COUNT(*) AS Requests, SUM(input_tokens) AS InputTokens, SUM(output_tokens) AS OutputTokens,
                   SUM(cache_read_tokens) AS CacheReadTokens, SUM(cache_write_tokens) AS CacheWriteTokens, SUM(cost_picos) AS CostPicos
            FROM ai_requests WHERE session_id = @SessionId GROUP BY provider, model ORDER BY provider, model
            """,
            new { SessionId = sessionId.ToString() },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        return rows.Select(r => new UsageSum(r.Provider, r.Model, r.Requests, (long)r.InputTokens, (long)r.OutputTokens, (long)r.CacheReadTokens, (long)r.CacheWriteTokens, r.CostPicos / PicosPerUnit)).ToList();
    }

    public async Task ImportAsync(Session session, IReadOnlyList<Message> messages, IReadOnlyList<AiRequest> requests, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition(
            "INSERT INTO chat_sessions (id, project_id, title, title_source, current_leaf_id, created_at_ms, updated_at_ms, archived_at_ms) VALUES (@Id, @ProjectId, @Title, @TitleSource, @CurrentLeafId, @CreatedAtMs, @UpdatedAtMs, @ArchivedAtMs)",
            SessionRow.From(session),
            transaction,
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        await InsertAllAsync(connection, transaction, InsertMessageSql, messages.Select(MessageRow.From), cancellationToken).ConfigureAwait(false);
        await InsertAllAsync(connection, transaction, InsertRequestSql, requests.Select(RequestRow.From), cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task InsertAllAsync<T>(DbConnection connection, DbTransaction transaction, string sql, IEnumerable<T> rows, CancellationToken cancellationToken)
    {
        foreach (var row in rows)
        {
            await connection.ExecuteAsync(new CommandDefinition(sql, row, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        }
    }

    private static string EscapeLike(string text) =>
        text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal);

    private static string? ToolCallsJson(IReadOnlyList<ToolCall> calls) => calls.Count == 0 ? null : JsonSerializer.Serialize(calls, StorageJson.Options);

    private static DateTimeOffset Time(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);

    private static Guid? GuidOrNull(string? text) => text is null ? null : Guid.Parse(text);

    private sealed class SessionRow
    {
        public string Id { get; init; } = "";

        public string ProjectId { get; init; } = "";

        public string Title { get; init; } = "";

        public string TitleSource { get; init; } = "";

        public string? CurrentLeafId { get; init; }

        public long CreatedAtMs { get; init; }

        public long UpdatedAtMs { get; init; }

        public long? ArchivedAtMs { get; init; }

        public static SessionRow From(Session s) => new()
        {
            Id = s.Id.ToString(),
            ProjectId = s.ProjectId.ToString(),
            Title = s.Title,
            TitleSource = s.TitleSource,
            CurrentLeafId = s.CurrentLeafId?.ToString(),
            CreatedAtMs = s.CreatedAt.ToUnixTimeMilliseconds(),
            UpdatedAtMs = s.UpdatedAt.ToUnixTimeMilliseconds(),
            ArchivedAtMs = s.ArchivedAt?.ToUnixTimeMilliseconds(),
        };

        public Session ToSession() => new(Guid.Parse(Id), Guid.Parse(ProjectId), Title, TitleSource, GuidOrNull(CurrentLeafId), Time(CreatedAtMs), Time(UpdatedAtMs), ArchivedAtMs is { } a ? Time(a) : null);
    }

    private sealed class MessageRow
    {
        public string Id { get; init; } = "";

        public string SessionId { get; init; } = "";

        public string? ParentId { get; init; }

        public long Seq { get; init; }

        public string Role { get; init; } = "";

        public string Content { get; init; } = "";

        public string Status { get; init; } = "";

        public string? Model { get; init; }

        public string? ToolCalls { get; init; }

        public string? ErrorCode { get; init; }

        public string? ErrorDetail { get; init; }

        public long CreatedAtMs { get; init; }

        public long UpdatedAtMs { get; init; }

        public static MessageRow From(Message m) => new()
        {
            Id = m.Id.ToString(),
            SessionId = m.SessionId.ToString(),
            ParentId = m.ParentId?.ToString(),
            Seq = m.Seq,
            Role = m.Role == MessageRole.User ? "user" : "assistant",
            Content = m.Content,
            Status = StatusText(m.Status),
            Model = m.Model,
            ToolCalls = ToolCallsJson(m.ToolCalls),
            ErrorCode = m.ErrorCode,
            ErrorDetail = m.ErrorDetail,
            CreatedAtMs = m.CreatedAt.ToUnixTimeMilliseconds(),
            UpdatedAtMs = m.UpdatedAt.ToUnixTimeMilliseconds(),
        };

        public Message ToMessage() => new(
            Guid.Parse(Id),
            Guid.Parse(SessionId),
            GuidOrNull(ParentId),
            Seq,
            Role == "user" ? MessageRole.User : MessageRole.Assistant,
            Content,
            ParseStatus(Status),
            Model,
            ToolCalls is null ? [] : JsonSerializer.Deserialize<List<ToolCall>>(ToolCalls, StorageJson.Options)!,
            ErrorCode,
            ErrorDetail,
            Time(CreatedAtMs),
            Time(UpdatedAtMs));

        private static string StatusText(MessageStatus status) => status switch
        {
            MessageStatus.Complete => "complete",
            MessageStatus.Streaming => "streaming",
            MessageStatus.Cancelled => "cancelled",
            MessageStatus.Error => "error",
            _ => "interrupted",
        };

        private static MessageStatus ParseStatus(string status) => status switch
        {
            "complete" => MessageStatus.Complete,
            "streaming" => MessageStatus.Streaming,
            "cancelled" => MessageStatus.Cancelled,
            "error" => MessageStatus.Error,
            _ => MessageStatus.Interrupted,
        };
    }

    private sealed class RequestRow
    {
        public string Id { get; init; } = "";

        public string SessionId { get; init; } = "";

        public string? MessageId { get; init; }

        public long Attempt { get; init; }

        public string Provider { get; init; } = "";

        public string Model { get; init; } = "";

        public string Parameters { get; init; } = "";

        public string Status { get; init; } = "";

        public long StartedAtMs { get; init; }

        public long? TtftMs { get; init; }

        public long? DurationMs { get; init; }

        public long InputTokens { get; init; }

        public long OutputTokens { get; init; }

        public long CacheReadTokens { get; init; }

        public long CacheWriteTokens { get; init; }

        public long CostPicos { get; init; }

        public string Currency { get; init; } = "";

        public string? ErrorCode { get; init; }

        public string? ErrorDetail { get; init; }

        public static RequestRow From(AiRequest r) => new()
        {
            Id = r.Id.ToString(),
            SessionId = r.SessionId.ToString(),
            MessageId = r.MessageId?.ToString(),
            Attempt = r.Attempt,
            Provider = r.Provider,
            Model = r.Model,
            Parameters = r.Parameters,
            Status = r.Status,
            StartedAtMs = r.StartedAt.ToUnixTimeMilliseconds(),
            TtftMs = r.TtftMs,
            DurationMs = r.DurationMs,
            InputTokens = r.InputTokens,
            OutputTokens = r.OutputTokens,
            CacheReadTokens = r.CacheReadTokens,
            CacheWriteTokens = r.CacheWriteTokens,
            CostPicos = (long)decimal.Round(r.Cost * PicosPerUnit),
            Currency = r.Currency,
            ErrorCode = r.ErrorCode,
            ErrorDetail = r.ErrorDetail,
        };

        public AiRequest ToRequest() => new(
            Guid.Parse(Id),
            Guid.Parse(SessionId),
            GuidOrNull(MessageId),
            (int)Attempt,
            Provider,
            Model,
            Parameters,
            Status,
            Time(StartedAtMs),
            TtftMs,
            DurationMs,
            InputTokens,
            OutputTokens,
            CacheReadTokens,
            CacheWriteTokens,
            CostPicos / PicosPerUnit,
            Currency,
            ErrorCode,
            ErrorDetail);
    }

    private sealed class SumRow
    {
        public string Provider { get; init; } = "";

        public string Model { get; init; } = "";

        public long Requests { get; init; }

        public decimal InputTokens { get; init; }

        public decimal OutputTokens { get; init; }

        public decimal CacheReadTokens { get; init; }

        public decimal CacheWriteTokens { get; init; }

        // SUM of bigint is numeric on PostgreSQL and integer on SQLite: read both as decimal.
        public decimal CostPicos { get; init; }
    }
}

/// <summary>JSON settings of values stored as JSON text (tool calls): camelCase, like the API.</summary>
internal static class StorageJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);
}
