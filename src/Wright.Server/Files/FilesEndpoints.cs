namespace Wright.Server.Files;

internal static class FilesEndpoints
{
    /// <summary>Files of a project under <c>/api/projects/{id}/</c>: tree, read, write, delete, move, mkdir.</summary>
    public static IEndpointRouteBuilder MapFiles(this IEndpointRouteBuilder api)
    {
        return api;
    }
}
