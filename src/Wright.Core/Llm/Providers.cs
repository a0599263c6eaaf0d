using System.Text.RegularExpressions;
using Wright.Core.Errors;

namespace Wright.Core.Llm;

/// <summary>The wire protocol a provider endpoint speaks.</summary>
public enum ProviderKind
{
    /// <summary>Anthropic Messages, through the official Anthropic SDK.</summary>
    Anthropic,

    /// <summary>OpenAI Chat Completions (OpenAI and every compatible server), through the official OpenAI SDK.</summary>
    OpenAI,
}

internal static class ProviderKinds
{
    public static ProviderKind? Parse(string? value) => value?.Trim().ToLowerInvariant() switch
    {
        "anthropic" => ProviderKind.Anthropic,
        "openai" => ProviderKind.OpenAI,
        _ => null,
    };

    public static string Name(ProviderKind kind) => kind == ProviderKind.Anthropic ? "anthropic" : "openai";
}

/// <summary>Where a provider's settings came from.</summary>
public static class ProviderSources
{
    public const string Configuration = "config";
    public const string Api = "api";
}

/// <summary>A provider endpoint as Wright uses it: name, protocol, base URL and (secret) key.</summary>
public sealed record ProviderEndpoint(string Name, ProviderKind Kind, Uri BaseUrl, string? ApiKey, string Source)
{
    /// <summary>What identifies the endpoint for its circuit breaker and its cached client: a key change makes a new client.</summary>
    public string Identity => $"{Name}|{Kind}|{BaseUrl}|{ApiKey?.GetHashCode(StringComparison.Ordinal)}";
}

/// <summary>The provider names Wright knows, with their protocol and default base URL.</summary>
public static class KnownProviders
{
    private static readonly Dictionary<string, (ProviderKind Kind, string BaseUrl)> Defaults = new(StringComparer.OrdinalIgnoreCase)
    {
        ["anthropic"] = (ProviderKind.Anthropic, "https://api.anthropic.com"),
        ["openai"] = (ProviderKind.OpenAI, "https://api.openai.com/v1"),
        ["ollama"] = (ProviderKind.OpenAI, "http://localhost:11434/v1"),
        ["vllm"] = (ProviderKind.OpenAI, "http://localhost:8000/v1"),
        ["lmstudio"] = (ProviderKind.OpenAI, "http://localhost:1234/v1"),
        ["openrouter"] = (ProviderKind.OpenAI, "https://openrouter.ai/api/v1"),
        ["litellm"] = (ProviderKind.OpenAI, "http://localhost:4000/v1"),
        ["groq"] = (ProviderKind.OpenAI, "https://api.groq.com/openai/v1"),
        ["deepseek"] = (ProviderKind.OpenAI, "https://api.deepseek.com/v1"),
    };

    /// <summary>Names with built-in defaults, plus <c>custom</c> (which has none).</summary>
    public static IReadOnlyList<string> Names { get; } = [.. Defaults.Keys, "custom"];

    public static ProviderKind? DefaultKind(string name) => Defaults.TryGetValue(name, out var d) ? d.Kind : null;

    public static string? DefaultBaseUrl(string name) => Defaults.TryGetValue(name, out var d) ? d.BaseUrl : null;
}

internal static partial class ProviderNames
{
    public static bool IsValid(string name) => ValidName().IsMatch(name);

    public static void Validate(string name)
    {
        if (!IsValid(name))
        {
            throw WrightException.Invalid(ErrorCodes.ValidationFailed, "A provider name is 1-40 lowercase letters, digits or '-'.");
        }
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,39}$")]
    private static partial Regex ValidName();
}

/// <summary>A model named <c>provider/model</c>; the model part may itself contain slashes (<c>openrouter/anthropic/claude-3</c>).</summary>
public sealed record ModelName(string Provider, string Model)
{
    public override string ToString() => $"{Provider}/{Model}";

    public static ModelName? TryParse(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        var slash = value.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || slash == value.Length - 1)
        {
            return null;
        }

        var provider = value[..slash].Trim().ToLowerInvariant();
        var model = value[(slash + 1)..].Trim();
        return ProviderNames.IsValid(provider) && model.Length <= 200 ? new ModelName(provider, model) : null;
    }

    public static ModelName Parse(string value) => TryParse(value)
        ?? throw WrightException.Invalid(ErrorCodes.ModelUnknown, $"'{value}' is not a model name: write it as provider/model, for example anthropic/claude-sonnet-4-6.");
}

/// <summary>A provider endpoint added or changed through the API; its key is stored encrypted.</summary>
public sealed record StoredProvider(string Name, ProviderKind Kind, string? BaseUrl, string? ProtectedApiKey, string? ApiKeyHint, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>Stores the provider endpoints and catalog overrides users add through the API.</summary>
public interface ILlmSettingsRepository
{
    Task<IReadOnlyList<StoredProvider>> ListProvidersAsync(CancellationToken cancellationToken);

    Task UpsertProviderAsync(StoredProvider provider, CancellationToken cancellationToken);

    Task<bool> DeleteProviderAsync(string name, CancellationToken cancellationToken);

    Task<IReadOnlyDictionary<string, ModelOverride>> ListModelOverridesAsync(CancellationToken cancellationToken);

    Task UpsertModelOverrideAsync(string model, ModelOverride values, CancellationToken cancellationToken);
}
