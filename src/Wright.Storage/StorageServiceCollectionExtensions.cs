using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Wright.Core.Accounts;
using Wright.Core.Agents;
using Wright.Core.Conversations;
using Wright.Core.Engine;
using Wright.Core.Llm;
using Wright.Core.Projects;
using Wright.Storage.Accounts;
using Wright.Storage.Cluster;
using Wright.Storage.Agents;
using Wright.Storage.Conversations;
using Wright.Storage.Engine;
using Wright.Storage.Llm;
using Wright.Storage.Database;
using Wright.Storage.Projects;
using Wright.Core.Terminals;
using Wright.Storage.Terminals;
using Wright.Core.Previews;
using Wright.Storage.Previews;

namespace Wright.Storage;

public static class StorageServiceCollectionExtensions
{
    /// <summary>Registers the database (SQLite file in <paramref name="dataDir"/> unless <paramref name="database"/> names another) and its repositories.</summary>
    public static IServiceCollection AddStorage(this IServiceCollection services, string? database, string dataDir)
    {
        services.TryAddSingleton(_ => WrightDatabase.Create(database, dataDir));
        services.TryAddSingleton<Migrator>();
        services.TryAddSingleton<StartupLock>();
        services.TryAddSingleton<IProjectRepository, ProjectRepository>();
        services.TryAddSingleton<IUserRepository, UserRepository>();
        services.TryAddSingleton<IRefreshTokenRepository, RefreshTokenRepository>();
        services.TryAddSingleton<IPersonalAccessTokenRepository, PersonalAccessTokenRepository>();
        services.TryAddSingleton<IAuditRepository, AuditRepository>();
        services.TryAddSingleton<DataProtectionKeyStore>();
        services.TryAddSingleton<ILlmSettingsRepository, LlmSettingsRepository>();
        services.TryAddSingleton<IConversationRepository, ConversationRepository>();
        services.TryAddSingleton<IEngineRepository, EngineRepository>();
        services.TryAddSingleton<IContextRepository>(sp => sp.GetRequiredService<IEngineRepository>());
        services.TryAddSingleton<IAnswerRepository>(sp => sp.GetRequiredService<IEngineRepository>());
        services.TryAddSingleton<IPromptVersionRepository>(sp => sp.GetRequiredService<IEngineRepository>());
        services.TryAddSingleton<HistoryRepository>();
        services.TryAddSingleton<Wright.Core.Answers.IHistorySummaryRepository>(sp => sp.GetRequiredService<HistoryRepository>());
        services.TryAddSingleton<Wright.Core.Context.ITokenCalibrationStore>(sp => sp.GetRequiredService<HistoryRepository>());
        services.TryAddSingleton<Wright.Core.Merges.IMergeLinkRepository>(sp => sp.GetRequiredService<HistoryRepository>());
        services.AddClusterStorage();
        services.TryAddSingleton<Wright.Core.Workbench.IWorkbenchRepository, Wright.Storage.Workbench.WorkbenchRepository>();
        services.TryAddSingleton<ITerminalRepository, TerminalRepository>();
        services.TryAddSingleton<IAgentRepository, AgentRepository>();
        services.TryAddSingleton<IPreviewRepository, PreviewRepository>();
        services.TryAddSingleton<Wright.Core.Flows.IFlowRepository, Wright.Storage.Flows.FlowRepository>();
        services.TryAddSingleton<Wright.Core.Flows.IActiveFlowRunRepository, Wright.Storage.Flows.ActiveFlowRunRepository>();
        return services;
    }
}
