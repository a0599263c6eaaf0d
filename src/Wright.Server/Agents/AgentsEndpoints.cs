using System.Buffers;
using System.IO.Pipelines;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Wright.Core.Agents;
using Wright.Core.Errors;
using Wright.Core.Paging;
using Wright.Server.Accounts;
using Wright.Server.Projects;

namespace Wright.Server.Agents;

internal static partial class AgentsEndpoints
{
    /// <summary>The header that carries WRIGHT_SESSION_ID from a hook (HTTP hooks interpolate it from the environment).</summary>
    public const string SessionHeader = "X-Wright-Session-Id";

    /// <summary>
    /// <c>POST /api/hooks/{event}</c> (hooks scope): Claude Code's hooks; <c>/api/agents…</c>: the
    /// board's reads, <c>wright start</c>'s registration and end (hooks scope) and the live feed.
    /// </summary>
    public static IEndpointRouteBuilder MapAgents(this IEndpointRouteBuilder api)
    {
        api.MapPost("/hooks/{event}", IngestHookAsync)
            .AcceptsScope("hooks")
            .WithTags("Agents")
            .WithSummary("Takes one Claude Code hook payload (every hook event; unknown fields ignored). Answers 204 with an empty body, which no hook reads as a decision.");

        var agents = api.MapGroup("/agents").WithTags("Agents");
        agents.MapPost("", RegisterAsync).AcceptsScope("hooks").WithSummary("Registers an agent `wright start` is launching.");
        agents.MapPost("/sessions/{sessionUuid:guid}/end", EndAsync).AcceptsScope("hooks").WithSummary("Ends the agent `wright start` launched.");
        agents.MapGet("", ListAsync).WithSummary("The user's agents, newest first, with derived state, project, current task, tokens and cost; filter by state and projectId.");
        agents.MapGet("/{id:guid}", GetAsync).WithSummary("One agent with its tasks, turns and newest events.");
        agents.MapGet("/{id:guid}/commits", AgentCommits.GetAsync).WithSummary("The commits made during each task of an agent (its directory's history between the task's start and end), with their files and diffstat.");
        agents.MapGet("/usage", UsageAsync).WithSummary("Tokens and cost summed per day (by=day) or per project (by=project).");
        agents.MapGet("/events", (long? lastEventId, [FromHeader(Name = "Last-Event-ID")] string? header, HttpContext http) =>
            new AgentEventStreamResult(http.Actor().UserId, ParsePosition(header) ?? lastEventId)).WithSummary("The board's live feed (agent.started, agent.state, agent.turn, agent.usage, agent.ended) as Server-Sent Events.");
        api.MapFlowRunsOnBoard();
        return api;
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> IngestHookAsync(string @event, HttpContext http, AgentMonitor monitor, CancellationToken cancellationToken)
    {
        if (!EventName().IsMatch(@event))
        {
            return Problem(ErrorCodes.HookPayloadInvalid, "The hook event name must be letters only, as Claude Code names them (PreToolUse, Stop, …).");
        }

        var body = await ReadBodyAsync(http.Request.BodyReader, cancellationToken).ConfigureAwait(false);
        var hook = HookPayload.Parse(@event, body, http.Request.Headers[SessionHeader].ToString(), out var problem);
        if (hook is null)
        {
            return Problem(ErrorCodes.HookPayloadInvalid, problem!);
        }

        await monitor.IngestAsync(http.Actor().UserId, hook, cancellationToken).ConfigureAwait(false);
        return TypedResults.NoContent();
    }

    private static async Task<Created<AgentDto>> RegisterAsync(RegisterAgentRequest request, HttpContext http, AgentMonitor monitor, IAgentRepository agents, CancellationToken cancellationToken)
    {
        var owner = http.Actor().UserId;
        var agent = await monitor.RegisterAsync(owner, new AgentRegistration(request.SessionUuid, request.ProjectPath, request.ProjectName, request.Branch, request.Remote, request.TerminalPane, request.Name, null), cancellationToken).ConfigureAwait(false);
        var summary = await agents.GetSummaryAsync(owner, agent.Id, cancellationToken).ConfigureAwait(false);
        return TypedResults.Created($"/api/agents/{agent.Id}", AgentDto.From(summary!, monitor.StateOf(summary!)));
    }

    private static async Task<NoContent> EndAsync(Guid sessionUuid, EndAgentRequest? request, HttpContext http, AgentMonitor monitor, CancellationToken cancellationToken)
    {
        if (!await monitor.EndAsync(http.Actor().UserId, sessionUuid, request?.ExitCode, cancellationToken).ConfigureAwait(false))
        {
            throw WrightException.NotFound(ErrorCodes.AgentNotFound, $"No agent was registered with session {sessionUuid}.");
        }

        return TypedResults.NoContent();
    }

    private static async Task<Ok<PageDto<AgentDto>>> ListAsync(string? state, Guid? projectId, int? limit, string? cursor, HttpContext http, IAgentRepository agents, AgentMonitor monitor, CancellationToken cancellationToken)
    {
        AgentTaskState? filter = null;
        if (state is not null)
        {
            filter = Enum.TryParse<AgentTaskState>(state, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed)
                ? parsed
                : throw WrightException.Invalid(ErrorCodes.ValidationFailed, "state must be idle, commanded, processing, awaitingInput or complete.");
        }

        var page = await agents.ListAsync(http.Actor().UserId, filter, projectId, PageRequest.From(limit, cursor), cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(new PageDto<AgentDto>(page.Items.Select(s => AgentDto.From(s, monitor.StateOf(s))).ToList(), page.NextCursor));
    }

    private static async Task<Ok<AgentDetailDto>> GetAsync(Guid id, HttpContext http, IAgentRepository agents, AgentMonitor monitor, CancellationToken cancellationToken)
    {
        // Another user's agent is not found, as another user's project is.
        var summary = await agents.GetSummaryAsync(http.Actor().UserId, id, cancellationToken).ConfigureAwait(false)
            ?? throw WrightException.NotFound(ErrorCodes.AgentNotFound, $"Agent {id} does not exist.");
        var tasks = await agents.ListTasksAsync(id, cancellationToken).ConfigureAwait(false);
        var turns = await agents.ListTurnsAsync(id, cancellationToken).ConfigureAwait(false);
        var events = await agents.ListEventsAsync(id, 500, cancellationToken).ConfigureAwait(false);
        var usage = await agents.ListUsageAsync(id, cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(new AgentDetailDto(
            AgentDto.From(summary, monitor.StateOf(summary)),
            tasks.Select(t => AgentTaskDto.From(t, AgentUsageDto.Sum(usage.Where(u => u.TaskId == t.Id)))).ToList(),
            turns.Select(t => AgentTurnDto.From(t, AgentUsageDto.Sum(usage.Where(u => u.TurnId == t.Id)))).ToList(),
            events.Select(e => new AgentEventDto(e.Id, e.Type, e.TaskId, e.TurnId, e.At, ParsePayload(e.Payload))).ToList()));
    }

    private static async Task<Ok<IReadOnlyList<UsageBucketDto>>> UsageAsync(string? by, HttpContext http, IAgentRepository agents, CancellationToken cancellationToken)
    {
        var grouping = by switch
        {
            null or "day" => UsageGrouping.Day,
            "project" => UsageGrouping.Project,
            _ => throw WrightException.Invalid(ErrorCodes.ValidationFailed, "by must be day or project."),
        };
        var buckets = await agents.UsageByAsync(http.Actor().UserId, grouping, cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok<IReadOnlyList<UsageBucketDto>>(buckets.Select(b => new UsageBucketDto(b.Key, AgentUsageDto.From(b.Usage))).ToList());
    }

    private static ProblemHttpResult Problem(string code, string detail) =>
        TypedResults.Problem(detail: detail, statusCode: StatusCodes.Status400BadRequest, extensions: new Dictionary<string, object?> { ["code"] = code });

    private static async Task<byte[]> ReadBodyAsync(PipeReader reader, CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            if (result.IsCompleted)
            {
                var bytes = result.Buffer.ToArray();
                reader.AdvanceTo(result.Buffer.End);
                return bytes;
            }

            reader.AdvanceTo(result.Buffer.Start, result.Buffer.End);
        }
    }

    private static JsonElement ParsePayload(string payload)
    {
        using var document = JsonDocument.Parse(payload);
        return document.RootElement.Clone();
    }

    private static long? ParsePosition(string? value) =>
        long.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var position) ? position : null;

    [GeneratedRegex("^[A-Za-z]{1,64}$")]
    private static partial Regex EventName();
}
