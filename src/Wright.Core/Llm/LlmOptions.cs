using Wright.Core.Hosting;
using Microsoft.Extensions.Options;

namespace Wright.Core.Llm;

/// <summary>
/// LLM providers, the model catalog's overrides and the resilience settings (configuration section
/// <c>Llm</c>; the server also maps the usual environment variables such as <c>ANTHROPIC_API_KEY</c>
/// onto it).
/// </summary>
public sealed class LlmOptions
{
    /// <summary>The model used when a request names none, as <c>provider/model</c> (<c>WRIGHT_DEFAULT_MODEL</c>).</summary>
    public string? DefaultModel { get; set; }

    /// <summary>Provider endpoints by name (<c>anthropic</c>, <c>openai</c>, <c>ollama</c>, or any custom name).</summary>
    public Dictionary<string, ProviderEndpointOptions> Providers { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Catalog entries added or overridden by configuration, by <c>provider/model</c>.</summary>
    public Dictionary<string, ModelOverride> Models { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Output token limit sent when the catalog does not know the model (Anthropic requires one).</summary>
    public int DefaultMaxOutputTokens { get; set; } = 4096;

    /// <summary>How long to wait for a TCP connection to a provider.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Longest silence allowed from a provider: before its response headers and between two reads of its stream.</summary>
    public TimeSpan StreamIdleTimeout { get; set; } = TimeSpan.FromSeconds(120);

    /// <summary>Retries of a call that failed before its first token (0 turns retries off).</summary>
    public int MaxRetries { get; set; } = 3;

    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>A <c>retry-after</c> longer than this is not waited for: the error goes to the user instead.</summary>
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Calls to one endpoint within <see cref="CircuitSamplingDuration"/> before the breaker may open.</summary>
    public int CircuitMinimumThroughput { get; set; } = 5;

    /// <summary>Share of failed calls (0–1] that opens the breaker.</summary>
    public double CircuitFailureRatio { get; set; } = 0.8;

    public TimeSpan CircuitSamplingDuration { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How long an open breaker fails calls fast before it lets one probe through.</summary>
    public TimeSpan CircuitBreakDuration { get; set; } = TimeSpan.FromSeconds(30);
}

/// <summary>One provider endpoint: its wire protocol, base URL and key.</summary>
public sealed class ProviderEndpointOptions
{
    /// <summary><c>anthropic</c> or <c>openai</c> (any OpenAI-compatible server); known names imply it.</summary>
    public string? Kind { get; set; }

    public string? BaseUrl { get; set; }

    public string? ApiKey { get; set; }
}

/// <summary>Catalog values for one model; absent values keep the seeded ones.</summary>
public sealed class ModelOverride
{
    public int? ContextWindow { get; set; }

    public int? MaxOutputTokens { get; set; }

    public decimal? InputCostPerToken { get; set; }

    public decimal? OutputCostPerToken { get; set; }

    public decimal? CacheReadCostPerToken { get; set; }

    public decimal? CacheWriteCostPerToken { get; set; }
}

/// <summary>Checks <see cref="LlmOptions"/> at start-up and names every bad setting by its configuration key.</summary>
internal sealed class LlmOptionsValidation : IValidateOptions<LlmOptions>
{
    public ValidateOptionsResult Validate(string? name, LlmOptions options)
    {
        var problems = new List<string>();
        foreach (var (provider, endpoint) in options.Providers)
        {
            if (!ProviderNames.IsValid(provider))
            {
                problems.Add($"Llm:Providers:{provider}: a provider name is 1-40 lowercase letters, digits or '-'.");
            }

            if (endpoint.Kind is { } kind && ProviderKinds.Parse(kind) is null)
            {
                problems.Add($"Llm:Providers:{provider}:Kind must be 'anthropic' or 'openai' (got '{kind}').");
            }

            if (endpoint.BaseUrl is { Length: > 0 } url && !Uri.TryCreate(url, UriKind.Absolute, out _))
            {
                problems.Add($"Llm:Providers:{provider}:BaseUrl is not an absolute URL.");
            }

            if (endpoint.BaseUrl is null && KnownProviders.DefaultBaseUrl(provider) is null && endpoint.Kind is null)
            {
                problems.Add($"Llm:Providers:{provider}: a custom provider needs a BaseUrl (and a Kind unless it is OpenAI-compatible).");
            }
        }

        if (options.DefaultModel is { Length: > 0 } model && ModelName.TryParse(model) is null)
        {
            problems.Add($"{WrightConfigNames.DefaultModelKey} ({WrightConfigNames.DefaultModelVariable}) must be 'provider/model' (got '{model}').");
        }

        Positive(problems, "Llm:DefaultMaxOutputTokens", options.DefaultMaxOutputTokens);
        Positive(problems, "Llm:ConnectTimeout", options.ConnectTimeout);
        Positive(problems, "Llm:StreamIdleTimeout", options.StreamIdleTimeout);
        Positive(problems, "Llm:RetryBaseDelay", options.RetryBaseDelay);
        Positive(problems, "Llm:CircuitSamplingDuration", options.CircuitSamplingDuration);
        Positive(problems, "Llm:CircuitBreakDuration", options.CircuitBreakDuration);
        if (options.MaxRetries is < 0 or > 10)
        {
            problems.Add($"Llm:MaxRetries must be between 0 and 10 (got {options.MaxRetries}).");
        }

        if (options.RetryMaxDelay < options.RetryBaseDelay)
        {
            problems.Add("Llm:RetryMaxDelay must not be shorter than Llm:RetryBaseDelay.");
        }

        if (options.CircuitMinimumThroughput < 2)
        {
            problems.Add($"Llm:CircuitMinimumThroughput must be at least 2 (got {options.CircuitMinimumThroughput}).");
        }

        if (options.CircuitFailureRatio is <= 0 or > 1)
        {
            problems.Add($"Llm:CircuitFailureRatio must be in (0, 1] (got {options.CircuitFailureRatio}).");
        }

        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }

    private static void Positive(List<string> problems, string key, TimeSpan value)
    {
        if (value <= TimeSpan.Zero)
        {
            problems.Add($"{key} must be positive (got {value}).");
        }
    }

    private static void Positive(List<string> problems, string key, int value)
    {
        if (value <= 0)
        {
            problems.Add($"{key} must be positive (got {value}).");
        }
    }
}
