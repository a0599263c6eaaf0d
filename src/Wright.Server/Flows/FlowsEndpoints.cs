using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Wright.Core.Conversations;
using Wright.Core.Errors;
using Wright.Core.Flows;
using Wright.Server.Accounts;
using Wright.Server.Conversations;
using Wright.Server.Projects;

namespace Wright.Server.Flows;

internal static class FlowsEndpoints
{
    /// <summary>Templates under <c>/api/projects/{id}/flows</c>; runs under <c>/api/sessions/{id}/flow-runs</c> and <c>/api/flow-runs/{runId}</c>.</summary>
    public static IEndpointRouteBuilder MapFlows(this IEndpointRouteBuilder api)
    {
        var templates = api.MapGroup("/projects/{projectId:guid}").WithTags("Flows");
        templates.MapGet("/flows", ListAsync);
        templates.MapPost("/flows:validate", Validate);
        templates.MapGet("/flows/{name}", GetAsync);
        templates.MapPut("/flows/{name}", SaveAsync);
        templates.MapDelete("/flows/{name}", DeleteAsync);

        var sessions = api.MapGroup("/sessions/{sessionId:guid}").WithTags("Flows");
        sessions.MapPost("/flow-runs", StartAsync);
        sessions.MapGet("/flow-runs", ListRunsAsync);

        var runs = api.MapGroup("/flow-runs").WithTags("Flows");
        runs.MapGet("/{runId:guid}", GetRunAsync);
        runs.MapPost("/{runId:guid}/input", InputAsync);
        runs.MapPost("/{runId:guid}:cancel", CancelAsync);
        runs.MapGet("/{runId:guid}/events", EventsAsync);
        return api;
    }

    /// <summary>Registers templates, the run engine and its start-up recovery.</summary>
    public static IServiceCollection AddWrightFlows(this IServiceCollection services)
    {
        services.AddFlows();
        services.AddOptions<FlowOptions>().Configure<IConfiguration>((o, c) => c.GetSection(FlowOptions.Section).Bind(o));
        services.AddHostedService<FlowsLifecycle>();
        return services;
    }

    private static async Task<Ok<PageDto<FlowSummaryDto>>> ListAsync(Guid projectId, HttpContext http, FlowTemplates templates, CancellationToken cancellationToken)
    {
        var all = await templates.ListAsync(http.Actor(), projectId, cancellationToken);
        return TypedResults.Ok(new PageDto<FlowSummaryDto>(all.Select(t => new FlowSummaryDto(t.Name, t.Description, t.Source, t.Valid)).ToList(), null));
    }

    private static async Task<Ok<FlowTemplateDto>> GetAsync(Guid projectId, string name, HttpContext http, FlowTemplates templates, CancellationToken cancellationToken) =>
        TypedResults.Ok(FlowTemplateDto.From(await templates.GetAsync(http.Actor(), projectId, name, cancellationToken)));

    private static async Task<Ok<FlowTemplateDto>> SaveAsync(Guid projectId, string name, string? scope, FlowTemplateRequest request, HttpContext http, FlowTemplates templates, CancellationToken cancellationToken)
    {
        var userScope = scope switch
        {
            null or "project" => false,
            "user" => true,
            _ => throw WrightException.Invalid(ErrorCodes.ValidationFailed, "scope is 'project' or 'user'."),
        };
        return TypedResults.Ok(FlowTemplateDto.From(await templates.SaveAsync(http.Actor(), projectId, name, request.ToInput(), userScope, cancellationToken)));
    }

