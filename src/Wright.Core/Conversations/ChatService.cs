using System.Text.Json.Nodes;
using Wright.Core.Cluster;
using Wright.Core.Accounts;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Wright.Core.Errors;
using Wright.Core.Actions;
using Wright.Core.Answers;
using Wright.Core.Engine;
using Wright.Core.Flows;
using Wright.Core.Llm;
using Wright.Core.Projects;

namespace Wright.Core.Conversations;

/// <summary>
/// Sends prompts and streams answers. A prompt is checked before anything is stored; then it is a
/// turn of the session's built-in <c>default</c> flow (<see cref="FlowRunner.AnswerChatTurnAsync"/>):
/// its <c>answer</c> node stores the user message and the streaming assistant message and runs the
/// answer in the background through the <see cref="AnswerPipeline"/>, as an <see cref="AnswerStream"/>
/// that clients watch and may reconnect to. The answer ends <c>complete</c>, <c>cancelled</c>,
/// <c>error</c> or <c>interrupted</c> with whatever text arrived. One engine: a session held by a
/// custom flow's run refuses the chat with <c>flow_run_active</c>.
/// </summary>
public sealed partial class ChatService : IAsyncDisposable
{
    private const int MaxTitleChars = 60;

    private readonly IConversationRepository _repository;
    private readonly SessionService _sessions;
    private readonly ProviderRegistry _registry;
    private readonly AnswerPipeline _pipeline;
    private readonly ConversationsOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<ChatService> _logger;
    private readonly AnswerLeases _leases;
    private readonly FlowRunner _flows;

