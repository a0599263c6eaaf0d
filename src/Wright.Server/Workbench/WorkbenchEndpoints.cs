using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Wright.Core.Errors;
using Wright.Core.Projects;
using Wright.Core.Workbench;
using Wright.Server.Accounts;

namespace Wright.Server.Workbench;

/// <summary>The calling user's workbench state in a project: any JSON object, <c>{}</c> when none was saved.</summary>
public sealed record WorkbenchDto(JsonElement State, DateTimeOffset? UpdatedAt);

/// <summary>Body of <c>PUT /api/projects/{id}/workbench</c>.</summary>
public sealed record SaveWorkbenchRequest(JsonElement State);

internal static class WorkbenchEndpoints
{
    /// <summary>Room for the JSON envelope around the state.</summary>
    private const int BodyOverheadBytes = 4 * 1024;

    private static readonly JsonElement EmptyState = JsonDocument.Parse("{}").RootElement.Clone();

    /// <summary><c>/api/projects/{id}/workbench</c>: the browser's layout, per user and project.</summary>
    public static IEndpointRouteBuilder MapWorkbench(this IEndpointRouteBuilder api)
    {
        var group = api.MapGroup("/projects/{id:guid}/workbench").WithTags("Workbench");
        group.MapGet("", GetAsync)
            .WithSummary("The calling user's saved workbench state for the project ({} and no updatedAt when none).");
        group.MapPut("", SaveAsync)
            .Accepts<SaveWorkbenchRequest>("application/json")
            .WithSummary("Saves {state} (a JSON object of at most 64 KiB) for the calling user and project; 413 workbench_state_too_large beyond.");
        return api;
    }

    private static async Task<Ok<WorkbenchDto>> GetAsync(Guid id, HttpContext http, ProjectService projects, IWorkbenchRepository workbench, CancellationToken cancellationToken)
    {
        var actor = http.Actor();
        var project = await projects.GetAsync(actor, id, cancellationToken);
        var state = await workbench.GetAsync(actor.UserId, project.Id, cancellationToken);
        return TypedResults.Ok(state is null
            ? new WorkbenchDto(EmptyState, null)
            : new WorkbenchDto(JsonDocument.Parse(state.StateJson).RootElement.Clone(), state.UpdatedAt));
    }

    private static async Task<Ok<WorkbenchDto>> SaveAsync(Guid id, HttpContext http, ProjectService projects, IWorkbenchRepository workbench, TimeProvider time, CancellationToken cancellationToken)
    {
        var actor = http.Actor();
        var project = await projects.GetAsync(actor, id, cancellationToken);

        // A state past the limit is refused while it is read, before the server holds it whole.
        var sizeLimit = http.Features.Get<IHttpMaxRequestBodySizeFeature>();
        if (sizeLimit is { IsReadOnly: false })
        {
            sizeLimit.MaxRequestBodySize = WorkbenchState.MaxBytes + BodyOverheadBytes;
        }

        SaveWorkbenchRequest? request;
        try
        {
            request = await http.Request.ReadFromJsonAsync<SaveWorkbenchRequest>(cancellationToken);
        }
        catch (JsonException ex)
        {
            throw new WrightException(ErrorKind.Invalid, ErrorCodes.ValidationFailed, $"The JSON body could not be read: {ex.Message}", inner: ex);
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            throw WorkbenchState.TooLarge();
        }

        var json = WorkbenchState.Validate(request?.State ?? default);
        var saved = new WorkbenchState(actor.UserId, project.Id, json, time.GetUtcNow());
        await workbench.SaveAsync(saved, cancellationToken);
        return TypedResults.Ok(new WorkbenchDto(JsonDocument.Parse(json).RootElement.Clone(), saved.UpdatedAt));
    }
}
