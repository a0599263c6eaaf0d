using System.Diagnostics;
using Microsoft.Extensions.AI;
using Wright.Core.Errors;

namespace Wright.Core.Llm;

/// <summary>The outcome of a connection test: whether the provider answered, with which model, how fast, and why not.</summary>
public sealed record ProviderTestResult(bool Ok, string Model, long LatencyMs, string? ErrorCode, string? ErrorDetail);

/// <summary>
/// Checks a provider endpoint with one tiny call (one output token) through the same client the
/// answers use, with no retries and no circuit breaker: the user wants to know whether this key and
/// this URL work now. A failure is an answer (<c>ok: false</c> with the classified code), not an
/// error of the request; the key never appears in it.
/// </summary>
public sealed class ProviderConnectionTest
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private readonly ProviderRegistry _registry;
    private readonly TimeProvider _time;

    public ProviderConnectionTest(ProviderRegistry registry, TimeProvider time)
    {
        _registry = registry;
        _time = time;
    }

    /// <summary>
    /// Tests provider <paramref name="name"/> with <paramref name="model"/> (a model id of that
    /// provider, or provider/model; by default the default model when it is this provider's, else
    /// the first catalog model of the provider). <c>provider_unknown</c> when no such endpoint is configured.
    /// </summary>
    public async Task<ProviderTestResult> TestAsync(string name, string? model, CancellationToken cancellationToken)
    {
        ProviderNames.Validate(name);
        var endpoint = (await _registry.ListAsync(cancellationToken).ConfigureAwait(false)).FirstOrDefault(e => e.Name.Equals(name, StringComparison.OrdinalIgnoreCase))
            ?? throw WrightException.NotFound(ErrorCodes.ProviderUnknown, $"There is no provider '{name}': add it with PUT /api/providers/{name} first.");
        var modelName = await ModelToTestAsync(endpoint, model, cancellationToken).ConfigureAwait(false);
        var resolved = await _registry.ResolveAsync(modelName.ToString(), cancellationToken).ConfigureAwait(false) with { MaxOutputTokens = 1 };
        var client = _registry.ClientFor(resolved);

        var started = _time.GetTimestamp();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(Timeout);
        try
        {
            await client.GetResponseAsync([new ChatMessage(ChatRole.User, "Reply with one word: ok")], new ChatOptions { MaxOutputTokens = 1 }, deadline.Token).ConfigureAwait(false);
            return new ProviderTestResult(true, modelName.ToString(), Elapsed(started), null, null);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            var failure = ProviderFailure.Classify(ex, endpoint.Name);
            return new ProviderTestResult(false, modelName.ToString(), Elapsed(started), failure.Code, Redact(failure.Message, endpoint.ApiKey));
        }
    }

    private async Task<ModelName> ModelToTestAsync(ProviderEndpoint endpoint, string? model, CancellationToken cancellationToken)
    {
        if (model is { Length: > 0 })
        {
            var parsed = model.Contains('/', StringComparison.Ordinal) ? ModelName.TryParse(model) : ModelName.TryParse($"{endpoint.Name}/{model}");
            if (parsed is null || !parsed.Provider.Equals(endpoint.Name, StringComparison.OrdinalIgnoreCase))
            {
                throw WrightException.Invalid(ErrorCodes.ModelUnknown, $"'{model}' is not a model of '{endpoint.Name}': give its model id, or {endpoint.Name}/<model>.");
            }

            return parsed;
        }

        if (ModelName.TryParse(_registry.Options.DefaultModel) is { } defaultModel && defaultModel.Provider.Equals(endpoint.Name, StringComparison.OrdinalIgnoreCase))
        {
            return defaultModel;
        }

        var catalog = await _registry.CatalogAsync(cancellationToken).ConfigureAwait(false);
        var first = catalog.Values.Where(m => m.Provider.Equals(endpoint.Name, StringComparison.OrdinalIgnoreCase)).OrderBy(m => m.Name, StringComparer.Ordinal).FirstOrDefault();
        return first is not null
            ? ModelName.Parse(first.Name)
            : throw WrightException.Invalid(ErrorCodes.ModelUnknown, $"Wright knows no model of '{endpoint.Name}' to test with: pass model.");
    }

    private long Elapsed(long started) => (long)_time.GetElapsedTime(started).TotalMilliseconds;

    /// <summary>A provider may echo what it was sent; the key must not travel back to the browser.</summary>
    private static string Redact(string detail, string? key) =>
        key is { Length: >= 4 } ? detail.Replace(key, "***", StringComparison.Ordinal) : detail;
}
