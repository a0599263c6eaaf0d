namespace Wright.Core.Engine;

/// <summary>Stores what the engine records per prompt and per answer: contexts, agent runs and prompt versions.</summary>
public interface IEngineRepository
{
    /// <summary>Stores the context of a prompt; a prompt has one context (saving again replaces it).</summary>
    Task SaveContextAsync(StoredContext context, CancellationToken cancellationToken);

    Task<StoredContext?> GetContextAsync(Guid messageId, CancellationToken cancellationToken);

    /// <summary>Inserts or replaces the run of an assistant message.</summary>
    Task SaveAnswerAsync(AnswerRecord run, CancellationToken cancellationToken);

    Task<AnswerRecord?> GetAnswerAsync(Guid messageId, CancellationToken cancellationToken);

    /// <summary>Every run of a session, oldest first.</summary>
    Task<IReadOnlyList<AnswerRecord>> ListAnswersAsync(Guid sessionId, CancellationToken cancellationToken);

    /// <summary>Adds the next version of a prompt (its number one past the latest) and returns it.</summary>
    Task<PromptVersion> AddPromptVersionAsync(string scope, string scopeKey, string content, Guid? authorId, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>Every version of a prompt, oldest first.</summary>
    Task<IReadOnlyList<PromptVersion>> ListPromptVersionsAsync(string scope, string scopeKey, CancellationToken cancellationToken);
}
