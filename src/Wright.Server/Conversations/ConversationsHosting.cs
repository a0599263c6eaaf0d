using Microsoft.Extensions.Configuration;
using Wright.Core.Conversations;
using Wright.Core.Hosting;

namespace Wright.Server.Conversations;

internal static class ConversationsHosting
{
    /// <summary>Sessions and chat: <see cref="ConversationsOptions"/> bound from the <c>Conversations</c> section (validated at start), per-user chat limits and start-up recovery.</summary>
    public static IServiceCollection AddWrightConversations(this IServiceCollection services)
    {
        services.AddConversations();
        services.AddOptions<ConversationsOptions>().BindConfiguration(WrightConfigNames.ConversationsSection);
        services.AddSingleton<ChatLimits>();
        services.AddHostedService<ConversationsLifecycle>();
        return services;
    }
}
