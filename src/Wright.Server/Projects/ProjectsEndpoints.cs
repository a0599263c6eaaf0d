using Microsoft.AspNetCore.Http.HttpResults;
using Wright.Core.Errors;
using Wright.Core.Paging;
using Wright.Core.Projects;

using Wright.Server.Accounts;

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
        group.MapPost("/projects:scaffold", ProjectScaffoldEndpoint.ScaffoldAsync)
            .WithSummary("Creates a project and starts a session whose first answer scaffolds it from the description (the SCAFFOLD action, then edits); follow the answer's stream.");
        group.MapClones();
        group.MapGet("/projects", ListAsync);
        group.MapGet("/projects/{id:guid}", GetAsync);
        group.MapPatch("/projects/{id:guid}", UpdateAsync);
        group.MapPost("/projects/{id:guid}:archive", ArchiveAsync);
        group.MapPost("/projects/{id:guid}:unarchive", UnarchiveAsync);
        group.MapDelete("/projects/{id:guid}", DeleteAsync);
        group.MapGet("/projects/{id:guid}/export", ExportAsync);
        group.MapGet("/projects/{id:guid}/members", ListMembersAsync);
        group.MapPost("/projects/{id:guid}/members", AddMemberAsync).WithSummary("Lets another user {userName} use the project; owner only.");
        group.MapDelete("/projects/{id:guid}/members/{userId:guid}", RemoveMemberAsync).WithSummary("Removes a member; the owner removes anyone, members may leave.");
        return api;
    }

    private static async Task<Created<ProjectDto>> CreateAsync(CreateProjectRequest request, HttpContext http, ProjectService projects, CancellationToken cancellationToken)
    {
        var project = await projects.CreateAsync(http.Actor(), request.Name, request.Path, cancellationToken);
        return TypedResults.Created($"/api/projects/{project.Id}", ProjectDto.From(project));
    }

    private static async Task<Created<ProjectDto>> OpenAsync(OpenProjectRequest request, HttpContext http, ProjectService projects, CancellationToken cancellationToken)
    {
        var project = await projects.OpenAsync(http.Actor(), request.Path, request.Name, request.InitGit ?? false, cancellationToken);
        return TypedResults.Created($"/api/projects/{project.Id}", ProjectDto.From(project));
    }

    private static async Task<Created<ProjectDto>> CloneAsync(CloneProjectRequest request, HttpContext http, ProjectService projects, CancellationToken cancellationToken)
    {
        var project = await projects.CloneAsync(http.Actor(), request.Url, request.Path, request.Name, cancellationToken);
        return TypedResults.Created($"/api/projects/{project.Id}", ProjectDto.From(project));
    }

    private static async Task<Ok<PageDto<ProjectDto>>> ListAsync(HttpContext http, ProjectService projects, int? limit, string? cursor, bool? includeArchived, CancellationToken cancellationToken)
    {
        var page = await projects.ListAsync(http.Actor(), PageRequest.From(limit, cursor), includeArchived ?? false, cancellationToken);
        return TypedResults.Ok(new PageDto<ProjectDto>(page.Items.Select(ProjectDto.From).ToList(), page.NextCursor));
    }

    private static async Task<Ok<ProjectDto>> GetAsync(Guid id, HttpContext http, ProjectService projects, CancellationToken cancellationToken) =>
        TypedResults.Ok(ProjectDto.From(await projects.GetAsync(http.Actor(), id, cancellationToken)));

    private static async Task<Ok<ProjectDto>> UpdateAsync(Guid id, UpdateProjectRequest request, HttpContext http, ProjectService projects, CancellationToken cancellationToken) =>
        TypedResults.Ok(ProjectDto.From(await projects.UpdateAsync(http.Actor(), id, request.Name, request.Archived, cancellationToken)));

    private static async Task<Ok<ProjectDto>> ArchiveAsync(Guid id, HttpContext http, ProjectService projects, CancellationToken cancellationToken) =>
        TypedResults.Ok(ProjectDto.From(await projects.UpdateAsync(http.Actor(), id, name: null, archived: true, cancellationToken)));

    private static async Task<Ok<ProjectDto>> UnarchiveAsync(Guid id, HttpContext http, ProjectService projects, CancellationToken cancellationToken) =>
        TypedResults.Ok(ProjectDto.From(await projects.UpdateAsync(http.Actor(), id, name: null, archived: false, cancellationToken)));

    /// <summary>Unregisters the project; its directory is removed only with <c>deleteFiles=true</c>.</summary>
    private static async Task<NoContent> DeleteAsync(Guid id, bool? deleteFiles, HttpContext http, ProjectService projects, CancellationToken cancellationToken)
    {
        await projects.DeleteAsync(http.Actor(), id, deleteFiles ?? false, cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<Ok<IReadOnlyList<ProjectMemberDto>>> ListMembersAsync(Guid id, HttpContext http, ProjectService projects, CancellationToken cancellationToken)
    {
        var members = await projects.ListMembersAsync(http.Actor(), id, cancellationToken);
        return TypedResults.Ok<IReadOnlyList<ProjectMemberDto>>(members.Select(ProjectMemberDto.From).ToList());
    }

    private static async Task<Created<ProjectMemberDto>> AddMemberAsync(Guid id, AddMemberRequest request, HttpContext http, ProjectService projects, CancellationToken cancellationToken)
    {
        var member = await projects.AddMemberAsync(http.Actor(), id, request.UserName, cancellationToken);
        return TypedResults.Created($"/api/projects/{id}/members/{member.UserId}", ProjectMemberDto.From(member));
    }

    private static async Task<NoContent> RemoveMemberAsync(Guid id, Guid userId, HttpContext http, ProjectService projects, CancellationToken cancellationToken)
    {
        await projects.RemoveMemberAsync(http.Actor(), id, userId, cancellationToken);
        return TypedResults.NoContent();
    }

    /// <summary>
    /// Streams the project as <c>format=zip</c> (the working tree without .git and ignored files)
    /// or <c>format=bundle</c> (a git bundle of branches, tags and HEAD). Everything that can fail
    /// is checked before the first byte; a failure while streaming aborts the response so a
    /// client never mistakes a cut download for a whole one.
    /// </summary>
    private static async Task<PushStreamHttpResult> ExportAsync(Guid id, string? format, HttpContext http, ProjectService projects, CancellationToken cancellationToken)
    {
        var project = await projects.GetAsync(http.Actor(), id, cancellationToken);
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
