using Wright.Core.Cluster;
using Wright.Core.Accounts;
using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Wright.Core.Errors;
using Wright.Core.Events;
using Wright.Core.Actions;
using Wright.Core.Engine;
using Wright.Core.Llm;

namespace Wright.Core.Conversations;

/// <summary>Payload of <c>message.created</c>: the assistant message being streamed and, for a new prompt, the user message stored before it.</summary>
public sealed record MessageCreatedData(Guid SessionId, Message Message, Message? UserMessage);

/// <summary>Payload of <c>delta</c>: text to append to the message.</summary>
public sealed record DeltaData(Guid MessageId, string Text);

/// <summary>Payload of <c>toolCall</c>: a complete tool call of the message.</summary>
public sealed record ToolCallData(Guid MessageId, ToolCall ToolCall);

/// <summary>Payload of <c>usage</c>: the provider call's tokens as reported and its cost from the catalog.</summary>
public sealed record UsageData(Guid MessageId, string Provider, string Model, long InputTokens, long OutputTokens, long CacheReadTokens, long CacheWriteTokens, decimal Cost, string Currency, long? TtftMs);

/// <summary>Payload of <c>message.completed</c> (status complete, cancelled or interrupted) and of <c>error</c> (status error, with the code).</summary>
public sealed record MessageEndedData(Message Message, string? Code, string? Detail);

/// <summary>
/// Sends prompts and streams answers. The user message is stored before the provider is called;
/// the assistant message is stored as <c>streaming</c>, its text saved in batches, and it ends
/// <c>complete</c>, <c>cancelled</c>, <c>error</c> or <c>interrupted</c> with whatever text
/// arrived. Each answer runs in the background as a <see cref="MessageRun"/> that clients watch
/// and may reconnect to.
/// </summary>
public sealed partial class ChatService : IAsyncDisposable
{
    private const int MaxTitleChars = 60;

    private readonly IConversationRepository _repository;
    private readonly SessionService _sessions;
    private readonly ProviderRegistry _registry;
    private readonly AgentLoop _agent;
    private readonly IEventBus _bus;
    private readonly ConversationsOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<ChatService> _logger;
    private readonly AnswerLeases _leases;
    private readonly ConcurrentDictionary<Guid, MessageRun> _runs = new();
    private readonly CancellationTokenSource _stopping = new();

    public ChatService(
        IConversationRepository repository,
        SessionService sessions,
        ProviderRegistry registry,
        AgentLoop agent,
        IEventBus bus,
        IOptions<ConversationsOptions> options,
        TimeProvider time,
        ILogger<ChatService> logger,
        AnswerLeases leases)
    {
        _leases = leases;
        _repository = repository;
        _sessions = sessions;
        _registry = registry;
        _agent = agent;
        _bus = bus;
        _options = options.Value;
        _time = time;
        _logger = logger;
    }

    public ConversationsOptions Options => _options;

    /// <summary>
    /// Stores <paramref name="content"/> as a user message under <paramref name="parentId"/> (default:
    /// the current leaf; an earlier message's parent makes an edited sibling) and starts the answer.
    /// <paramref name="lease"/> (a per-user limit) is released when the answer ends.
    /// </summary>
    public Task<MessageRun> PostAsync(Actor actor, Guid sessionId, string content, Guid? parentId, string? model, IDisposable? lease, CancellationToken cancellationToken) =>
        PostAsync(actor, sessionId, content, parentId, model, null, lease, cancellationToken);

    /// <summary>As <see cref="PostAsync(Actor, Guid, string, Guid?, string?, IDisposable?, CancellationToken)"/>, with a command approval policy that wins over the project's (the CLI's <c>--approve</c>).</summary>
    public async Task<MessageRun> PostAsync(Actor actor, Guid sessionId, string content, Guid? parentId, string? model, CommandApprovalPolicy? approval, IDisposable? lease, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(content))
        {
            throw WrightException.Invalid(ErrorCodes.ValidationFailed, "content must not be empty.");
        }

        if (content.Length > _options.MaxContentChars)
        {
            throw new WrightException(ErrorKind.TooLarge, ErrorCodes.PayloadTooLarge, $"content is longer than {_options.MaxContentChars} characters.");
        }

        var session = await _sessions.GetAsync(actor, sessionId, cancellationToken).ConfigureAwait(false);
        var messages = await _repository.ListMessagesAsync(sessionId, cancellationToken).ConfigureAwait(false);
        var parent = parentId ?? session.CurrentLeafId;
        if (parent is { } p && messages.All(m => m.Id != p))
        {
            throw SessionService.MessageNotFound(p);
        }

