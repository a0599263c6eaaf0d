using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Wright.Core.Cluster;
using Wright.Core.Llm;

namespace Wright.Core.Conversations;

public static class ConversationsServiceCollectionExtensions
{
    /// <summary>Registers sessions and the streaming of answers (and the LLM layer they need).</summary>
    public static IServiceCollection AddConversations(this IServiceCollection services)
    {
        services.AddLlm();
        services.AddOptions<ConversationsOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ConversationsOptions>, ConversationsOptionsValidation>());
        services.TryAddSingleton<SessionService>();
        services.AddAnswerLeases();
        services.TryAddSingleton<ChatService>();
        return services;
    }
}
