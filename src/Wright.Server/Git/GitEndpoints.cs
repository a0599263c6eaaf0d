using System.Buffers.Text;
using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using Wright.Core.Errors;
using Wright.Core.Git;
using Wright.Core.Paging;
using Wright.Core.Projects;
using Wright.Server.Projects;

using Wright.Server.Accounts;

namespace Wright.Server.Git;

internal static class GitEndpoints
{
    /// <summary>Git of a project under <c>/api/projects/{id}/git</c>: status, log, commits, branches, checkout, safety points.</summary>
    public static IEndpointRouteBuilder MapGit(this IEndpointRouteBuilder api)
    {
        var group = api.MapGroup("/projects/{id:guid}/git").WithTags("Git");
        group.MapGet("/status", GetStatusAsync);
        group.MapGet("/log", GetLogAsync);
        group.MapGet("/commits/{**revision}", GetCommitAsync);
        group.MapPost("/commits", CreateCommitAsync);
        group.MapGet("/branches", ListBranchesAsync);
        group.MapPost("/branches", CreateBranchAsync);
        group.MapPost("/checkout", CheckoutAsync);
        group.MapPost("/safety-points", CreateSafetyPointAsync);
        group.MapPost("/safety-points/{pointId}:reset", ResetToSafetyPointAsync);
        group.MapDelete("/safety-points/{pointId}", DeleteSafetyPointAsync);
        return api;
    }

    private static async Task<Ok<GitStatusDto>> GetStatusAsync(Guid id, HttpContext http, ProjectService projects, GitService git, CancellationToken cancellationToken)
    {
        var project = await projects.GetAsync(http.Actor(), id, cancellationToken);
        return TypedResults.Ok(GitStatusDto.From(await git.GetStatusAsync(project.RootPath, cancellationToken)));
    }

    /// <summary>History newest first from <c>ref</c> (HEAD by default), paged; the cursor keeps the starting tip.</summary>
    private static async Task<Ok<PageDto<GitCommitDto>>> GetLogAsync(
        Guid id,
        int? limit,
        string? cursor,
        [Microsoft.AspNetCore.Mvc.FromQuery(Name = "ref")] string? revision,
        HttpContext http,
        ProjectService projects,
        GitService git,
        CancellationToken cancellationToken)
    {
        var page = PageRequest.From(limit, cursor);
        var project = await projects.GetAsync(http.Actor(), id, cancellationToken);
        var log = await git.GetLogAsync(project.RootPath, page, revision, cancellationToken);
        return TypedResults.Ok(new PageDto<GitCommitDto>(log.Commits.Select(GitCommitDto.From).ToList(), log.NextCursor));
    }

    /// <summary>One commit with its diff, capped at <c>maxPatchChars</c> (default 2 MiB of text).</summary>
    private static async Task<Ok<GitCommitDiffDto>> GetCommitAsync(Guid id, string revision, int? maxPatchChars, HttpContext http, ProjectService projects, GitService git, CancellationToken cancellationToken)
    {
        var cap = maxPatchChars ?? GitService.DefaultMaxPatchChars;
        if (cap is < 1 or > 16 * 1024 * 1024)
        {
            throw WrightException.Invalid(ErrorCodes.ValidationFailed, "maxPatchChars is between 1 and 16777216.");
        }

        var project = await projects.GetAsync(http.Actor(), id, cancellationToken);
        return TypedResults.Ok(GitCommitDiffDto.From(await git.GetCommitDiffAsync(project.RootPath, revision, cap, cancellationToken)));
    }

    private static async Task<Created<GitCommitDto>> CreateCommitAsync(Guid id, CreateCommitRequest request, HttpContext http, ProjectService projects, GitService git, CancellationToken cancellationToken)
    {
        var project = await projects.GetWritableAsync(http.Actor(), id, cancellationToken);
        var commit = await git.CommitAsync(project.RootPath, request.Message, request.Paths, request.Trailers?.ToList(), cancellationToken);
        return TypedResults.Created($"/api/projects/{id}/git/commits/{commit.Sha}", GitCommitDto.From(commit));
    }

