using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Configuration;
using Wright.Core.Conversations;
using Wright.Core.Engine;
using Wright.Core.Hosting;
using Wright.Core.Llm;
using Wright.Server.Conversations;

namespace Wright.Server.Llm;

internal static class LlmHosting
{
    /// <summary>
    /// Registers providers, the model catalog and conversations: <see cref="LlmOptions"/> bound from
    /// the <c>Llm</c> section plus the usual environment variables, provider keys protected with
    /// ASP.NET Data Protection (keys in the data directory), per-user chat limits and start-up recovery.
    /// </summary>
    public static IServiceCollection AddLlmAndConversations(this IServiceCollection services, WrightOptions wright)
    {
        services.AddEngine();
        services.AddOptions<EngineOptions>().Configure<IConfiguration>((o, c) => c.GetSection(WrightConfigNames.EngineSection).Bind(o));
        services.AddOptions<LlmOptions>().Configure<IConfiguration>(BindLlm);
        services.AddOptions<ConversationsOptions>().Configure<IConfiguration>((o, c) => c.GetSection(WrightConfigNames.ConversationsSection).Bind(o));
        services.AddSingleton<ChatLimits>();
        services.AddHostedService<ConversationsLifecycle>();
        services.AddHostedService<Wright.Server.Engine.EngineLifecycle>();
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
