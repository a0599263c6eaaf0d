using Wright.Core.Actions;
using Wright.Core.Context;

namespace Wright.Core.Engine;

/// <summary>Why an answer stopped; stored with its record and sent as <c>answer.stopped</c>. Never rename one.</summary>
public static class StopReasons
{
    /// <summary>The model finished (an answer without tool calls).</summary>
    public const string Completed = "completed";

    /// <summary>The answer reached the step limit (<c>Engine:MaxSteps</c>).</summary>
    public const string MaxSteps = "max_steps";

    /// <summary>The answer's provider calls reached the cost budget (<c>Engine:MaxCostPerAnswer</c>).</summary>
    public const string CostBudget = "cost_budget";

    /// <summary>The model repeated the same failing call, or kept hitting the same error.</summary>
    public const string Stuck = "stuck";

    /// <summary>The user stopped the answer, or every client left.</summary>
    public const string Cancelled = "cancelled";

    /// <summary>The provider failed; the message carries the error.</summary>
    public const string ProviderError = "provider_error";

    /// <summary>The answer's file changes could not be applied; the workspace is back at the safety point.</summary>
    public const string ActionFailed = "action_failed";
}

/// <summary>The Context stored for one prompt (a user message).</summary>
public sealed record StoredContext(Guid SessionId, Guid MessageId, ContextRecord Record);

/// <summary>Where a prompt template applies.</summary>
public static class PromptScopes
{
    /// <summary>The user's own prompt for every project (scope key: the user id).</summary>
    public const string User = "user";

    /// <summary>A project's prompt when it has no <c>.wright/prompt.md</c> (scope key: the project id).</summary>
    public const string Project = "project";

    /// <summary>One session's prompt (scope key: the session id).</summary>
    public const string Session = "session";

    public static bool IsKnown(string scope) => scope is User or Project or Session;
}

/// <summary>One saved version of a prompt template; every edit is a new version, so any two can be diffed.</summary>
public sealed record PromptVersion(Guid Id, string Scope, string ScopeKey, int Version, string Content, Guid? AuthorId, DateTimeOffset CreatedAt);
