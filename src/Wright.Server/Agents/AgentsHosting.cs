using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Wright.Core.Agents;

namespace Wright.Server.Agents;

internal static class AgentsHosting
{
    /// <summary>The agent monitor with its options (section <c>Agents</c>) and its background work.</summary>
    public static IServiceCollection AddAgentMonitor(this IServiceCollection services)
    {
        services.AddAgents();
        services.AddOptions<AgentsOptions>().Configure<IConfiguration>((o, c) => c.GetSection(AgentsOptions.Section).Bind(o));
        services.AddSingleton<WrightSessionsOnBoard>();
        services.AddHostedService<AgentsLifecycle>();
        services.AddSingleton(_ => NotifySend.FromPath(Environment.GetEnvironmentVariable("PATH")));
        services.AddHostedService<DesktopNotifier>();
        services.AddFlowRunsOnBoard();
        return services;
    }
}

/// <summary>Runs the monitor's background work: the transcript reader, the sweep for silent agents, and Wright's own sessions on the board.</summary>
internal sealed class AgentsLifecycle : BackgroundService
{
    private readonly TranscriptReader _transcripts;
    private readonly AgentMonitor _monitor;
    private readonly WrightSessionsOnBoard _wrightSessions;
    private readonly AgentsOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<AgentsLifecycle> _logger;

    public AgentsLifecycle(TranscriptReader transcripts, AgentMonitor monitor, WrightSessionsOnBoard wrightSessions, IOptions<AgentsOptions> options, TimeProvider time, ILogger<AgentsLifecycle> logger)
    {
        _transcripts = transcripts;
        _monitor = monitor;
        _wrightSessions = wrightSessions;
        _options = options.Value;
        _time = time;
        _logger = logger;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await Task.WhenAll(_transcripts.RunAsync(stoppingToken), SweepAsync(stoppingToken), _wrightSessions.RunAsync(stoppingToken)).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The server is stopping.
        }
    }

    private async Task SweepAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_options.SweepInterval, _time);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            try
            {
                await _monitor.CloseSilentTasksAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // One failed sweep (a busy database) is retried at the next tick.
                AgentsServerLog.SweepFailed(_logger, ex);
            }
        }
    }
}

internal static partial class AgentsServerLog
{
    [LoggerMessage(EventId = 9201, Level = LogLevel.Warning, Message = "The agent monitor's sweep for silent agents failed")]
    public static partial void SweepFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 9202, Level = LogLevel.Warning, Message = "Recording Wright session {SessionId} on the agent board failed")]
    public static partial void WrightSessionFailed(ILogger logger, Exception exception, Guid sessionId);

    [LoggerMessage(EventId = 9203, Level = LogLevel.Information, Message = "Desktop notifications for agents are off: {Reason}")]
    public static partial void DesktopNotificationsOff(ILogger logger, string reason);

    [LoggerMessage(EventId = 9204, Level = LogLevel.Warning, Message = "notify-send failed for agent {AgentId}")]
    public static partial void DesktopNotificationFailed(ILogger logger, Exception exception, Guid agentId);
}
