using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.StaticFiles;
using Wright.Core.Errors;
using Wright.Core.Projects;
using Wright.Core.Workspace;

using Wright.Server.Projects;

namespace Wright.Server.Files;

internal static class FilesEndpoints
{
    /// <summary>JSON escaping can double a text's size (quotes, newlines, non-ASCII as \uXXXX); the body limit leaves room for that.</summary>
    private const int JsonExpansion = 4;

    private const long BodyOverheadBytes = 64 * 1024;

    private static readonly FileExtensionContentTypeProvider ContentTypes = new();

    /// <summary>Files of a project under <c>/api/projects/{id}/</c>: tree, read, write, delete, move, mkdir.</summary>
    public static IEndpointRouteBuilder MapFiles(this IEndpointRouteBuilder api)
    {
        var group = api.MapGroup("/projects/{id:guid}").WithTags("Files").RequireProjectAccess();
        group.MapGet("/tree", ListTreeAsync)
            .WithSummary("Lists a directory's entries to a depth (default 1, at most 32, capped at 10,000 entries unless limit asks for up to 250,000), leaving out what git ignores and .git.");
        group.MapGet("/files/{**path}", ReadAsync)
            .WithSummary("Reads a file: JSON with its text, ETag, line endings and BOM (binary files flagged, content null), or its bytes with ?raw=1.");

        // The body is read by the handler: JSON text or raw bytes of any content type (Accepts
        // metadata would make routing refuse every other content type with 415).
        group.MapPut("/files/{**path}", WriteAsync)
            .RequireProjectWrite()
            .WithSummary("Creates or atomically replaces a file from JSON {content, lineEnding?, bom?} or raw bytes; If-Match / If-None-Match: * guard it.");
        group.MapDelete("/files/{**path}", DeleteAsync)
            .RequireProjectWrite()
            .WithSummary("Deletes a file, a symlink, or a directory (recursive=true when not empty); If-Match guards a file.");
        group.MapPost("/files:move", MoveAsync)
            .RequireProjectWrite()
            .WithSummary("Moves or renames {from, to, overwrite?}; an existing destination needs overwrite and is never a directory.");
        group.MapPost("/dirs", CreateDirectoryAsync)
            .RequireProjectWrite()
            .WithSummary("Creates a directory and its parents {path}: 201 when made, 200 when it was there.");
        return api;
    }

    private static async Task<Ok<TreeDto>> ListTreeAsync(Guid id, string? path, int? depth, int? limit, HttpContext http, FileTree tree, CancellationToken cancellationToken)
    {
        var project = http.AccessedProject();
        return TypedResults.Ok(TreeDto.From(await tree.ListAsync(project, path, depth, cancellationToken, limit)));
    }

    private static async Task<Results<Ok<FileDto>, FileContentHttpResult, StatusCodeHttpResult>> ReadAsync(
        Guid id, string? path, string? raw, HttpContext http, ProjectFiles files, CancellationToken cancellationToken)
    {
        var project = http.AccessedProject();
        var file = await files.ReadAsync(project, FromRoute(path), cancellationToken);
        var etag = FileETag.Quoted(file.ETag);
        http.Response.Headers.ETag = etag;
        if (raw is not ("1" or "true"))
        {
            return TypedResults.Ok(FileDto.From(file));
        }

        if (Tags(http.Request.Headers.IfNoneMatch).Any(t => t == "*" || FileETag.Bare(t) == file.ETag))
        {
            return TypedResults.StatusCode(StatusCodes.Status304NotModified);
        }

        // Raw bytes come from the project, so a page the project contains must not run as this
        // origin (it would act with the user's session): no sniffing, and a sandbox for HTML.
        http.Response.Headers.XContentTypeOptions = "nosniff";
        http.Response.Headers.ContentSecurityPolicy = "default-src 'none'; sandbox";
        return TypedResults.Bytes(file.Bytes, ContentTypeOf(file));
    }

    private static async Task<Results<Ok<FileWrittenDto>, Created<FileWrittenDto>>> WriteAsync(
        Guid id, string? path, HttpContext http, ProjectFiles files, CancellationToken cancellationToken)
    {
        var project = http.AccessedProject();
        var sizeLimit = http.Features.Get<IHttpMaxRequestBodySizeFeature>();
        if (sizeLimit is { IsReadOnly: false })
        {
            sizeLimit.MaxRequestBodySize = (files.MaxFileBytes * JsonExpansion) + BodyOverheadBytes;
        }

        var write = await ReadWriteBodyAsync(http.Request, files.MaxFileBytes, cancellationToken);
        var preconditions = new FilePreconditions(
            Tags(http.Request.Headers.IfMatch).ToList(),
            Tags(http.Request.Headers.IfNoneMatch).Contains("*"));
        var written = await files.WriteAsync(project, FromRoute(path), write, preconditions, cancellationToken);
        http.Response.Headers.ETag = FileETag.Quoted(written.ETag);
        var dto = FileWrittenDto.From(written);
        return written.Created
            ? TypedResults.Created(FileLocation(id, written.Path), dto)
            : TypedResults.Ok(dto);
    }

