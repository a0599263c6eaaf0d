using Wright.Core.Accounts;
using Wright.Core.Errors;
using Wright.Core.Events;
using Wright.Core.Llm;
using Wright.Core.Paging;
using Wright.Core.Projects;

namespace Wright.Core.Conversations;

/// <summary>A session with its whole message tree, the path to its current leaf and its totals.</summary>
public sealed record SessionTree(Session Session, IReadOnlyList<Message> Messages, IReadOnlyList<Guid> ActivePath, SessionTotals Totals)
{
    /// <summary>The merge links of the session's merge messages (which leaf, of which session, each merged), oldest first.</summary>
    public IReadOnlyList<Merges.MergeLink> Merges { get; init; } = [];
}

/// <summary>Token counts summed over provider calls.</summary>
public sealed record TokenUsage(long Requests, long InputTokens, long OutputTokens, long CacheReadTokens, long CacheWriteTokens)
{
    public long TotalTokens => InputTokens + OutputTokens;
}

/// <summary>Token counts and cost of one provider and model.</summary>
public sealed record TokenCost(long Requests, long InputTokens, long OutputTokens, long CacheReadTokens, long CacheWriteTokens, decimal Cost);

/// <summary>
/// A session's usage and cost as in the seed's Session type: <c>tokenUsage.byProvider</c> and
/// <c>total</c>, <c>costs.byProviderAndModel</c>, <c>totalCost</c> and <c>currency</c>. Always the
/// sum of the session's stored provider calls (it is computed from them).
/// </summary>
public sealed record SessionTotals(SessionTokenUsage TokenUsage, SessionCosts Costs);

public sealed record SessionTokenUsage(IReadOnlyDictionary<string, TokenUsage> ByProvider, TokenUsage Total);

public sealed record SessionCosts(IReadOnlyDictionary<string, IReadOnlyDictionary<string, TokenCost>> ByProviderAndModel, decimal TotalCost, string Currency);

/// <summary>A whole session as exported: re-importable without loss (ids are replaced on import).</summary>
public sealed record SessionExport(string Format, int Version, Session Session, IReadOnlyList<Message> Messages, IReadOnlyList<AiRequest> AiRequests)
{
    /// <summary>The merge links of the session's merge messages (absent in exports made before merges).</summary>
    public IReadOnlyList<Merges.MergeLink>? Merges { get; init; }

    public const string FormatName = "wright.session";
    public const int CurrentVersion = 1;
}

/// <summary>Payload of the bus events about sessions (<c>session.created</c>, <c>session.updated</c>, <c>session.deleted</c>).</summary>
public sealed record SessionEventData(Guid SessionId, string Title);

/// <summary>Payload of the bus events about messages (<c>message.created</c>, <c>message.completed</c>).</summary>
public sealed record MessageEventData(Guid SessionId, Guid MessageId, MessageRole Role, MessageStatus Status);

/// <summary>The bus event types of sessions; never rename one.</summary>
public static class SessionEventTypes
{
    public const string SessionCreated = "session.created";
    public const string SessionUpdated = "session.updated";
    public const string SessionDeleted = "session.deleted";
    public const string MessageCreated = "message.created";
    public const string MessageCompleted = "message.completed";
}

/// <summary>
/// Sessions of a project: create, list and search, read as a tree, rename, archive, delete, switch
/// branch, fork, export and import. Every access goes through the session's project
/// (<see cref="ProjectService.GetAsync"/>), which decides who may see it.
/// </summary>
public sealed class SessionService
{
    private const int MaxTitleLength = 200;

    private readonly IConversationRepository _repository;
    private readonly ProjectService _projects;
    private readonly IEventBus _bus;
    private readonly TimeProvider _time;
    private readonly Merges.IMergeLinkRepository _merges;

    public SessionService(IConversationRepository repository, ProjectService projects, IEventBus bus, TimeProvider time, Merges.IMergeLinkRepository merges)
    {
        _merges = merges;
        _repository = repository;
        _projects = projects;
        _bus = bus;
        _time = time;
    }

    public async Task<Session> CreateAsync(Actor actor, Guid projectId, string? title, CancellationToken cancellationToken)
    {
        await _projects.GetAsync(actor, projectId, cancellationToken).ConfigureAwait(false);
        var now = _time.GetUtcNow();
        var clean = title is null ? null : CleanTitle(title);
        var session = new Session(Guid.NewGuid(), projectId, clean ?? Session.DefaultTitle, clean is null ? TitleSources.None : TitleSources.User, null, now, now, null);
        await _repository.InsertSessionAsync(session, cancellationToken).ConfigureAwait(false);
        _bus.Publish(SessionEventTypes.SessionCreated, projectId, new SessionEventData(session.Id, session.Title));
        return session;
    }

