using System.Globalization;
using System.Text.Json;

namespace Wright.Core.Llm;

/// <summary>What Wright knows about one model: limits and USD prices per token.</summary>
public sealed record ModelInfo(
    string Name,
    string Provider,
    string Model,
    int? ContextWindow,
    int? MaxOutputTokens,
    decimal? InputCostPerToken,
    decimal? OutputCostPerToken,
    decimal? CacheReadCostPerToken,
    decimal? CacheWriteCostPerToken,
    string Source)
{
    public const string Currency = "USD";

    /// <summary>
    /// The cost of one call. <paramref name="inputTokens"/> counts every prompt token, cached ones
    /// included; cache reads and writes are priced at their own rates when the catalog has them.
    /// </summary>
    public decimal CostOf(long inputTokens, long outputTokens, long cacheReadTokens, long cacheWriteTokens)
    {
        var plainInput = Math.Max(0, inputTokens - cacheReadTokens - cacheWriteTokens);
        var input = InputCostPerToken ?? 0m;
        return plainInput * input
            + outputTokens * (OutputCostPerToken ?? 0m)
            + cacheReadTokens * (CacheReadCostPerToken ?? input)
            + cacheWriteTokens * (CacheWriteCostPerToken ?? input);
    }
}

/// <summary>Where a catalog entry came from.</summary>
public static class ModelSources
{
    public const string Seed = "catalog";
    public const string Configuration = "config";
    public const string Api = "api";
}

/// <summary>
/// The model catalog: seeded from an embedded copy of LiteLLM's price list
/// (<c>Llm/Catalog/prices.json</c>, attribution in its <c>_source</c>), then overridden by
/// configuration (<c>Llm:Models</c>) and by the API, in that order.
/// </summary>
public sealed class ModelCatalog
{
    private static readonly Lazy<IReadOnlyDictionary<string, ModelInfo>> Seed = new(LoadSeed);

    /// <summary>The entries of the embedded price list, by <c>provider/model</c>.</summary>
    public static IReadOnlyDictionary<string, ModelInfo> Seeded => Seed.Value;

    /// <summary>Applies the overrides to the seed; an override of an unknown model adds it.</summary>
    public static Dictionary<string, ModelInfo> Build(IReadOnlyDictionary<string, ModelOverride> configured, IReadOnlyDictionary<string, ModelOverride> stored)
    {
        var entries = new Dictionary<string, ModelInfo>(Seeded, StringComparer.OrdinalIgnoreCase);
        Apply(entries, configured, ModelSources.Configuration);
        Apply(entries, stored, ModelSources.Api);
        return entries;
    }

    /// <summary>
    /// The newest dated entry an alias names: <c>claude-sonnet-4-5</c> is
    /// <c>claude-sonnet-4-5-20250929</c> (a <c>-YYYYMMDD</c> or <c>-latest</c> suffix); null when none.
    /// </summary>
    public static ModelInfo? Dated(IEnumerable<ModelInfo> entries, string alias) =>
        entries
            .Where(m => m.Model.Length > alias.Length + 1
                && m.Model.StartsWith(alias + "-", StringComparison.OrdinalIgnoreCase)
                && IsDateSuffix(m.Model[(alias.Length + 1)..]))
            .OrderByDescending(m => m.Model, StringComparer.Ordinal)
            .FirstOrDefault();

    private static bool IsDateSuffix(string suffix) =>
        suffix.Equals("latest", StringComparison.OrdinalIgnoreCase) || (suffix.Length == 8 && suffix.All(char.IsAsciiDigit));

    private static void Apply(Dictionary<string, ModelInfo> entries, IReadOnlyDictionary<string, ModelOverride> overrides, string source)
    {
        foreach (var (name, values) in overrides)
        {
            if (ModelName.TryParse(name) is not { } model)
            {
                continue;
            }

            var key = model.ToString();
            var current = entries.TryGetValue(key, out var found) ? found : new ModelInfo(key, model.Provider, model.Model, null, null, null, null, null, null, source);
            entries[key] = current with
            {
                ContextWindow = values.ContextWindow ?? current.ContextWindow,
                MaxOutputTokens = values.MaxOutputTokens ?? current.MaxOutputTokens,
                InputCostPerToken = values.InputCostPerToken ?? current.InputCostPerToken,
                OutputCostPerToken = values.OutputCostPerToken ?? current.OutputCostPerToken,
                CacheReadCostPerToken = values.CacheReadCostPerToken ?? current.CacheReadCostPerToken,
                CacheWriteCostPerToken = values.CacheWriteCostPerToken ?? current.CacheWriteCostPerToken,
                Source = source,
            };
        }
    }

    private static IReadOnlyDictionary<string, ModelInfo> LoadSeed()
    {
        using var stream = typeof(ModelCatalog).Assembly.GetManifestResourceStream("llm/prices.json")
            ?? throw new InvalidOperationException("The embedded model catalog llm/prices.json is missing from Wright.Core.");
        using var document = JsonDocument.Parse(stream);
        var entries = new Dictionary<string, ModelInfo>(StringComparer.OrdinalIgnoreCase);
        foreach (var property in document.RootElement.EnumerateObject())
        {
            if (property.Value.ValueKind != JsonValueKind.Object || !property.Value.TryGetProperty("litellm_provider", out var providerElement))
            {
                continue;
            }

            var value = property.Value;
            var provider = providerElement.GetString()!.ToLowerInvariant();
            var name = $"{provider}/{property.Name}";
            entries[name] = new ModelInfo(
                name,
                provider,
                property.Name,
                Int(value, "max_input_tokens"),
                Int(value, "max_output_tokens"),
                Price(value, "input_cost_per_token"),
                Price(value, "output_cost_per_token"),
                Price(value, "cache_read_input_token_cost"),
                Price(value, "cache_creation_input_token_cost"),
                ModelSources.Seed);
        }

        return entries;
    }

    private static int? Int(JsonElement value, string name) =>
        value.TryGetProperty(name, out var element) && element.ValueKind == JsonValueKind.Number ? element.GetInt32() : null;

    // Prices are written as 2.5e-06: parse the JSON text as a decimal, never through double.
    private static decimal? Price(JsonElement value, string name) =>
        value.TryGetProperty(name, out var element) && element.ValueKind == JsonValueKind.Number
            ? decimal.Parse(element.GetRawText(), NumberStyles.Float, CultureInfo.InvariantCulture)
            : null;
}
