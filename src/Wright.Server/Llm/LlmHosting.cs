using Microsoft.Extensions.Configuration;
using Wright.Core.Hosting;
using Wright.Core.Llm;

namespace Wright.Server.Llm;

internal static class LlmHosting
{
    /// <summary>
    /// Registers providers and the model catalog: <see cref="LlmOptions"/> bound from the <c>Llm</c>
    /// section plus the usual environment variables (Core's AddLlm validates them at start).
    /// </summary>
    public static IServiceCollection AddWrightLlm(this IServiceCollection services)
    {
        services.AddLlm();
        services.AddOptions<LlmOptions>().Configure<IConfiguration>(BindLlm);
        return services;
    }

    /// <summary>
    /// The <c>Llm</c> section, then, for every known provider name and every configured one,
    /// <c>&lt;NAME&gt;_API_KEY</c> and <c>&lt;NAME&gt;_BASE_URL</c> (ANTHROPIC_API_KEY, OLLAMA_BASE_URL…)
    /// where the section left them empty, and <c>WRIGHT_DEFAULT_MODEL</c>. Environment variables
    /// reach us as configuration keys: Core never reads the environment.
    /// </summary>
    internal static void BindLlm(LlmOptions options, IConfiguration configuration)
    {
        configuration.GetSection(WrightConfigNames.LlmSection).Bind(options);
        var names = KnownProviders.Names.Concat(options.Providers.Keys).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        foreach (var name in names)
        {
            var key = NonEmpty(configuration[WrightConfigNames.ProviderVariable(name, WrightConfigNames.ApiKeySuffix)]);
            var baseUrl = NonEmpty(configuration[WrightConfigNames.ProviderVariable(name, WrightConfigNames.BaseUrlSuffix)]);
            if (key is null && baseUrl is null)
            {
                continue;
            }

            if (!options.Providers.TryGetValue(name, out var endpoint))
            {
                endpoint = new ProviderEndpointOptions();
                options.Providers[name.ToLowerInvariant()] = endpoint;
            }

            endpoint.ApiKey ??= key;
            endpoint.BaseUrl ??= baseUrl;
        }

        options.DefaultModel ??= NonEmpty(configuration[WrightConfigNames.DefaultModelVariable]);
    }

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
