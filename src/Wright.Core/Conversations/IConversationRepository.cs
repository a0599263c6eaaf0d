using Wright.Core.Paging;

namespace Wright.Core.Conversations;

/// <summary>Stores sessions, their message trees and their provider calls.</summary>
public interface IConversationRepository
{
    Task InsertSessionAsync(Session session, CancellationToken cancellationToken);

    Task<Session?> GetSessionAsync(Guid id, CancellationToken cancellationToken);

    /// <summary>
    /// A project's sessions, newest first, paged by an opaque cursor; <paramref name="search"/>
    /// matches the title or any message's content, case-insensitively.
    /// </summary>
    Task<Page<Session>> ListSessionsAsync(Guid projectId, PageRequest page, string? search, bool includeArchived, CancellationToken cancellationToken);

    /// <summary>Saves title, title source, current leaf, archive state and update time; false when the session is gone.</summary>
    Task<bool> UpdateSessionAsync(Session session, CancellationToken cancellationToken);

    /// <summary>Deletes the session with its messages and provider calls.</summary>
    Task<bool> DeleteSessionAsync(Guid id, CancellationToken cancellationToken);

    /// <summary>Every message of the session in creation order.</summary>
    Task<IReadOnlyList<Message>> ListMessagesAsync(Guid sessionId, CancellationToken cancellationToken);

    Task<Message?> GetMessageAsync(Guid id, CancellationToken cancellationToken);

    /// <summary>
    /// One transaction: adds <paramref name="messages"/> (in order, each numbered after the
    /// session's last), the provider call about to be made, and saves <paramref name="session"/>
    /// (its new current leaf).
    /// </summary>
    Task InsertTurnAsync(Session session, IReadOnlyList<Message> messages, AiRequest? request, CancellationToken cancellationToken);

    /// <summary>
    /// One transaction: the text and tool calls streamed so far of each answer in <paramref name="updates"/>
    /// (an answer no longer streaming keeps its final state).
    /// </summary>
    Task UpdateStreamingContentAsync(IReadOnlyList<StreamingContent> updates, CancellationToken cancellationToken);

    /// <summary>One transaction: the message's final state and its provider calls (the main one, when given, updated; retried attempts added).</summary>
    Task FinishMessageAsync(Message message, AiRequest? request, IReadOnlyList<AiRequest> retried, CancellationToken cancellationToken);

    /// <summary>Adds a provider call as it starts (status <c>streaming</c>).</summary>
    Task InsertRequestAsync(AiRequest request, CancellationToken cancellationToken);

    /// <summary>Ends a provider call: its status, timings, usage, cost or error.</summary>
    Task UpdateRequestAsync(AiRequest request, CancellationToken cancellationToken);

    /// <summary>Removes a provider call's row that is still <c>streaming</c>: the call it was written for was never made.</summary>
    Task DeleteUnsentRequestAsync(Guid requestId, CancellationToken cancellationToken);

    /// <summary>Marks every message and provider call still <c>streaming</c> as interrupted (start-up after a crash); returns the messages marked.</summary>
    Task<int> InterruptStreamingAsync(DateTimeOffset at, CancellationToken cancellationToken);

    Task<IReadOnlyList<AiRequest>> ListRequestsAsync(Guid sessionId, CancellationToken cancellationToken);

    /// <summary>The session's provider calls summed per provider and model.</summary>
    Task<IReadOnlyList<UsageSum>> SumUsageAsync(Guid sessionId, CancellationToken cancellationToken);

    /// <summary>One transaction: a whole session with its messages (parents before children) and provider calls.</summary>
    Task ImportAsync(Session session, IReadOnlyList<Message> messages, IReadOnlyList<AiRequest> requests, CancellationToken cancellationToken);
}
