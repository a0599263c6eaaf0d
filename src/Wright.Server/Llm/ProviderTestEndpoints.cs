using Microsoft.AspNetCore.Http.HttpResults;
using Wright.Core.Llm;
using Wright.Server.Accounts;

namespace Wright.Server.Llm;

/// <summary>Body of <c>POST /api/providers/{name}:test</c>: the model to try (a model id of the provider, or provider/model); optional.</summary>
public sealed record TestProviderRequest(string? Model);

/// <summary>Why a connection test failed: the stable code (provider_auth_failed, provider_unavailable, model_unknown…) and what to do.</summary>
public sealed record ProviderTestErrorDto(string Code, string Detail);

/// <summary>The outcome of a connection test; <c>error</c> is null when <c>ok</c>.</summary>
public sealed record ProviderTestDto(bool Ok, string Model, long LatencyMs, ProviderTestErrorDto? Error);

internal static class ProviderTestEndpoints
{
    /// <summary><c>POST /api/providers/{name}:test</c>: one tiny call through the provider, admin only like the other provider changes.</summary>
    public static IEndpointRouteBuilder MapProviderTest(this IEndpointRouteBuilder api)
    {
        api.MapPost("/providers/{name}:test", TestAsync)
            .WithTags("Providers")
            .RequireAuthorization(WrightPolicies.Admin)
            .WithSummary("Makes one call of one output token to the provider and says whether it answered, how fast, and if not why (ok: false with a code); never shows the key.");
        return api;
    }

    private static async Task<Ok<ProviderTestDto>> TestAsync(string name, TestProviderRequest? request, ProviderConnectionTest test, CancellationToken cancellationToken)
    {
        var result = await test.TestAsync(name, request?.Model, cancellationToken);
        return TypedResults.Ok(new ProviderTestDto(
            result.Ok,
            result.Model,
            result.LatencyMs,
            result.ErrorCode is null ? null : new ProviderTestErrorDto(result.ErrorCode, result.ErrorDetail ?? "")));
    }
}