        var resolved = await _registry.ResolveAsync(model, cancellationToken).ConfigureAwait(false);
        var now = _time.GetUtcNow();
        var user = new Message(Guid.NewGuid(), sessionId, parent, 0, MessageRole.User, content, MessageStatus.Complete, null, [], null, null, now, now);
        var path = (parent is { } up ? SessionService.PathTo(messages, up)! : []).Append(user).ToList();
        return await StartAsync(session, user, path, resolved, actor.UserId, approval, lease, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A new answer as a sibling of <paramref name="messageId"/> (an assistant message), or a new answer to it (a user message).</summary>
    public async Task<MessageRun> RegenerateAsync(Actor actor, Guid sessionId, Guid messageId, string? model, IDisposable? lease, CancellationToken cancellationToken)
    {
        var session = await _sessions.GetAsync(actor, sessionId, cancellationToken).ConfigureAwait(false);
        var messages = await _repository.ListMessagesAsync(sessionId, cancellationToken).ConfigureAwait(false);
        var target = messages.FirstOrDefault(m => m.Id == messageId) ?? throw SessionService.MessageNotFound(messageId);
        var promptId = target.Role == MessageRole.User ? target.Id : target.ParentId;
        var prompt = messages.FirstOrDefault(m => m.Id == promptId && m.Role == MessageRole.User)
            ?? throw WrightException.Invalid(ErrorCodes.ValidationFailed, "Only an answer to a user message can be regenerated.");
        var resolved = await _registry.ResolveAsync(model ?? (target.Role == MessageRole.Assistant ? target.Model : null), cancellationToken).ConfigureAwait(false);
        var path = SessionService.PathTo(messages, prompt.Id)!;
        return await StartAsync(session, null, path, resolved, actor.UserId, null, lease, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Stops a streaming answer; it ends <c>cancelled</c> with its partial text. Waits (bounded by the token) until it is saved.</summary>
    public async Task<Message> StopAsync(Actor actor, Guid sessionId, Guid messageId, CancellationToken cancellationToken)
    {
        await _sessions.GetAsync(actor, sessionId, cancellationToken).ConfigureAwait(false);
        if (_runs.TryGetValue(messageId, out var run) && run.SessionId == sessionId)
        {
            run.Cancel(RunCancelReason.Stopped);
            await run.Completion.WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        var message = await _repository.GetMessageAsync(messageId, cancellationToken).ConfigureAwait(false);
        return message is not null && message.SessionId == sessionId ? message : throw SessionService.MessageNotFound(messageId);
    }

    /// <summary>The live run of a message (null when it is not streaming in this server any more) and the message as stored.</summary>
    public async Task<(MessageRun? Run, Message Message)> AttachAsync(Actor actor, Guid sessionId, Guid messageId, CancellationToken cancellationToken)
    {
        await _sessions.GetAsync(actor, sessionId, cancellationToken).ConfigureAwait(false);
        var message = await _repository.GetMessageAsync(messageId, cancellationToken).ConfigureAwait(false);
        if (message is null || message.SessionId != sessionId)
        {
            throw SessionService.MessageNotFound(messageId);
        }

        return (_runs.TryGetValue(messageId, out var run) ? run : null, message);
    }

    /// <summary>At start-up: answers left <c>streaming</c> by a crash (of this or, after its lease, another instance) become <c>interrupted</c>, their saved text kept.</summary>
    public async Task<int> RecoverAsync(CancellationToken cancellationToken)
    {
        var count = await _leases.RecoverAsync(cancellationToken).ConfigureAwait(false);
        if (count > 0)
        {
            ChatLog.Recovered(_logger, count);
        }

        return count;
    }

    /// <summary>At shutdown: every answer still streaming is cancelled and saved as <c>interrupted</c>.</summary>
    public async Task StopAllAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        var runs = _runs.Values.ToList();
        foreach (var run in runs)
        {
            run.Cancel(RunCancelReason.ServerStopping);
        }

        await Task.WhenAll(runs.Select(r => r.Completion)).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        using var bounded = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await StopAllAsync(bounded.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (bounded.IsCancellationRequested)
        {
            // A run that does not finish saving within the bound is left to start-up recovery,
            // which marks it interrupted with its last saved text.
        }
    }

    private async Task<MessageRun> StartAsync(Session session, Message? user, List<Message> path, ResolvedModel model, Guid? userId, CommandApprovalPolicy? approval, IDisposable? lease, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var promptId = user?.Id ?? path[^1].Id;
        var assistant = new Message(Guid.NewGuid(), session.Id, promptId, 0, MessageRole.Assistant, "", MessageStatus.Streaming, model.Name.ToString(), [], null, null, now, now);
        var parameters = JsonSerializer.Serialize(new { maxOutputTokens = model.MaxOutputTokens, temperature = (float?)null, messages = path.Count });
        var request = new AiRequest(Guid.NewGuid(), session.Id, assistant.Id, 1, model.Endpoint.Name, model.Name.Model, parameters, AiRequestStatuses.Streaming, now, null, null, 0, 0, 0, 0, 0m, ModelInfo.Currency, null, null);
        var inserted = user is null ? new[] { assistant } : [user, assistant];
        await _repository.InsertTurnAsync(session with { CurrentLeafId = assistant.Id, UpdatedAt = now }, inserted, request, cancellationToken).ConfigureAwait(false);
        await _leases.ClaimAsync(assistant.Id, cancellationToken).ConfigureAwait(false);

        var run = new MessageRun(session.ProjectId, session.Id, assistant.Id, _time, _options.DisconnectGracePeriod);
        _runs[assistant.Id] = run;
        run.Append(RunEventTypes.MessageCreated, new MessageCreatedData(session.Id, assistant, user));
        if (user is not null)
        {
            _bus.Publish(SessionEventTypes.MessageCreated, session.ProjectId, new MessageEventData(session.Id, user.Id, user.Role, user.Status));
        }

        _bus.Publish(SessionEventTypes.MessageCreated, session.ProjectId, new MessageEventData(session.Id, assistant.Id, assistant.Role, assistant.Status));

        // The answer outlives the request that started it (other clients may watch it); it is
        // cancelled through the run, never by that request's token.
        run.Completion = Task.Run(() => ExecuteAsync(run, session, assistant, request, path, model, userId, approval, lease), CancellationToken.None);
        return run;
    }

    private async Task ExecuteAsync(MessageRun run, Session session, Message assistant, AiRequest request, List<Message> path, ResolvedModel model, Guid? userId, CommandApprovalPolicy? approval, IDisposable? lease)
    {
        AgentOutcome outcome;
        try
        {
            outcome = await _agent.RunAsync(new AgentRunInput(run, session, assistant, path, model, userId, approval), run.Token).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            ChatLog.RunFailed(_logger, ex, assistant.Id);
            outcome = new AgentOutcome("", [], MessageStatus.Error, ErrorCodes.InternalError, "Wright failed while running this answer; the server log has the details.", [], null);
        }

        var final = assistant with { Content = outcome.Text, ToolCalls = outcome.Calls, Status = outcome.Status, ErrorCode = outcome.Code, ErrorDetail = outcome.Detail, UpdatedAt = _time.GetUtcNow() };
        await FinishAsync(run, session, final, request, outcome.Steps, lease).ConfigureAwait(false);
    }

    private async Task FinishAsync(MessageRun run, Session session, Message final, AiRequest request, IReadOnlyList<StepAccount> steps, IDisposable? lease)
    {
        // The first provider call updates the request stored with the turn; every other call (and each retried attempt) is a row of its own.
        var rows = new List<AiRequest>();
        var lastStart = DateTimeOffset.MinValue;
        foreach (var step in steps)
        {
            // Each later call starts at least a millisecond after the one before, so the stored order is the order they were made.
            var startedAt = step.Step == 1 ? request.StartedAt : step.StartedAt > lastStart.AddMilliseconds(1) ? step.StartedAt : lastStart.AddMilliseconds(1);
            lastStart = startedAt;
            var attempts = step.Retried.Select(a => request with
            {
                Id = Guid.NewGuid(),
                StartedAt = startedAt,
                Attempt = a.Attempt,
                Status = AiRequestStatuses.Error,
                DurationMs = (long)a.Duration.TotalMilliseconds,
                ErrorCode = a.Code,
                ErrorDetail = a.Detail,
            });
            rows.AddRange(attempts);
            rows.Add(request with
            {
                Id = rows.Count == step.Retried.Count && step.Step == 1 ? request.Id : Guid.NewGuid(),
                Attempt = step.Retried.Count + 1,
                StartedAt = startedAt,
                Status = step.Status,
                TtftMs = step.TtftMs,
                DurationMs = step.DurationMs,
                InputTokens = step.Usage?.InputTokens ?? 0,
                OutputTokens = step.Usage?.OutputTokens ?? 0,
                CacheReadTokens = step.Usage?.CacheReadTokens ?? 0,
                CacheWriteTokens = step.Usage?.CacheWriteTokens ?? 0,
                Cost = step.Cost,
                ErrorCode = step.Code,
                ErrorDetail = step.Detail,
            });
        }

        var main = rows.FirstOrDefault(r => r.Id == request.Id) ?? request with
        {
            Status = final.Status switch
            {
                MessageStatus.Complete => AiRequestStatuses.Complete,
                MessageStatus.Cancelled => AiRequestStatuses.Cancelled,
                MessageStatus.Interrupted => AiRequestStatuses.Interrupted,
                _ => AiRequestStatuses.Error,
            },
            ErrorCode = final.ErrorCode,
            ErrorDetail = final.ErrorDetail,
        };
        rows.Remove(main);
        try
        {
            // Not the run's token (it may be the reason we are here): the final state must be saved.
            using var bounded = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await _repository.FinishMessageAsync(final, main, rows, bounded.Token).ConfigureAwait(false);
            if (final.Status == MessageStatus.Complete)
            {
                await AutoTitleAsync(session.Id, bounded.Token).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The message stays 'streaming' in the database with its last batch of text, and the
            // next start-up marks it interrupted: nothing is lost beyond the last batch.
            ChatLog.SaveFailed(_logger, ex, final.Id);
        }

        run.Append(final.Status == MessageStatus.Error ? RunEventTypes.Error : RunEventTypes.MessageCompleted, new MessageEndedData(final, final.ErrorCode, final.ErrorDetail));
        run.Finish();
        lease?.Dispose();
        _bus.Publish(SessionEventTypes.MessageCompleted, session.ProjectId, new MessageEventData(session.Id, final.Id, final.Role, final.Status));
        _ = EvictLaterAsync(run);
    }

    private async Task AutoTitleAsync(Guid sessionId, CancellationToken cancellationToken)
    {
        var session = await _repository.GetSessionAsync(sessionId, cancellationToken).ConfigureAwait(false);
        if (session is null || session.TitleSource != TitleSources.None)
        {
            return;
        }

        var messages = await _repository.ListMessagesAsync(sessionId, cancellationToken).ConfigureAwait(false);
        if (messages.FirstOrDefault(m => m.Role == MessageRole.User) is not { } first)
        {
            return;
        }

        await _sessions.SaveAsync(session with { Title = TitleFrom(first.Content), TitleSource = TitleSources.Auto, UpdatedAt = _time.GetUtcNow() }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A title from the first prompt: its first line, cut at a word boundary.</summary>
    internal static string TitleFrom(string prompt)
    {
        var line = prompt.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? Session.DefaultTitle;
        line = SessionService.CleanTitle(line) ?? Session.DefaultTitle;
        if (line.Length <= MaxTitleChars)
        {
            return line;
        }

        var cut = line.LastIndexOf(' ', MaxTitleChars);
        return (cut > MaxTitleChars / 2 ? line[..cut] : line[..MaxTitleChars]).TrimEnd() + "…";
    }

    private async Task EvictLaterAsync(MessageRun run)
    {
        try
        {
            await Task.Delay(_options.FinishedStreamLinger, _time, _stopping.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            // The server is stopping: the run goes with it.
        }

        _runs.TryRemove(new KeyValuePair<Guid, MessageRun>(run.MessageId, run));
        run.Dispose();
    }
}

/// <summary>Log messages of chat answers; event ids 8100–8199.</summary>
internal static partial class ChatLog
{
    [LoggerMessage(EventId = 8101, Level = LogLevel.Warning, Message = "{Count} answers were left streaming by an earlier run of the server and are now marked interrupted")]
    public static partial void Recovered(ILogger logger, int count);

    [LoggerMessage(EventId = 8102, Level = LogLevel.Error, Message = "Streaming answer {MessageId} failed unexpectedly")]
    public static partial void RunFailed(ILogger logger, Exception exception, Guid messageId);

    [LoggerMessage(EventId = 8103, Level = LogLevel.Error, Message = "The final state of answer {MessageId} could not be saved; start-up recovery will mark it interrupted")]
    public static partial void SaveFailed(ILogger logger, Exception exception, Guid messageId);
}
