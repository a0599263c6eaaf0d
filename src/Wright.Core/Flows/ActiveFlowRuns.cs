using Wright.Core.Accounts;
using Wright.Core.Errors;

namespace Wright.Core.Flows;

/// <summary>
/// A run the agent board shows: running, or paused at a <c>userInput</c> node, in a session the
/// user can see; with its session and project, the node it is at and since when it has been in
/// its state (paused since it paused; running since it entered its current node).
/// </summary>
public sealed record ActiveFlowRun(
    Guid Id,
    Guid SessionId,
    string SessionTitle,
    Guid ProjectId,
    string ProjectName,
    string Flow,
    string State,
    string? NodeId,
    string? PausedPrompt,
    DateTimeOffset Since,
    DateTimeOffset StartedAt);

/// <summary>Reads the active runs of the projects a user can see.</summary>
public interface IActiveFlowRunRepository
{
    /// <summary>
    /// Runs in one of <paramref name="states"/> of the projects <paramref name="userId"/> owns or
    /// is a member of (every project when null), the longest in their state first. The chat's own
    /// <c>default</c> flow waiting at its input is the chat being idle, not a run to show, and is left out.
    /// </summary>
    Task<IReadOnlyList<ActiveFlowRun>> ListActiveAsync(Guid? userId, IReadOnlyList<string> states, int limit, CancellationToken cancellationToken);
}

/// <summary>The board's list of active runs, scoped to what the actor may see.</summary>
public sealed class ActiveFlowRuns(IActiveFlowRunRepository repository)
{
    public const int MaxLimit = 500;

    /// <summary>Runs in <paramref name="states"/> (comma-separated <c>running</c>, <c>paused</c>; both when empty) the actor may see.</summary>
    public Task<IReadOnlyList<ActiveFlowRun>> ListAsync(Actor actor, string? states, int? limit, CancellationToken cancellationToken)
    {
        var wanted = (states ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct(StringComparer.Ordinal).ToList();
        if (wanted.Count == 0)
        {
            wanted = [FlowRunStates.Running, FlowRunStates.Paused];
        }

        if (wanted.FirstOrDefault(s => !FlowRunStates.IsActive(s)) is { } bad)
        {
            throw WrightException.Invalid(ErrorCodes.ValidationFailed, $"state is a list of 'running' and 'paused' (got '{bad}'); finished runs are listed per session.");
        }

        if (limit is < 1 or > MaxLimit)
        {
            throw WrightException.Invalid(ErrorCodes.ValidationFailed, $"limit is between 1 and {MaxLimit}.");
        }

        return repository.ListActiveAsync(actor.UserId == Actor.CommandLineId ? null : actor.UserId, wanted, limit ?? 100, cancellationToken);
    }
}
