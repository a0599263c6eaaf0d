using Microsoft.AspNetCore.Http.HttpResults;
using Wright.Core.Errors;
using Wright.Core.Llm;
using Wright.Server.Projects;
using Wright.Server.Accounts;

namespace Wright.Server.Llm;

/// <summary>A provider endpoint as the API shows it: never its key, only a masked hint.</summary>
public sealed record ProviderDto(string Name, string Kind, string BaseUrl, string Source, bool HasKey, string? KeyHint);

/// <summary>Body of <c>PUT /api/providers/{name}</c>: absent fields keep their value; <c>clearApiKey</c> removes a stored key.</summary>
public sealed record SaveProviderRequest(string? Kind, string? BaseUrl, string? ApiKey, bool? ClearApiKey);

/// <summary>A catalog entry: limits and USD prices per token.</summary>
public sealed record ModelDto(
    string Name,
    string Provider,
    string Model,
    int? ContextWindow,
    int? MaxOutputTokens,
    decimal? InputCostPerToken,
    decimal? OutputCostPerToken,
    decimal? CacheReadCostPerToken,
    decimal? CacheWriteCostPerToken,
    string Currency,
    string Source,
    bool Default)
{
    public static ModelDto From(ModelInfo m, string? defaultModel) => new(
        m.Name, m.Provider, m.Model, m.ContextWindow, m.MaxOutputTokens, m.InputCostPerToken, m.OutputCostPerToken, m.CacheReadCostPerToken, m.CacheWriteCostPerToken, ModelInfo.Currency, m.Source,
        string.Equals(m.Name, defaultModel, StringComparison.OrdinalIgnoreCase));
}

internal static class LlmEndpoints
{
    /// <summary><c>/api/providers</c> (endpoints and keys) and <c>/api/models</c> (the catalog).</summary>
    public static IEndpointRouteBuilder MapLlm(this IEndpointRouteBuilder api)
    {
        var providers = api.MapGroup("/providers").WithTags("Providers");
        providers.MapGet("", ListProvidersAsync);
        // Providers and the model catalog are server-wide: a member who could repoint a provider's
        // base URL would receive every other user's prompts, so only admins change them.
        providers.MapPut("/{name}", SaveProviderAsync).RequireAuthorization(WrightPolicies.Admin);
        providers.MapDelete("/{name}", DeleteProviderAsync).RequireAuthorization(WrightPolicies.Admin);

        var models = api.MapGroup("/models").WithTags("Models");
        models.MapGet("", ListModelsAsync);
        models.MapPut("/{provider}/{**model}", SaveModelAsync).RequireAuthorization(WrightPolicies.Admin);
        return api;
    }

    private static async Task<Ok<PageDto<ProviderDto>>> ListProvidersAsync(ProviderRegistry registry, CancellationToken cancellationToken)
    {
        var endpoints = await registry.ListAsync(cancellationToken);
        return TypedResults.Ok(new PageDto<ProviderDto>(endpoints.Select(e => ToDto(e, registry)).ToList(), null));
    }

    private static async Task<Ok<ProviderDto>> SaveProviderAsync(string name, SaveProviderRequest request, ProviderRegistry registry, CancellationToken cancellationToken)
    {
        var saved = await registry.SaveAsync(name, request.Kind, request.BaseUrl, request.ApiKey, request.ClearApiKey ?? false, cancellationToken)
            ?? throw WrightException.Invalid(ErrorCodes.ValidationFailed, $"'{name}' has no base URL: give one.");
        return TypedResults.Ok(ToDto(saved, registry));
    }

    private static async Task<Results<NoContent, NotFound>> DeleteProviderAsync(string name, ProviderRegistry registry, CancellationToken cancellationToken) =>
        await registry.DeleteAsync(name, cancellationToken) ? TypedResults.NoContent() : TypedResults.NotFound();

    private static async Task<Ok<PageDto<ModelDto>>> ListModelsAsync(string? provider, ProviderRegistry registry, CancellationToken cancellationToken)
    {
        var catalog = await registry.CatalogAsync(cancellationToken);
        var items = catalog.Values
            .Where(m => provider is null || m.Provider.Equals(provider, StringComparison.OrdinalIgnoreCase))
            .OrderBy(m => m.Name, StringComparer.Ordinal)
            .Select(m => ModelDto.From(m, registry.Options.DefaultModel))
            .ToList();
        return TypedResults.Ok(new PageDto<ModelDto>(items, null));
    }

    private static async Task<Ok<ModelDto>> SaveModelAsync(string provider, string model, ModelOverride values, ProviderRegistry registry, CancellationToken cancellationToken)
    {
        var name = ModelName.Parse($"{provider}/{model}");
        if (values.ContextWindow is <= 0 || values.MaxOutputTokens is <= 0 ||
            new[] { values.InputCostPerToken, values.OutputCostPerToken, values.CacheReadCostPerToken, values.CacheWriteCostPerToken }.Any(p => p is < 0))
        {
            throw WrightException.Invalid(ErrorCodes.ValidationFailed, "Limits must be positive and prices must not be negative.");
        }

        await registry.SaveModelAsync(name, values, cancellationToken);
        var catalog = await registry.CatalogAsync(cancellationToken);
        return TypedResults.Ok(ModelDto.From(catalog[name.ToString()], registry.Options.DefaultModel));
    }

    private static ProviderDto ToDto(ProviderEndpoint endpoint, ProviderRegistry registry) =>
        new(endpoint.Name, endpoint.Kind == ProviderKind.Anthropic ? "anthropic" : "openai", endpoint.BaseUrl.ToString(), endpoint.Source, endpoint.ApiKey is not null, registry.HintOf(endpoint));
}
