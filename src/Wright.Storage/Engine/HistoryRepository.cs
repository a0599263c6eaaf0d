using Dapper;
using Wright.Core.Answers;
using Wright.Core.Context;
using Wright.Core.Merges;
using Wright.Storage.Database;

namespace Wright.Storage.Engine;

/// <summary>Dapper repository of history summaries, token calibration and merge links; the same SQL runs on SQLite and PostgreSQL.</summary>
internal sealed class HistoryRepository : IHistorySummaryRepository, ITokenCalibrationStore, IMergeLinkRepository
{
    private const string SummaryColumns = "id AS Id, session_id AS SessionId, through_message_id AS ThroughMessageId, turns AS Turns, text AS Text, model AS Model, tokens AS Tokens, created_at_ms AS CreatedAtMs";

    private readonly WrightDatabase _database;

    public HistoryRepository(WrightDatabase database)
    {
        _database = database;
    }

    public async Task<IReadOnlyList<HistorySummary>> ListSummariesAsync(Guid sessionId, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<SummaryRow>(new CommandDefinition(
            $"SELECT {SummaryColumns} FROM history_summaries WHERE session_id = @SessionId ORDER BY created_at_ms, id",
            new { SessionId = sessionId.ToString() },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        return rows.Select(r => r.ToSummary()).ToList();
    }

    public async Task<HistorySummary> SaveSummaryAsync(HistorySummary summary, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO history_summaries (id, session_id, through_message_id, turns, text, model, tokens, created_at_ms)
            VALUES (@Id, @SessionId, @ThroughMessageId, @Turns, @Text, @Model, @Tokens, @CreatedAtMs)
            ON CONFLICT (session_id, through_message_id) DO NOTHING
            """,
            new
            {
                Id = summary.Id.ToString(),
                SessionId = summary.SessionId.ToString(),
                ThroughMessageId = summary.ThroughMessageId.ToString(),
                Turns = (long)summary.Turns,
                summary.Text,
                summary.Model,
                Tokens = (long)summary.Tokens,
                CreatedAtMs = summary.CreatedAt.ToUnixTimeMilliseconds(),
            },
            cancellationToken: cancellationToken)).ConfigureAwait(false);

        // Two prompts summarizing at once: the first stored wins, so every request is sent with the same one.
        var row = await connection.QuerySingleAsync<SummaryRow>(new CommandDefinition(
            $"SELECT {SummaryColumns} FROM history_summaries WHERE session_id = @SessionId AND through_message_id = @ThroughMessageId",
            new { SessionId = summary.SessionId.ToString(), ThroughMessageId = summary.ThroughMessageId.ToString() },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        return row.ToSummary();
    }

    public async Task<IReadOnlyDictionary<string, double>> LoadCalibrationAsync(CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<CalibrationRow>(new CommandDefinition(
            "SELECT model AS Model, factor AS Factor FROM token_calibration", cancellationToken: cancellationToken)).ConfigureAwait(false);
        return rows.ToDictionary(r => r.Model, r => r.Factor, StringComparer.Ordinal);
    }

    public async Task SaveCalibrationAsync(string model, double factor, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO token_calibration (model, factor, updated_at_ms) VALUES (@Model, @Factor, @UpdatedAtMs)
            ON CONFLICT (model) DO UPDATE SET factor = excluded.factor, updated_at_ms = excluded.updated_at_ms
            """,
            new { Model = model, Factor = factor, UpdatedAtMs = at.ToUnixTimeMilliseconds() },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    public async Task SaveMergeAsync(MergeLink link, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO message_merges (message_id, session_id, from_session_id, from_message_id, merged_commit, commit_sha, strategy, created_at_ms)
            VALUES (@MessageId, @SessionId, @FromSessionId, @FromMessageId, @MergedCommit, @CommitSha, @Strategy, @CreatedAtMs)
            ON CONFLICT (message_id) DO UPDATE SET from_session_id = excluded.from_session_id, from_message_id = excluded.from_message_id,
                merged_commit = excluded.merged_commit, commit_sha = excluded.commit_sha, strategy = excluded.strategy
            """,
            new
            {
                MessageId = link.MessageId.ToString(),
                SessionId = link.SessionId.ToString(),
                FromSessionId = link.FromSessionId.ToString(),
                FromMessageId = link.FromMessageId.ToString(),
                link.MergedCommit,
                link.CommitSha,
                link.Strategy,
                CreatedAtMs = link.CreatedAt.ToUnixTimeMilliseconds(),
            },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<MergeLink>> ListMergesAsync(Guid sessionId, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<MergeRow>(new CommandDefinition(
            """
            SELECT message_id AS MessageId, session_id AS SessionId, from_session_id AS FromSessionId, from_message_id AS FromMessageId,
                   merged_commit AS MergedCommit, commit_sha AS CommitSha, strategy AS Strategy, created_at_ms AS CreatedAtMs
            FROM message_merges WHERE session_id = @SessionId ORDER BY created_at_ms, message_id
            """,
            new { SessionId = sessionId.ToString() },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        return rows.Select(r => new MergeLink(Guid.Parse(r.MessageId), Guid.Parse(r.SessionId), Guid.Parse(r.FromSessionId), Guid.Parse(r.FromMessageId), r.MergedCommit, r.CommitSha, r.Strategy, DateTimeOffset.FromUnixTimeMilliseconds(r.CreatedAtMs))).ToList();
    }

    private sealed record SummaryRow(string Id, string SessionId, string ThroughMessageId, long Turns, string Text, string Model, long Tokens, long CreatedAtMs)
    {
        public HistorySummary ToSummary() =>
            new(Guid.Parse(Id), Guid.Parse(SessionId), Guid.Parse(ThroughMessageId), (int)Turns, Text, Model, (int)Tokens, DateTimeOffset.FromUnixTimeMilliseconds(CreatedAtMs));
    }

    private sealed record CalibrationRow(string Model, double Factor);

    private sealed record MergeRow(string MessageId, string SessionId, string FromSessionId, string FromMessageId, string? MergedCommit, string? CommitSha, string? Strategy, long CreatedAtMs);
}