    private static async Task<NoContent> DeleteAsync(Guid projectId, string name, string? scope, HttpContext http, FlowTemplates templates, CancellationToken cancellationToken)
    {
        await templates.DeleteAsync(http.Actor(), projectId, name, scope == "user", cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<Ok<FlowValidationDto>> Validate(Guid projectId, FlowTemplateRequest request, HttpContext http, Wright.Core.Projects.ProjectService projects, CancellationToken cancellationToken)
    {
        await projects.GetAsync(http.Actor(), projectId, cancellationToken);
        var (_, problems) = FlowTemplates.Check(request.ToInput());
        return TypedResults.Ok(new FlowValidationDto(problems.Count == 0, problems));
    }

    private static async Task<Accepted<FlowRunDto>> StartAsync(Guid sessionId, StartFlowRunRequest request, HttpContext http, FlowRunner runner, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(request.Flow))
        {
            throw WrightException.Invalid(ErrorCodes.ValidationFailed, "flow names the template to run.");
        }

        var run = await runner.StartAsync(http.Actor(), sessionId, request.Flow, request.Input, cancellationToken);
        return TypedResults.Accepted($"/api/flow-runs/{run.Id}", FlowRunDto.From(run));
    }

    private static async Task<Ok<PageDto<FlowRunDto>>> ListRunsAsync(Guid sessionId, int? limit, string? cursor, HttpContext http, FlowRunner runner, CancellationToken cancellationToken)
    {
        var (items, next) = await runner.ListAsync(http.Actor(), sessionId, limit ?? 50, cursor, cancellationToken);
        return TypedResults.Ok(new PageDto<FlowRunDto>(items.Select(r => FlowRunDto.From(r)).ToList(), next));
    }

    private static async Task<Ok<FlowRunDto>> GetRunAsync(Guid runId, HttpContext http, FlowRunner runner, CancellationToken cancellationToken)
    {
        var run = await runner.GetAsync(http.Actor(), runId, cancellationToken);
        return TypedResults.Ok(FlowRunDto.From(run, await runner.CheckpointsAsync(run.Id, cancellationToken)));
    }

    private static async Task<Accepted<FlowRunDto>> InputAsync(Guid runId, FlowInputRequest request, HttpContext http, FlowRunner runner, ChatService chat, ChatLimits limits, CancellationToken cancellationToken)
    {
        var actor = http.Actor();
        var content = request.Content ?? "";
        var run = await runner.AwaitingInputAsync(actor, runId, content, cancellationToken);
        if (run.Flow == FlowTemplates.DefaultName)
        {
            // The chat's own run: its input is a chat prompt, checked, limited and answered as every
            // other one; the run moves on to its answer node as the answer's first token is out.
            var lease = await limits.AcquireAsync(actor.UserId.ToString(), cancellationToken);
            try
            {
                await chat.PostAsync(actor, run.SessionId, content, null, null, lease, cancellationToken);
            }
            catch
            {
                lease.Dispose();
                throw;
            }

            run = await runner.GetAsync(actor, run.Id, cancellationToken);
        }
        else
        {
            run = await runner.InputAsync(actor, run.Id, content, cancellationToken);
        }

        return TypedResults.Accepted($"/api/flow-runs/{run.Id}", FlowRunDto.From(run));
    }

    private static async Task<Ok<FlowRunDto>> CancelAsync(Guid runId, HttpContext http, FlowRunner runner, CancellationToken cancellationToken) =>
        TypedResults.Ok(FlowRunDto.From(await runner.CancelAsync(http.Actor(), runId, cancellationToken)));

    private static async Task<FlowEventsResult> EventsAsync(
        Guid runId,
        [FromQuery(Name = "lastEventId")] string? lastEventIdQuery,
        [FromHeader(Name = "Last-Event-ID")] string? lastEventIdHeader,
        HttpContext http,
        FlowRunner runner,
        CancellationToken cancellationToken)
    {
        var run = await runner.GetAsync(http.Actor(), runId, cancellationToken);
        var after = long.TryParse((lastEventIdHeader ?? lastEventIdQuery)?.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) ? parsed : 0;
        return new FlowEventsResult(run.Id, after);
    }
}

/// <summary>At start-up resumes the runs a stop or crash left running; at shutdown stops driving (runs stay at their checkpoints).</summary>
internal sealed class FlowsLifecycle(FlowRunner runner, IHostApplicationLifetime lifetime, Microsoft.Extensions.Options.IOptions<Wright.Core.Cluster.ClusterOptions> cluster) : IHostedService
{
    private readonly CancellationTokenSource _stop = new();
    private CancellationTokenRegistration _stopping;
    private Task _sweeping = Task.CompletedTask;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await runner.RecoverAsync(cancellationToken).ConfigureAwait(false);
        _sweeping = runner.SweepAsync(cluster.Value.AnswerLease, _stop.Token);
        _stopping = lifetime.ApplicationStopping.Register(() => _ = runner.StopAllAsync(CancellationToken.None));
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _sweeping.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await _stopping.DisposeAsync().ConfigureAwait(false);
        await runner.StopAllAsync(cancellationToken).ConfigureAwait(false);
        _stop.Dispose();
    }
}
