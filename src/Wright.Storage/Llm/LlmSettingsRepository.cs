using System.Globalization;
using Dapper;
using Wright.Core.Llm;
using Wright.Storage.Database;

namespace Wright.Storage.Llm;

/// <summary>Dapper repository of the provider endpoints and catalog overrides added through the API.</summary>
internal sealed class LlmSettingsRepository : ILlmSettingsRepository
{
    private readonly WrightDatabase _database;

    public LlmSettingsRepository(WrightDatabase database)
    {
        _database = database;
    }

    public async Task<IReadOnlyList<StoredProvider>> ListProvidersAsync(CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<ProviderRow>(new CommandDefinition(
            "SELECT name AS Name, kind AS Kind, base_url AS BaseUrl, api_key_protected AS ApiKeyProtected, api_key_hint AS ApiKeyHint, created_at_ms AS CreatedAtMs, updated_at_ms AS UpdatedAtMs FROM llm_providers ORDER BY name",
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        return rows.Select(r => new StoredProvider(
            r.Name,
            r.Kind == "anthropic" ? ProviderKind.Anthropic : ProviderKind.OpenAI,
            r.BaseUrl,
            r.ApiKeyProtected,
            r.ApiKeyHint,
            DateTimeOffset.FromUnixTimeMilliseconds(r.CreatedAtMs),
            DateTimeOffset.FromUnixTimeMilliseconds(r.UpdatedAtMs))).ToList();
    }

    public async Task UpsertProviderAsync(StoredProvider provider, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO llm_providers (name, kind, base_url, api_key_protected, api_key_hint, created_at_ms, updated_at_ms)
            VALUES (@Name, @Kind, @BaseUrl, @ApiKeyProtected, @ApiKeyHint, @CreatedAtMs, @UpdatedAtMs)
            ON CONFLICT (name) DO UPDATE SET kind = excluded.kind, base_url = excluded.base_url, api_key_protected = excluded.api_key_protected,
                api_key_hint = excluded.api_key_hint, updated_at_ms = excluded.updated_at_ms
            """,
            new
            {
                provider.Name,
                Kind = provider.Kind == ProviderKind.Anthropic ? "anthropic" : "openai",
                provider.BaseUrl,
                ApiKeyProtected = provider.ProtectedApiKey,
                provider.ApiKeyHint,
                CreatedAtMs = provider.CreatedAt.ToUnixTimeMilliseconds(),
                UpdatedAtMs = provider.UpdatedAt.ToUnixTimeMilliseconds(),
            },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    public async Task<bool> DeleteProviderAsync(string name, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await connection.ExecuteAsync(new CommandDefinition("DELETE FROM llm_providers WHERE name = @Name", new { Name = name }, cancellationToken: cancellationToken)).ConfigureAwait(false) == 1;
    }

    public async Task<IReadOnlyDictionary<string, ModelOverride>> ListModelOverridesAsync(CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<ModelRow>(new CommandDefinition(
            """
            SELECT name AS Name, context_window AS ContextWindow, max_output_tokens AS MaxOutputTokens, input_cost_per_token AS InputCost,
                   output_cost_per_token AS OutputCost, cache_read_cost_per_token AS CacheReadCost, cache_write_cost_per_token AS CacheWriteCost
            FROM llm_model_overrides
            """,
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        return rows.ToDictionary(
            r => r.Name,
            r => new ModelOverride
            {
                ContextWindow = (int?)r.ContextWindow,
                MaxOutputTokens = (int?)r.MaxOutputTokens,
                InputCostPerToken = Price(r.InputCost),
                OutputCostPerToken = Price(r.OutputCost),
                CacheReadCostPerToken = Price(r.CacheReadCost),
                CacheWriteCostPerToken = Price(r.CacheWriteCost),
            },
            StringComparer.OrdinalIgnoreCase);
    }

    public async Task UpsertModelOverrideAsync(string model, ModelOverride values, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO llm_model_overrides (name, context_window, max_output_tokens, input_cost_per_token, output_cost_per_token, cache_read_cost_per_token, cache_write_cost_per_token)
            VALUES (@Name, @ContextWindow, @MaxOutputTokens, @InputCost, @OutputCost, @CacheReadCost, @CacheWriteCost)
            ON CONFLICT (name) DO UPDATE SET context_window = excluded.context_window, max_output_tokens = excluded.max_output_tokens,
                input_cost_per_token = excluded.input_cost_per_token, output_cost_per_token = excluded.output_cost_per_token,
                cache_read_cost_per_token = excluded.cache_read_cost_per_token, cache_write_cost_per_token = excluded.cache_write_cost_per_token
            """,
            new
            {
                Name = model,
                ContextWindow = (long?)values.ContextWindow,
                MaxOutputTokens = (long?)values.MaxOutputTokens,
                InputCost = Text(values.InputCostPerToken),
                OutputCost = Text(values.OutputCostPerToken),
                CacheReadCost = Text(values.CacheReadCostPerToken),
                CacheWriteCost = Text(values.CacheWriteCostPerToken),
            },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    // Prices are kept as invariant decimal text: exact on both engines, where REAL and numeric differ.
    private static string? Text(decimal? value) => value?.ToString(CultureInfo.InvariantCulture);

    private static decimal? Price(string? value) => value is null ? null : decimal.Parse(value, NumberStyles.Float, CultureInfo.InvariantCulture);

    private sealed class ProviderRow
    {
        public string Name { get; init; } = "";

        public string Kind { get; init; } = "";

        public string? BaseUrl { get; init; }

        public string? ApiKeyProtected { get; init; }

        public string? ApiKeyHint { get; init; }

        public long CreatedAtMs { get; init; }

        public long UpdatedAtMs { get; init; }
    }

    private sealed class ModelRow
    {
        public string Name { get; init; } = "";

        public long? ContextWindow { get; init; }

        public long? MaxOutputTokens { get; init; }

        public string? InputCost { get; init; }

        public string? OutputCost { get; init; }

        public string? CacheReadCost { get; init; }

        public string? CacheWriteCost { get; init; }
    }
}
