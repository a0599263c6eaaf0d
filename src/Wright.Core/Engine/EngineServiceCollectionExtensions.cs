using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Wright.Core.Actions;
using Wright.Core.Answers;
using Wright.Core.Commands;
using Wright.Core.Context;
using Wright.Core.Conversations;

namespace Wright.Core.Engine;

public static class EngineServiceCollectionExtensions
{
    /// <summary>
    /// Registers the prompt-first engine: actions, context, prompts, command approvals, chat
    /// branches and the answer pipeline that conversations run every answer through. The host binds
    /// <see cref="EngineOptions"/> (section <c>Engine</c>) and registers the <see cref="IContextRepository"/>, <see cref="IAnswerRepository"/> and <see cref="IPromptVersionRepository"/>.
    /// </summary>
    public static IServiceCollection AddEngine(this IServiceCollection services)
    {
        services.AddActions();
        services.AddBackgroundCommands();
        services.AddContext();
        services.AddConversations();
        services.AddOptions<EngineOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<EngineOptions>, EngineOptionsValidation>());
        services.TryAddSingleton<PromptManager>();
        services.TryAddSingleton<CommandApprovals>();
        services.TryAddSingleton<ChatBranches>();
        services.TryAddSingleton<HistorySummarizer>();
        services.TryAddSingleton<Prepare>();
        services.TryAddSingleton<Recorder>();
        services.TryAddSingleton<ModelStep>();
        services.TryAddSingleton<ToolDispatch>();
        services.TryAddSingleton<AnswerPipeline>();
        services.TryAddSingleton<PromptPreview>();
        services.TryAddSingleton<EngineRecovery>();
        services.TryAddSingleton<Merges.SessionMerge>();
        return services;
    }
}