    public ChatService(
        IConversationRepository repository,
        SessionService sessions,
        ProviderRegistry registry,
        AnswerPipeline pipeline,
        IOptions<ConversationsOptions> options,
        TimeProvider time,
        ILogger<ChatService> logger,
        AnswerLeases leases,
        FlowRunner flows)
    {
        _leases = leases;
        _flows = flows;
        _repository = repository;
        _sessions = sessions;
        _registry = registry;
        _pipeline = pipeline;
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
    public Task<AnswerStream> PostAsync(Actor actor, Guid sessionId, string content, Guid? parentId, string? model, IDisposable? lease, CancellationToken cancellationToken) =>
        PostAsync(actor, sessionId, content, parentId, model, null, lease, cancellationToken);

    /// <summary>As <see cref="PostAsync(Actor, Guid, string, Guid?, string?, IDisposable?, CancellationToken)"/>, with a command approval policy that wins over the project's (the CLI's <c>--approve</c>).</summary>
    public Task<AnswerStream> PostAsync(Actor actor, Guid sessionId, string content, Guid? parentId, string? model, CommandApprovalPolicy? approval, IDisposable? lease, CancellationToken cancellationToken) =>
        PostAsync(actor, sessionId, content, parentId, model, approval, commitFirst: false, asRoot: false, lease, cancellationToken);

    /// <summary>
    /// As above; <paramref name="commitFirst"/> commits the user's uncommitted edits when the
    /// prompt starts a new branch of the conversation, instead of refusing it. A refused prompt
    /// (<c>uncommitted_changes</c>, an unknown parent) throws before anything is stored.
    /// </summary>
    public async Task<AnswerStream> PostAsync(Actor actor, Guid sessionId, string content, Guid? parentId, string? model, CommandApprovalPolicy? approval, bool commitFirst, bool asRoot, IDisposable? lease, CancellationToken cancellationToken)
    {
        Validate(content, parentId, asRoot);
        var (session, project) = await _sessions.GetWithProjectAsync(actor, sessionId, cancellationToken).ConfigureAwait(false);
        return await PostAsync(actor, session, project, content, parentId, model, approval, commitFirst, asRoot, lease, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>As above, for a <paramref name="session"/> (and its <paramref name="project"/>) the caller's access to was checked in this request already.</summary>
    public async Task<AnswerStream> PostAsync(Actor actor, Session session, Project project, string content, Guid? parentId, string? model, CommandApprovalPolicy? approval, bool commitFirst, bool asRoot, IDisposable? lease, CancellationToken cancellationToken)
    {
        Validate(content, parentId, asRoot);
        var sessionId = session.Id;
        var allowed = _flows.EnsureChatAllowedAsync(sessionId, cancellationToken);
        var messages = await _repository.ListMessagesAsync(sessionId, cancellationToken).ConfigureAwait(false);
        await allowed.ConfigureAwait(false);

        // A missing parent means "continue where the session is"; a new version of the very first
        // prompt has no parent at all, which only the explicit asRoot can say.
        var parent = asRoot ? null : parentId ?? session.CurrentLeafId;
        if (parent is { } p && messages.All(m => m.Id != p))
        {
            throw SessionService.MessageNotFound(p);
        }

        var resolved = await _registry.ResolveAsync(model, cancellationToken).ConfigureAwait(false);
        var now = _time.GetUtcNow();
        var user = new Message(Guid.NewGuid(), sessionId, parent, 0, MessageRole.User, content, MessageStatus.Complete, null, [], null, null, now, now);
        var path = (parent is { } up ? SessionService.PathTo(messages, up)! : []).Append(user).ToList();
        var turn = new JsonObject
        {
            ["content"] = content,
            ["parentId"] = parentId?.ToString(),
            ["asRoot"] = asRoot,
            ["commitFirst"] = commitFirst,
            ["model"] = model,
            ["resolvedModel"] = resolved.Name.ToString(),
            ["approval"] = approval?.ToString().ToLowerInvariant(),
            ["promptMessageId"] = user.Id.ToString(),
        };
        return await _flows.AnswerChatTurnAsync(new AnswerStart(session, user, path, resolved, actor.UserId, approval, commitFirst, lease, token => AutoTitleAsync(sessionId, token), project), user.Id, turn, cancellationToken).ConfigureAwait(false);
    }

    private void Validate(string content, Guid? parentId, bool asRoot)
    {
        if (asRoot && parentId is not null)
        {
            throw WrightException.Invalid(ErrorCodes.ValidationFailed, "A prompt is either a new first prompt (asRoot) or goes under parentId, not both.");
        }

        if (string.IsNullOrWhiteSpace(content))
        {
            throw WrightException.Invalid(ErrorCodes.ValidationFailed, "content must not be empty.");
        }

        if (content.Length > _options.MaxContentChars)
        {
            throw new WrightException(ErrorKind.TooLarge, ErrorCodes.PayloadTooLarge, $"content is longer than {_options.MaxContentChars} characters.");
        }
    }

    /// <summary>A new answer as a sibling of <paramref name="messageId"/> (an assistant message), or a new answer to it (a user message).</summary>
    public async Task<AnswerStream> RegenerateAsync(Actor actor, Guid sessionId, Guid messageId, string? model, IDisposable? lease, CancellationToken cancellationToken)
    {
        var (session, project) = await _sessions.GetWithProjectAsync(actor, sessionId, cancellationToken).ConfigureAwait(false);
        var allowed = _flows.EnsureChatAllowedAsync(sessionId, cancellationToken);
        var messages = await _repository.ListMessagesAsync(sessionId, cancellationToken).ConfigureAwait(false);
        await allowed.ConfigureAwait(false);
        var target = messages.FirstOrDefault(m => m.Id == messageId) ?? throw SessionService.MessageNotFound(messageId);
        var promptId = target.Role == MessageRole.User ? target.Id : target.ParentId;
        var prompt = messages.FirstOrDefault(m => m.Id == promptId && m.Role == MessageRole.User)
            ?? throw WrightException.Invalid(ErrorCodes.ValidationFailed, "Only an answer to a user message can be regenerated.");
        var resolved = await _registry.ResolveAsync(model ?? (target.Role == MessageRole.Assistant ? target.Model : null), cancellationToken).ConfigureAwait(false);
        var path = SessionService.PathTo(messages, prompt.Id)!;
        // A regenerate re-runs the default flow's answer node for the same prompt.
        return await _flows.AnswerChatTurnAsync(new AnswerStart(session, null, path, resolved, actor.UserId, Lease: lease, AfterComplete: token => AutoTitleAsync(sessionId, token), Project: project), prompt.Id, null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Stops a streaming answer; it ends <c>cancelled</c> with its partial text. Waits (bounded by the token) until it is saved.</summary>
    public async Task<Message> StopAsync(Actor actor, Guid sessionId, Guid messageId, CancellationToken cancellationToken)
    {
        await _sessions.GetAsync(actor, sessionId, cancellationToken).ConfigureAwait(false);
        if (_pipeline.Live(messageId) is { } stream && stream.SessionId == sessionId)
        {
            stream.Cancel(AnswerCancelReason.Stopped);
            await stream.Completion.WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        var message = await _repository.GetMessageAsync(messageId, cancellationToken).ConfigureAwait(false);
        return message is not null && message.SessionId == sessionId ? message : throw SessionService.MessageNotFound(messageId);
    }

    /// <summary>The live stream of a message (null when it is not streaming in this server any more) and the message as stored.</summary>
    public async Task<(AnswerStream? Run, Message Message)> AttachAsync(Actor actor, Guid sessionId, Guid messageId, CancellationToken cancellationToken)
    {
        await _sessions.GetAsync(actor, sessionId, cancellationToken).ConfigureAwait(false);
        var message = await _repository.GetMessageAsync(messageId, cancellationToken).ConfigureAwait(false);
        if (message is null || message.SessionId != sessionId)
        {
            throw SessionService.MessageNotFound(messageId);
        }

        return (_pipeline.Live(messageId), message);
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
    public Task StopAllAsync(CancellationToken cancellationToken) => _pipeline.StopAllAsync(cancellationToken);

    public ValueTask DisposeAsync() => _pipeline.DisposeAsync();

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
}

/// <summary>Log messages of chat answers; event ids 8100–8199.</summary>
internal static partial class ChatLog
{
    [LoggerMessage(EventId = 8101, Level = LogLevel.Warning, Message = "{Count} answers were left streaming by an earlier run of the server and are now marked interrupted")]
    public static partial void Recovered(ILogger logger, int count);
}
