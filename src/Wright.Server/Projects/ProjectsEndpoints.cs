using Microsoft.AspNetCore.Http.HttpResults;
using Wright.Core.Errors;
using Wright.Core.Paging;
using Wright.Core.Projects;

namespace Wright.Server.Projects;

internal static class ProjectsEndpoints
{
    /// <summary>
    /// Projects under <c>/api/projects</c>. Actions that are not plain reads or writes of the
    /// resource are custom methods after a colon (<c>/projects:open</c>, <c>/projects/{id}:archive</c>).
    /// </summary>
    public static IEndpointRouteBuilder MapProjects(this IEndpointRouteBuilder api)
    {
        // One group (empty prefix) so that /projects and /projects:open share its conventions.
        var group = api.MapGroup("").WithTags("Projects");
        group.MapPost("/projects", CreateAsync);
        group.MapPost("/projects:open", OpenAsync);
        group.MapPost("/projects:clone", CloneAsync);
        group.MapGet("/projects", ListAsync);
        group.MapGet("/projects/{id:guid}", GetAsync);
        group.MapPatch("/projects/{id:guid}", UpdateAsync);
        group.MapPost("/projects/{id:guid}:archive", ArchiveAsync);
        group.MapPost("/projects/{id:guid}:unarchive", UnarchiveAsync);
        group.MapDelete("/projects/{id:guid}", DeleteAsync);
        group.MapGet("/projects/{id:guid}/export", ExportAsync);
        return api;
    }

    private static async Task<Created<ProjectDto>> CreateAsync(CreateProjectRequest request, ProjectService projects, CancellationToken cancellationToken)
    {
        var project = await projects.CreateAsync(request.Name, request.Path, cancellationToken);
        return TypedResults.Created($"/api/projects/{project.Id}", ProjectDto.From(project));
    }

    private static async Task<Created<ProjectDto>> OpenAsync(OpenProjectRequest request, ProjectService projects, CancellationToken cancellationToken)
    {
        var project = await projects.OpenAsync(request.Path, request.Name, request.InitGit ?? false, cancellationToken);
        return TypedResults.Created($"/api/projects/{project.Id}", ProjectDto.From(project));
    }

    private static async Task<Created<ProjectDto>> CloneAsync(CloneProjectRequest request, ProjectService projects, CancellationToken cancellationToken)
    {
        var project = await projects.CloneAsync(request.Url, request.Path, request.Name, cancellationToken);
        return TypedResults.Created($"/api/projects/{project.Id}", ProjectDto.From(project));
    }

    private static async Task<Ok<PageDto<ProjectDto>>> ListAsync(ProjectService projects, int? limit, string? cursor, bool? includeArchived, CancellationToken cancellationToken)
    {
        var page = await projects.ListAsync(PageRequest.From(limit, cursor), includeArchived ?? false, cancellationToken);
        return TypedResults.Ok(new PageDto<ProjectDto>(page.Items.Select(ProjectDto.From).ToList(), page.NextCursor));
    }

    private static async Task<Ok<ProjectDto>> GetAsync(Guid id, ProjectService projects, CancellationToken cancellationToken) =>
        TypedResults.Ok(ProjectDto.From(await projects.GetAsync(id, cancellationToken)));

    private static async Task<Ok<ProjectDto>> UpdateAsync(Guid id, UpdateProjectRequest request, ProjectService projects, CancellationToken cancellationToken) =>
        TypedResults.Ok(ProjectDto.From(await projects.UpdateAsync(id, request.Name, request.Archived, cancellationToken)));

    private static async Task<Ok<ProjectDto>> ArchiveAsync(Guid id, ProjectService projects, CancellationToken cancellationToken) =>
        TypedResults.Ok(ProjectDto.From(await projects.UpdateAsync(id, name: null, archived: true, cancellationToken)));

    private static async Task<Ok<ProjectDto>> UnarchiveAsync(Guid id, ProjectService projects, CancellationToken cancellationToken) =>
        TypedResults.Ok(ProjectDto.From(await projects.UpdateAsync(id, name: null, archived: false, cancellationToken)));

    /// <summary>Unregisters the project; its directory is removed only with <c>deleteFiles=true</c>.</summary>
    private static async Task<NoContent> DeleteAsync(Guid id, bool? deleteFiles, ProjectService projects, CancellationToken cancellationToken)
    {
        await projects.DeleteAsync(id, deleteFiles ?? false, cancellationToken);
        return TypedResults.NoContent();
    }

    /// <summary>
    /// Streams the project as <c>format=zip</c> (the working tree without .git and ignored files)
    /// or <c>format=bundle</c> (a git bundle of branches, tags and HEAD). Everything that can fail
    /// is checked before the first byte; a failure while streaming aborts the response so a
    /// client never mistakes a cut download for a whole one.
    /// </summary>
    private static async Task<PushStreamHttpResult> ExportAsync(Guid id, string? format, ProjectService projects, CancellationToken cancellationToken)
    {
        var project = await projects.GetAsync(id, cancellationToken);
        if (!Directory.Exists(project.RootPath))
        {
            throw WrightException.Conflict(ErrorCodes.ProjectPathMissing, $"The directory '{project.RootPath}' no longer exists; restore it or delete the project.");
        }

        var name = ProjectService.FileNameOf(project);
        switch (format ?? "zip")
        {
            case "zip":
                return TypedResults.Stream(body => projects.WriteZipAsync(project, body, cancellationToken), "application/zip", name + ".zip");
            case "bundle":
                await projects.EnsureBundleableAsync(project, cancellationToken);
                return TypedResults.Stream(body => projects.WriteBundleAsync(project, body, cancellationToken), "application/x-git-bundle", name + ".bundle");
            default:
                throw WrightException.Invalid(ErrorCodes.ValidationFailed, "format is 'zip' or 'bundle'.");
        }
    }
}
