namespace Wright.Server.Git;

internal static class GitEndpoints
{
    /// <summary>Git of a project under <c>/api/projects/{id}/git</c>: status, log, commits, branches.</summary>
    public static IEndpointRouteBuilder MapGit(this IEndpointRouteBuilder api)
    {
        return api;
    }
}
