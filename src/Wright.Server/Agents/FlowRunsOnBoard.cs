using Microsoft.AspNetCore.Http.HttpResults;
using Wright.Core.Flows;
using Wright.Server.Accounts;

namespace Wright.Server.Agents;

/// <summary>An active run on the board: its session and project, template, node, state and since when it has been in that state.</summary>
public sealed record ActiveFlowRunDto(
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
    DateTimeOffset StartedAt)
{
    public static ActiveFlowRunDto From(ActiveFlowRun r) =>
        new(r.Id, r.SessionId, r.SessionTitle, r.ProjectId, r.ProjectName, r.Flow, r.State, r.NodeId, r.PausedPrompt, r.Since, r.StartedAt);
}

/// <summary>
/// <c>GET /api/flow-runs?state=running,paused</c>: the runs the agent board shows beside the
/// agents — running, or paused at a user input, in the projects the caller can see (the chat's
/// own default flow idle at its input is left out). The board keeps the list live from the
/// project feed's <c>flow.run</c> events.
/// </summary>
internal static class FlowRunsOnBoard
{
    public static IServiceCollection AddFlowRunsOnBoard(this IServiceCollection services)
    {
        services.AddSingleton<ActiveFlowRuns>();
        return services;
    }

    public static IEndpointRouteBuilder MapFlowRunsOnBoard(this IEndpointRouteBuilder api)
    {
        api.MapGet("/flow-runs", ListAsync)
            .WithTags("Flows")
            .WithSummary("Active flow runs (state=running,paused; both by default) of the projects the caller can see, longest in their state first, up to limit (default 100, at most 500): session, project, template, node and since when. The chat's default flow waiting at its input is not listed.");
        return api;
    }

    private static async Task<Ok<IReadOnlyList<ActiveFlowRunDto>>> ListAsync(string? state, int? limit, HttpContext http, ActiveFlowRuns runs, CancellationToken cancellationToken)
    {
        var items = await runs.ListAsync(http.Actor(), state, limit, cancellationToken);
        return TypedResults.Ok<IReadOnlyList<ActiveFlowRunDto>>(items.Select(ActiveFlowRunDto.From).ToList());
    }
}
