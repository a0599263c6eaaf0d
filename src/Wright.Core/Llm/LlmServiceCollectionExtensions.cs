using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Wright.Core.Llm;

public static class LlmServiceCollectionExtensions
{
    /// <summary>
    /// Registers the provider registry and the resilient streamer. The host binds
    /// <see cref="LlmOptions"/> from its configuration and registers an <see cref="ISecretProtector"/>
    /// and an <see cref="ILlmSettingsRepository"/>.
    /// </summary>
    public static IServiceCollection AddLlm(this IServiceCollection services)
    {
        services.AddOptions<LlmOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<LlmOptions>, LlmOptionsValidation>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ProviderRegistry>();
        services.TryAddSingleton<LlmStreamer>();
        services.TryAddSingleton<ProviderConnectionTest>();
        return services;
    }
}