    private static async Task<NoContent> DeleteAsync(
        Guid id, string? path, bool? recursive, HttpContext http, ProjectFiles files, CancellationToken cancellationToken)
    {
        var project = http.AccessedProject();
        var preconditions = new FilePreconditions(Tags(http.Request.Headers.IfMatch).ToList());
        await files.DeleteAsync(project, FromRoute(path), preconditions, recursive ?? false, cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<Ok<MovedDto>> MoveAsync(Guid id, MoveRequest request, HttpContext http, ProjectFiles files, CancellationToken cancellationToken)
    {
        var project = http.AccessedProject();
        var etag = await files.MoveAsync(project, request.From, request.To, request.Overwrite ?? false, cancellationToken);
        return TypedResults.Ok(new MovedDto(
            PathJail.Normalize(request.From, allowRoot: false),
            PathJail.Normalize(request.To, allowRoot: false),
            etag));
    }

    private static async Task<Results<Created<DirectoryDto>, Ok<DirectoryDto>>> CreateDirectoryAsync(
        Guid id, CreateDirectoryRequest request, HttpContext http, ProjectFiles files, CancellationToken cancellationToken)
    {
        var project = http.AccessedProject();
        var created = await files.CreateDirectoryAsync(project, request.Path, cancellationToken);
        var dto = new DirectoryDto(PathJail.Normalize(request.Path, allowRoot: false));
        return created
            ? TypedResults.Created($"/api/projects/{id}/tree?path={Uri.EscapeDataString(dto.Path)}", dto)
            : TypedResults.Ok(dto);
    }

    /// <summary>A JSON body is text to format like the file it replaces; any other body is the file's bytes. JSON of the wrong shape is ProblemMapping's <c>invalid_body</c>.</summary>
    private static async Task<FileWrite> ReadWriteBodyAsync(HttpRequest request, long maxFileBytes, CancellationToken cancellationToken)
    {
        try
        {
            if (request.HasJsonContentType())
            {
                var body = await request.ReadFromJsonAsync<WriteFileRequest>(cancellationToken);
                if (body?.Content is null)
                {
                    throw WrightException.Invalid(ErrorCodes.ValidationFailed, "The body needs a 'content' string (send raw bytes with a non-JSON content type).");
                }

                return FileWrite.FromText(body.Content, body.LineEnding, body.Bom);
            }

            using var buffer = new MemoryStream();
            await request.Body.CopyToAsync(buffer, cancellationToken);
            if (buffer.Length > maxFileBytes)
            {
                throw TooLarge(maxFileBytes);
            }

            return FileWrite.FromBytes(buffer.ToArray());
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            throw TooLarge(maxFileBytes);
        }
    }

    private static WrightException TooLarge(long maxFileBytes) =>
        new(ErrorKind.TooLarge, ErrorCodes.FileTooLarge, $"The content is larger than the files API accepts ({maxFileBytes} bytes, Wright:MaxFileBytes).");

    /// <summary>
    /// Routing decodes every escape of the path except %2F, which stays as text in a catch-all
    /// value; a client that escaped its separators meant them as separators.
    /// </summary>
    private static string? FromRoute(string? path) =>
        path?.Replace("%2F", "/", StringComparison.OrdinalIgnoreCase);

    private static IEnumerable<string> Tags(Microsoft.Extensions.Primitives.StringValues header) =>
        header.SelectMany(v => (v ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    private static string ContentTypeOf(FileRead file)
    {
        if (ContentTypes.TryGetContentType(file.Path, out var type))
        {
            return !file.Format.Binary && (type.StartsWith("text/", StringComparison.Ordinal) || type is "application/javascript" or "application/json" or "image/svg+xml")
                ? type + "; charset=utf-8"
                : type;
        }

        return file.Format.Binary ? "application/octet-stream" : "text/plain; charset=utf-8";
    }

    private static string FileLocation(Guid id, string path) =>
        $"/api/projects/{id}/files/{string.Join('/', path.Split('/').Select(Uri.EscapeDataString))}";
}