    /// <summary>Local branches in name order, paged by name.</summary>
    private static async Task<Ok<PageDto<GitBranchDto>>> ListBranchesAsync(Guid id, int? limit, string? cursor, HttpContext http, ProjectService projects, GitService git, CancellationToken cancellationToken)
    {
        var page = PageRequest.From(limit, cursor);
        var after = page.Cursor is null ? null : DecodeNameCursor(page.Cursor);
        var project = await projects.GetAsync(http.Actor(), id, cancellationToken);
        var branches = (await git.ListBranchesAsync(project.RootPath, cancellationToken))
            .Where(b => after is null || string.CompareOrdinal(b.Name, after) > 0)
            .Take(page.Limit + 1)
            .ToList();
        string? next = null;
        if (branches.Count > page.Limit)
        {
            branches.RemoveAt(page.Limit);
            next = Base64Url.EncodeToString(Encoding.UTF8.GetBytes(branches[^1].Name));
        }

        return TypedResults.Ok(new PageDto<GitBranchDto>(branches.Select(GitBranchDto.From).ToList(), next));
    }

    private static async Task<Created<GitBranchDto>> CreateBranchAsync(Guid id, CreateBranchRequest request, HttpContext http, ProjectService projects, GitService git, CancellationToken cancellationToken)
    {
        var project = await projects.GetWritableAsync(http.Actor(), id, cancellationToken);
        var branch = await git.CreateBranchAsync(project.RootPath, request.Name, request.StartPoint, request.Switch ?? false, cancellationToken);
        return TypedResults.Created($"/api/projects/{id}/git/branches", GitBranchDto.From(branch));
    }

    /// <summary>Switches to a local branch; 409 <c>uncommitted_changes</c> when that would overwrite uncommitted work.</summary>
    private static async Task<Ok<GitStatusDto>> CheckoutAsync(Guid id, CheckoutRequest request, HttpContext http, ProjectService projects, GitService git, CancellationToken cancellationToken)
    {
        var project = await projects.GetWritableAsync(http.Actor(), id, cancellationToken);
        return TypedResults.Ok(GitStatusDto.From(await git.SwitchBranchAsync(project.RootPath, request.Branch, cancellationToken)));
    }

    private static async Task<Created<SafetyPointDto>> CreateSafetyPointAsync(Guid id, HttpContext http, ProjectService projects, GitService git, CancellationToken cancellationToken)
    {
        var project = await projects.GetWritableAsync(http.Actor(), id, cancellationToken);
        var point = await git.CreateSafetyPointAsync(project.RootPath, cancellationToken);
        return TypedResults.Created($"/api/projects/{id}/git/safety-points/{point.Id}", SafetyPointDto.From(point));
    }

    /// <summary>Returns the working tree, index and branch to the safety point; returns the status after.</summary>
    private static async Task<Ok<GitStatusDto>> ResetToSafetyPointAsync(Guid id, string pointId, HttpContext http, ProjectService projects, GitService git, CancellationToken cancellationToken)
    {
        var project = await projects.GetWritableAsync(http.Actor(), id, cancellationToken);
        return TypedResults.Ok(GitStatusDto.From(await git.ResetToSafetyPointAsync(project.RootPath, pointId, cancellationToken)));
    }

    private static async Task<NoContent> DeleteSafetyPointAsync(Guid id, string pointId, HttpContext http, ProjectService projects, GitService git, CancellationToken cancellationToken)
    {
        var project = await projects.GetAsync(http.Actor(), id, cancellationToken);
        if (!await git.DeleteSafetyPointAsync(project.RootPath, pointId, cancellationToken))
        {
            throw WrightException.NotFound(ErrorCodes.SafetyPointNotFound, $"There is no safety point '{pointId}' in this project.");
        }

        return TypedResults.NoContent();
    }

    private static string DecodeNameCursor(string cursor)
    {
        try
        {
            return Encoding.UTF8.GetString(Base64Url.DecodeFromChars(cursor));
        }
        catch (FormatException)
        {
            throw WrightException.Invalid(ErrorCodes.InvalidCursor, "The cursor is not one this endpoint returned; start again without a cursor.");
        }
    }
}
