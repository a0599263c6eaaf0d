using Microsoft.AspNetCore.Http.HttpResults;
using Wright.Core.Paging;
using Wright.Core.Projects;

namespace Wright.Server.Projects;

internal static class ProjectsEndpoints
{
    public static IEndpointRouteBuilder MapProjects(this IEndpointRouteBuilder api)
    {
        var group = api.MapGroup("/projects").WithTags("Projects");
        group.MapPost("/", CreateAsync);
        group.MapGet("/", ListAsync);
        group.MapGet("/{id:guid}", GetAsync);
        return api;
    }

    private static async Task<Created<ProjectDto>> CreateAsync(CreateProjectRequest request, ProjectService projects, CancellationToken cancellationToken)
    {
        var project = await projects.CreateAsync(request.Name, request.Path, cancellationToken);
        return TypedResults.Created($"/api/projects/{project.Id}", ProjectDto.From(project));
    }

    private static async Task<Ok<PageDto<ProjectDto>>> ListAsync(ProjectService projects, int? limit, string? cursor, bool? includeArchived, CancellationToken cancellationToken)
    {
        var page = await projects.ListAsync(PageRequest.From(limit, cursor), includeArchived ?? false, cancellationToken);
        return TypedResults.Ok(new PageDto<ProjectDto>(page.Items.Select(ProjectDto.From).ToList(), page.NextCursor));
    }

    private static async Task<Ok<ProjectDto>> GetAsync(Guid id, ProjectService projects, CancellationToken cancellationToken) =>
        TypedResults.Ok(ProjectDto.From(await projects.GetAsync(id, cancellationToken)));
}
