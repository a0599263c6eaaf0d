using Microsoft.AspNetCore.Http.HttpResults;
using Wright.Core.Git;
using Wright.Core.Projects;
using Wright.Server.Accounts;

namespace Wright.Server.Git;

/// <summary>A remote as the API shows it (a password in a URL is masked).</summary>
public sealed record GitRemoteDto(string Name, string FetchUrl, string PushUrl)
{
    public static GitRemoteDto From(GitRemote r) => new(r.Name, r.FetchUrl, r.PushUrl);
}

/// <summary>The remotes of a project's repository.</summary>
public sealed record GitRemoteListDto(IReadOnlyList<GitRemoteDto> Items);

/// <summary>Body of <c>POST git/remotes</c>.</summary>
public sealed record AddRemoteRequest(string? Name, string? Url);

/// <summary>Body of <c>POST git/fetch</c>; the remote defaults to the current branch's upstream remote, else origin.</summary>
public sealed record FetchRequest(string? Remote);

/// <summary>Body of <c>POST git/pull</c>; the branch defaults to the upstream's, else the current branch's name.</summary>
public sealed record PullRequest(string? Remote, string? Branch);

/// <summary>Body of <c>POST git/push</c>; the branch defaults to the current one.</summary>
public sealed record PushRequest(string? Remote, string? Branch, bool? SetUpstream);

/// <summary>Body of <c>POST git/commits/{sha}:revert-file</c>.</summary>
public sealed record RevertFileRequest(string? Path);

/// <summary>After a fetch: the current branch against its upstream (null when it has none).</summary>
public sealed record GitFetchDto(string Remote, string? Branch, string? Upstream, int? Ahead, int? Behind);

/// <summary>After a pull: <c>upToDate</c>, <c>fastForward</c>, <c>merged</c>, or <c>conflict</c> (the merge is left in progress with these paths).</summary>
public sealed record GitPullDto(GitPullOutcome Outcome, string Remote, string Branch, string Head, IReadOnlyList<string> Conflicts);

/// <summary>After a push: what was pushed where.</summary>
public sealed record GitPushDto(string Remote, string Branch, string Head);

/// <summary>The commit a file revert made.</summary>
public sealed record RevertFileDto(GitCommitDto Commit);

internal static class RemotesEndpoints
{
    /// <summary>
    /// Remotes of a project under <c>/api/projects/{id}/git</c>: list, add, delete, fetch, pull,
    /// push, abort a merge, and revert one file of a commit. Credentials come from the git
    /// configuration of the account running the server; git never prompts.
    /// </summary>
    public static IEndpointRouteBuilder MapRemotes(this IEndpointRouteBuilder api)
    {
        var group = api.MapGroup("/projects/{id:guid}/git").WithTags("Git");
        group.MapGet("/remotes", ListAsync);
        group.MapPost("/remotes", AddAsync)
            .WithSummary("Adds a remote {name, url}: https, http, ssh, git or user@host:path URLs, or a local repository where the server allows it.");
        group.MapDelete("/remotes/{**name}", DeleteAsync);
        group.MapPost("/fetch", FetchAsync);
        group.MapPost("/pull", PullAsync)
            .WithSummary("Fetches and merges the remote branch: upToDate, fastForward, merged, or conflict (the merge stays in progress; resolve and commit, or POST merge:abort).");
        group.MapPost("/merge:abort", AbortMergeAsync);
        group.MapPost("/push", PushAsync)
            .WithSummary("Pushes a branch (the current one by default) to the same name on the remote; never forced (409 push_rejected when the remote moved on).");
        group.MapPost("/commits/{sha}:revert-file", RevertFileAsync)
            .WithSummary("Commits {path} as it was before the commit (deleted if the commit created it), leaving other files alone.");
        return api;
    }

    private static async Task<Ok<GitRemoteListDto>> ListAsync(Guid id, HttpContext http, ProjectService projects, GitService git, CancellationToken cancellationToken)
    {
        var project = await projects.GetAsync(http.Actor(), id, cancellationToken);
        var remotes = await git.ListRemotesAsync(project.RootPath, cancellationToken);
        return TypedResults.Ok(new GitRemoteListDto(remotes.Select(GitRemoteDto.From).ToList()));
    }

    private static async Task<Created<GitRemoteDto>> AddAsync(Guid id, AddRemoteRequest request, HttpContext http, ProjectService projects, GitService git, RemoteUrlPolicy policy, CancellationToken cancellationToken)
    {
        var actor = http.Actor();
        var project = await projects.GetWritableAsync(actor, id, cancellationToken);
        await policy.ValidateAsync(request.Url, actor, cancellationToken);
        var remote = await git.AddRemoteAsync(project.RootPath, request.Name ?? "", request.Url!, cancellationToken);
        return TypedResults.Created($"/api/projects/{id}/git/remotes", GitRemoteDto.From(remote));
    }

