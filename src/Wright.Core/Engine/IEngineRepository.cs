using Wright.Core.Answers;

namespace Wright.Core.Engine;

/// <summary>Stores the Context of each prompt.</summary>
public interface IContextRepository
{
    /// <summary>Stores the context of a prompt; a prompt has one context (saving again replaces it).</summary>
    Task SaveContextAsync(StoredContext context, CancellationToken cancellationToken);

    Task<StoredContext?> GetContextAsync(Guid messageId, CancellationToken cancellationToken);
}

/// <summary>Stores each answer's record: commits, stop reason, cost and its state between steps.</summary>
public interface IAnswerRepository
{
    /// <summary>Inserts or replaces the record of an assistant message's answer.</summary>
    Task SaveAnswerAsync(AnswerRecord answer, CancellationToken cancellationToken);

    Task<AnswerRecord?> GetAnswerAsync(Guid messageId, CancellationToken cancellationToken);

    /// <summary>Every answer of a session, oldest first.</summary>
    Task<IReadOnlyList<AnswerRecord>> ListAnswersAsync(Guid sessionId, CancellationToken cancellationToken);
}

/// <summary>Stores the versions of prompt templates.</summary>
public interface IPromptVersionRepository
{
    /// <summary>Adds the next version of a prompt (its number one past the latest) and returns it.</summary>
    Task<PromptVersion> AddPromptVersionAsync(string scope, string scopeKey, string content, Guid? authorId, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>Every version of a prompt, oldest first.</summary>
    Task<IReadOnlyList<PromptVersion>> ListPromptVersionsAsync(string scope, string scopeKey, CancellationToken cancellationToken);

    /// <summary>The latest version of each of <paramref name="prompts"/> that has one, in one query (a prompt's way to its first token reads three).</summary>
    Task<IReadOnlyDictionary<(string Scope, string ScopeKey), PromptVersion>> LatestPromptVersionsAsync(IReadOnlyList<(string Scope, string ScopeKey)> prompts, CancellationToken cancellationToken);
}

/// <summary>All three engine stores in one (the storage layer implements them with one SQL class per dialect pair).</summary>
public interface IEngineRepository : IContextRepository, IAnswerRepository, IPromptVersionRepository;