    public async Task<Page<Session>> ListAsync(Actor actor, Guid projectId, PageRequest page, string? search, bool includeArchived, CancellationToken cancellationToken)
    {
        await _projects.GetAsync(actor, projectId, cancellationToken).ConfigureAwait(false);
        return await _repository.ListSessionsAsync(projectId, page, search, includeArchived, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The session, if it exists and its project is visible to the caller; <c>session_not_found</c> otherwise.</summary>
    public async Task<Session> GetAsync(Actor actor, Guid id, CancellationToken cancellationToken) =>
        (await GetWithProjectAsync(actor, id, cancellationToken).ConfigureAwait(false)).Session;

    /// <summary>A session the caller may see, with its project (read for the access check anyway).</summary>
    public async Task<(Session Session, Project Project)> GetWithProjectAsync(Actor actor, Guid id, CancellationToken cancellationToken)
    {
        var session = await _repository.GetSessionAsync(id, cancellationToken).ConfigureAwait(false)
            ?? throw NotFound(id);
        try
        {
            return (session, await _projects.GetAsync(actor, session.ProjectId, cancellationToken).ConfigureAwait(false));
        }
        catch (WrightException ex) when (ex.Kind == ErrorKind.NotFound)
        {
            // A session of a project the caller cannot see does not exist for them.
            throw NotFound(id);
        }
    }

    public async Task<SessionTree> GetTreeAsync(Actor actor, Guid id, CancellationToken cancellationToken)
    {
        var session = await GetAsync(actor, id, cancellationToken).ConfigureAwait(false);
        return await TreeOfAsync(session, cancellationToken).ConfigureAwait(false);
    }

    public async Task<Session> UpdateAsync(Actor actor, Guid id, string? title, bool? archived, CancellationToken cancellationToken)
    {
        var session = await GetAsync(actor, id, cancellationToken).ConfigureAwait(false);
        var now = _time.GetUtcNow();
        var updated = session with { UpdatedAt = now };
        if (title is not null)
        {
            updated = updated with { Title = CleanTitle(title) ?? throw WrightException.Invalid(ErrorCodes.ValidationFailed, "title must not be blank."), TitleSource = TitleSources.User };
        }

        if (archived is { } archive)
        {
            updated = updated with { ArchivedAt = archive ? session.ArchivedAt ?? now : null };
        }

        await SaveAsync(updated, cancellationToken).ConfigureAwait(false);
        return updated;
    }

    public async Task DeleteAsync(Actor actor, Guid id, CancellationToken cancellationToken)
    {
        var session = await GetAsync(actor, id, cancellationToken).ConfigureAwait(false);
        await _repository.DeleteSessionAsync(id, cancellationToken).ConfigureAwait(false);
        _bus.Publish(SessionEventTypes.SessionDeleted, session.ProjectId, new SessionEventData(id, session.Title));
    }

    /// <summary>Moves the session to <paramref name="messageId"/>'s branch: its newest descendant leaf becomes the current leaf.</summary>
    public async Task<SessionTree> SwitchAsync(Actor actor, Guid id, Guid messageId, CancellationToken cancellationToken)
    {
        var session = await GetAsync(actor, id, cancellationToken).ConfigureAwait(false);
        var messages = await _repository.ListMessagesAsync(id, cancellationToken).ConfigureAwait(false);
        if (messages.All(m => m.Id != messageId))
        {
            throw MessageNotFound(messageId);
        }

        var children = messages.Where(m => m.ParentId is not null).ToLookup(m => m.ParentId!.Value);
        var leaf = messageId;
        while (children[leaf].MaxBy(m => m.Seq) is { } newest)
        {
            leaf = newest.Id;
        }

        var updated = session with { CurrentLeafId = leaf, UpdatedAt = _time.GetUtcNow() };
        await SaveAsync(updated, cancellationToken).ConfigureAwait(false);
        return await TreeOfAsync(updated, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A new session holding a copy of the path from the root to <paramref name="messageId"/>.</summary>
    public async Task<Session> ForkAsync(Actor actor, Guid id, Guid messageId, CancellationToken cancellationToken)
    {
        var source = await GetAsync(actor, id, cancellationToken).ConfigureAwait(false);
        var messages = await _repository.ListMessagesAsync(id, cancellationToken).ConfigureAwait(false);
        var path = PathTo(messages, messageId) ?? throw MessageNotFound(messageId);
        var now = _time.GetUtcNow();
        var forkId = Guid.NewGuid();
        var ids = path.ToDictionary(m => m.Id, _ => Guid.NewGuid());
        var copies = path.Select(m => m with
        {
            Id = ids[m.Id],
            SessionId = forkId,
            ParentId = m.ParentId is { } parent ? ids[parent] : null,
            Status = m.Status == MessageStatus.Streaming ? MessageStatus.Interrupted : m.Status,
        }).ToList();
        var title = CleanTitle($"Fork of {source.Title}")!;
        var fork = new Session(forkId, source.ProjectId, title, TitleSources.Auto, copies.Count > 0 ? copies[^1].Id : null, now, now, null);
        await _repository.ImportAsync(fork, copies, [], cancellationToken).ConfigureAwait(false);
        _bus.Publish(SessionEventTypes.SessionCreated, fork.ProjectId, new SessionEventData(fork.Id, fork.Title));
        return fork;
    }

    public async Task<SessionTotals> TotalsAsync(Actor actor, Guid id, CancellationToken cancellationToken)
    {
        await GetAsync(actor, id, cancellationToken).ConfigureAwait(false);
        return Totals(await _repository.SumUsageAsync(id, cancellationToken).ConfigureAwait(false));
    }

    public async Task<IReadOnlyList<AiRequest>> RequestsAsync(Actor actor, Guid id, CancellationToken cancellationToken)
    {
        await GetAsync(actor, id, cancellationToken).ConfigureAwait(false);
        return await _repository.ListRequestsAsync(id, cancellationToken).ConfigureAwait(false);
    }

    public async Task<SessionExport> ExportAsync(Actor actor, Guid id, CancellationToken cancellationToken)
    {
        var session = await GetAsync(actor, id, cancellationToken).ConfigureAwait(false);
        var messages = await _repository.ListMessagesAsync(id, cancellationToken).ConfigureAwait(false);
        var requests = await _repository.ListRequestsAsync(id, cancellationToken).ConfigureAwait(false);
        var merges = await _merges.ListMergesAsync(id, cancellationToken).ConfigureAwait(false);
        return new SessionExport(SessionExport.FormatName, SessionExport.CurrentVersion, session, messages, requests) { Merges = merges };
    }

    /// <summary>Imports an exported session into <paramref name="projectId"/> under new ids; everything else is kept as exported.</summary>
    public async Task<Session> ImportAsync(Actor actor, Guid projectId, SessionExport export, CancellationToken cancellationToken)
    {
        await _projects.GetAsync(actor, projectId, cancellationToken).ConfigureAwait(false);
        if (export.Format != SessionExport.FormatName || export.Version != SessionExport.CurrentVersion || export.Session is null || export.Messages is null)
        {
            throw WrightException.Invalid(ErrorCodes.ImportInvalid, $"This is not a Wright session export (format '{SessionExport.FormatName}', version {SessionExport.CurrentVersion}).");
        }

        var sessionId = Guid.NewGuid();
        var ordered = export.Messages.OrderBy(m => m.Seq).ToList();
        var ids = new Dictionary<Guid, Guid>();
        foreach (var message in ordered)
        {
            if (!ids.TryAdd(message.Id, Guid.NewGuid()))
            {
                throw WrightException.Invalid(ErrorCodes.ImportInvalid, $"Message {message.Id} appears twice.");
            }

            if (message.ParentId is { } parent && !ids.ContainsKey(parent))
            {
                throw WrightException.Invalid(ErrorCodes.ImportInvalid, $"Message {message.Id} comes before its parent {parent}, or its parent is missing.");
            }
        }

        var messages = ordered.Select(m => m with
        {
            Id = ids[m.Id],
            SessionId = sessionId,
            ParentId = m.ParentId is { } parent ? ids[parent] : null,
            Content = m.Content ?? "",
            ToolCalls = m.ToolCalls ?? [],
            Status = m.Status == MessageStatus.Streaming ? MessageStatus.Interrupted : m.Status,
        }).ToList();
        var requests = (export.AiRequests ?? []).Select(r => r with
        {
            Id = Guid.NewGuid(),
            SessionId = sessionId,
            MessageId = r.MessageId is { } message && ids.TryGetValue(message, out var mapped) ? mapped : null,
            Status = r.Status == AiRequestStatuses.Streaming ? AiRequestStatuses.Interrupted : r.Status,
        }).ToList();
        var source = export.Session;
        Guid? leaf = source.CurrentLeafId is { } current && ids.TryGetValue(current, out var mappedLeaf) ? mappedLeaf : messages.LastOrDefault()?.Id;
        var session = new Session(
            sessionId,
            projectId,
            CleanTitle(source.Title ?? "") ?? Session.DefaultTitle,
            source.TitleSource ?? TitleSources.User,
            leaf,
            source.CreatedAt,
            source.UpdatedAt,
            source.ArchivedAt);
        await _repository.ImportAsync(session, messages, requests, cancellationToken).ConfigureAwait(false);

        // Merge links follow their messages; a branch merged from this same session points into the copy, one from another session still points there.
        foreach (var link in (export.Merges ?? []).Where(l => l is not null && ids.ContainsKey(l.MessageId)))
        {
            var within = link.FromSessionId == source.Id && ids.ContainsKey(link.FromMessageId);
            await _merges.SaveMergeAsync(
                link with
                {
                    MessageId = ids[link.MessageId],
                    SessionId = sessionId,
                    FromSessionId = within ? sessionId : link.FromSessionId,
                    FromMessageId = within ? ids[link.FromMessageId] : link.FromMessageId,
                },
                cancellationToken).ConfigureAwait(false);
        }

        _bus.Publish(SessionEventTypes.SessionCreated, projectId, new SessionEventData(session.Id, session.Title));
        return session;
    }

    /// <summary>The messages from the root to <paramref name="messageId"/>, or null when it is not in <paramref name="messages"/>.</summary>
    public static List<Message>? PathTo(IReadOnlyList<Message> messages, Guid messageId)
    {
        var byId = messages.ToDictionary(m => m.Id);
        if (!byId.TryGetValue(messageId, out var node))
        {
            return null;
        }

        var path = new List<Message>();
        var seen = new HashSet<Guid>();
        while (node is not null && seen.Add(node.Id))
        {
            path.Add(node);
            node = node.ParentId is { } parent && byId.TryGetValue(parent, out var up) ? up : null;
        }

        path.Reverse();
        return path;
    }

    internal async Task SaveAsync(Session session, CancellationToken cancellationToken)
    {
        if (!await _repository.UpdateSessionAsync(session, cancellationToken).ConfigureAwait(false))
        {
            throw NotFound(session.Id);
        }

        _bus.Publish(SessionEventTypes.SessionUpdated, session.ProjectId, new SessionEventData(session.Id, session.Title));
    }

    internal static string? CleanTitle(string title)
    {
        var line = string.Join(' ', title.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        if (line.Length == 0)
        {
            return null;
        }

        return line.Length <= MaxTitleLength ? line : line[..MaxTitleLength].TrimEnd() + "…";
    }

    internal static WrightException NotFound(Guid id) => WrightException.NotFound(ErrorCodes.SessionNotFound, $"No session with id {id}.");

    internal static WrightException MessageNotFound(Guid id) => WrightException.NotFound(ErrorCodes.MessageNotFound, $"No message with id {id} in this session.");

    private async Task<SessionTree> TreeOfAsync(Session session, CancellationToken cancellationToken)
    {
        var messages = await _repository.ListMessagesAsync(session.Id, cancellationToken).ConfigureAwait(false);
        var totals = Totals(await _repository.SumUsageAsync(session.Id, cancellationToken).ConfigureAwait(false));
        var path = session.CurrentLeafId is { } leaf ? PathTo(messages, leaf)?.Select(m => m.Id).ToList() ?? [] : [];
        var merges = await _merges.ListMergesAsync(session.Id, cancellationToken).ConfigureAwait(false);
        return new SessionTree(session, messages, path, totals) { Merges = merges };
    }

    private static SessionTotals Totals(IReadOnlyList<UsageSum> sums)
    {
        var byProvider = sums.GroupBy(s => s.Provider, StringComparer.Ordinal).ToDictionary(
            g => g.Key,
            g => new TokenUsage(g.Sum(s => s.Requests), g.Sum(s => s.InputTokens), g.Sum(s => s.OutputTokens), g.Sum(s => s.CacheReadTokens), g.Sum(s => s.CacheWriteTokens)),
            StringComparer.Ordinal);
        var total = new TokenUsage(sums.Sum(s => s.Requests), sums.Sum(s => s.InputTokens), sums.Sum(s => s.OutputTokens), sums.Sum(s => s.CacheReadTokens), sums.Sum(s => s.CacheWriteTokens));
        var costs = sums.GroupBy(s => s.Provider, StringComparer.Ordinal).ToDictionary(
            g => g.Key,
            g => (IReadOnlyDictionary<string, TokenCost>)g.ToDictionary(s => s.Model, s => new TokenCost(s.Requests, s.InputTokens, s.OutputTokens, s.CacheReadTokens, s.CacheWriteTokens, s.Cost), StringComparer.Ordinal),
            StringComparer.Ordinal);
        return new SessionTotals(new SessionTokenUsage(byProvider, total), new SessionCosts(costs, sums.Sum(s => s.Cost), ModelInfo.Currency));
    }
}