    private static async Task<NoContent> DeleteAsync(Guid id, string name, HttpContext http, ProjectService projects, GitService git, CancellationToken cancellationToken)
    {
        var project = await projects.GetWritableAsync(http.Actor(), id, cancellationToken);
        await git.RemoveRemoteAsync(project.RootPath, name, cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<Ok<GitFetchDto>> FetchAsync(Guid id, FetchRequest? request, HttpContext http, ProjectService projects, GitService git, RemoteUrlPolicy policy, CancellationToken cancellationToken)
    {
        var actor = http.Actor();
        var project = await projects.GetWritableAsync(actor, id, cancellationToken);
        var remote = await git.DefaultRemoteAsync(project.RootPath, request?.Remote, cancellationToken);
        await ValidateRemoteAsync(git, policy, project.RootPath, remote, push: false, actor, cancellationToken);
        var fetched = await git.FetchAsync(project.RootPath, remote, cancellationToken);
        return TypedResults.Ok(new GitFetchDto(fetched.Remote, fetched.Branch, fetched.Upstream, fetched.Ahead, fetched.Behind));
    }

    private static async Task<Ok<GitPullDto>> PullAsync(Guid id, PullRequest? request, HttpContext http, ProjectService projects, GitService git, RemoteUrlPolicy policy, CancellationToken cancellationToken)
    {
        var actor = http.Actor();
        var project = await projects.GetWritableAsync(actor, id, cancellationToken);
        var remote = await git.DefaultRemoteAsync(project.RootPath, request?.Remote, cancellationToken);
        await ValidateRemoteAsync(git, policy, project.RootPath, remote, push: false, actor, cancellationToken);
        var pulled = await git.PullAsync(project.RootPath, remote, request?.Branch, cancellationToken);
        return TypedResults.Ok(new GitPullDto(pulled.Outcome, pulled.Remote, pulled.Branch, pulled.Head, pulled.Conflicts));
    }

    private static async Task<Ok<GitStatusDto>> AbortMergeAsync(Guid id, HttpContext http, ProjectService projects, GitService git, CancellationToken cancellationToken)
    {
        var project = await projects.GetWritableAsync(http.Actor(), id, cancellationToken);
        return TypedResults.Ok(GitStatusDto.From(await git.AbortMergeAsync(project.RootPath, cancellationToken)));
    }

    private static async Task<Ok<GitPushDto>> PushAsync(Guid id, PushRequest? request, HttpContext http, ProjectService projects, GitService git, RemoteUrlPolicy policy, CancellationToken cancellationToken)
    {
        var actor = http.Actor();

        // Pushing changes nothing in the project, so an archived project may still be pushed.
        var project = await projects.GetAsync(actor, id, cancellationToken);
        var remote = await git.DefaultRemoteAsync(project.RootPath, request?.Remote, cancellationToken);
        await ValidateRemoteAsync(git, policy, project.RootPath, remote, push: true, actor, cancellationToken);
        var pushed = await git.PushAsync(project.RootPath, remote, request?.Branch, request?.SetUpstream ?? false, cancellationToken);
        return TypedResults.Ok(new GitPushDto(pushed.Remote, pushed.Branch, pushed.Head));
    }

    /// <summary>A remote may have been configured behind Wright's back: its URLs meet the same rule as an added one, every time.</summary>
    private static async Task ValidateRemoteAsync(GitService git, RemoteUrlPolicy policy, string root, string remote, bool push, Wright.Core.Accounts.Actor actor, CancellationToken cancellationToken)
    {
        foreach (var url in await git.GetRemoteUrlsAsync(root, remote, push, cancellationToken))
        {
            await policy.ValidateAsync(url, actor, cancellationToken);
        }
    }

    private static async Task<Created<RevertFileDto>> RevertFileAsync(Guid id, string sha, RevertFileRequest request, HttpContext http, ProjectService projects, GitService git, CancellationToken cancellationToken)
    {
        var project = await projects.GetWritableAsync(http.Actor(), id, cancellationToken);
        var commit = await git.RevertFileAsync(project.RootPath, sha, request.Path ?? "", cancellationToken);
        return TypedResults.Created($"/api/projects/{id}/git/commits/{commit.Sha}", new RevertFileDto(GitCommitDto.From(commit)));
    }
}
