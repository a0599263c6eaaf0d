using System.Text.Json;
using Wright.Core.Agents;
using Wright.Core.Conversations;
using Wright.Core.Engine;
using Wright.Core.Events;
using Wright.Core.Projects;

namespace Wright.Server.Agents;

/// <summary>
/// Puts Wright's own sessions on the agent board as agents of kind <c>wright</c>: it listens to
/// the bus (it never reaches into the engine) and turns each user message into a command and each
/// completed answer into a completion turn carrying the answer's commit and cost.
/// </summary>
internal sealed class WrightSessionsOnBoard
{
    private readonly IEventBus _bus;
    private readonly AgentMonitor _monitor;
    private readonly IAgentRepository _agents;
    private readonly AgentBoard _board;
    private readonly IConversationRepository _conversations;
    private readonly IEngineRepository _engine;
    private readonly IProjectRepository _projects;
    private readonly ILogger<WrightSessionsOnBoard> _logger;

    public WrightSessionsOnBoard(IEventBus bus, AgentMonitor monitor, IAgentRepository agents, AgentBoard board, IConversationRepository conversations, IEngineRepository engine, IProjectRepository projects, ILogger<WrightSessionsOnBoard> logger)
    {
        _bus = bus;
        _monitor = monitor;
        _agents = agents;
        _board = board;
        _conversations = conversations;
        _engine = engine;
        _projects = projects;
        _logger = logger;
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            // A subscription dropped as a slow consumer ends; subscribe again and go on (the board
            // may miss a turn then, the sessions themselves lose nothing).
            using var subscription = _bus.Subscribe(null, null);
            while (await subscription.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                while (subscription.TryRead(out var evt))
                {
                    if (evt.Data is MessageEventData message && evt.Type is SessionEventTypes.MessageCreated or SessionEventTypes.MessageCompleted)
                    {
                        try
                        {
                            await RecordAsync(evt.Type, message, cancellationToken).ConfigureAwait(false);
                        }
                        catch (Exception ex) when (ex is not OperationCanceledException)
                        {
                            AgentsServerLog.WrightSessionFailed(_logger, ex, message.SessionId);
                        }
                    }
                }
            }
        }
    }

    private async Task RecordAsync(string type, MessageEventData data, CancellationToken cancellationToken)
    {
        var isPrompt = type == SessionEventTypes.MessageCreated && data.Role == MessageRole.User;
        var isAnswer = type == SessionEventTypes.MessageCompleted && data.Role == MessageRole.Assistant;
        if (!isPrompt && !isAnswer)
        {
            return;
        }

        var session = await _conversations.GetSessionAsync(data.SessionId, cancellationToken).ConfigureAwait(false);
        var project = session is null ? null : await _projects.GetAsync(session.ProjectId, cancellationToken).ConfigureAwait(false);
        var message = await _conversations.GetMessageAsync(data.MessageId, cancellationToken).ConfigureAwait(false);
        if (session is null || project?.OwnerId is not { } owner || message is null)
        {
            return;
        }

        var answer = isAnswer ? await _engine.GetAnswerAsync(message.Id, cancellationToken).ConfigureAwait(false) : null;
        var eventName = isPrompt ? "UserPromptSubmit" : data.Status == MessageStatus.Complete ? "Stop" : "StopFailure";
        var logged = JsonSerializer.Serialize(new { sessionId = session.Id, messageId = message.Id, status = data.Status.ToString(), commit = answer?.CommitSha });
        var hook = new HookPayload(
            eventName, null, session.Id.ToString(), project.RootPath, null, null,
            isPrompt ? message.Content : null, null, null, null,
            isAnswer ? message.Content : null, isAnswer ? message.ErrorDetail : null, null, null, logged);
        var outcome = await _monitor.IngestAsync(owner, hook, cancellationToken, AgentKinds.Wright, answer?.CommitSha).ConfigureAwait(false);
        if (!isAnswer)
        {
            return;
        }

        var requests = (await _conversations.ListRequestsAsync(session.Id, cancellationToken).ConfigureAwait(false)).Where(r => r.MessageId == message.Id).ToList();
        if (requests.Count == 0)
        {
            return;
        }

        var saved = await _agents.SaveUsageAsync(new AgentUsage(
            outcome.Agent.Id,
            message.Id.ToString(),
            outcome.Task?.Id,
            outcome.Turn?.Id,
            requests[^1].Model,
            requests.Sum(r => r.InputTokens),
            requests.Sum(r => r.OutputTokens),
            requests.Sum(r => r.CacheReadTokens),
            requests.Sum(r => r.CacheWriteTokens),
            requests.Sum(r => r.Cost),
            message.UpdatedAt), cancellationToken).ConfigureAwait(false);
        if (saved && await _agents.GetSummaryAsync(owner, outcome.Agent.Id, cancellationToken).ConfigureAwait(false) is { } summary)
        {
            _board.Publish(AgentEventTypes.Usage, new AgentBoardEvent(summary, null, null, null));
        }
    }
}
