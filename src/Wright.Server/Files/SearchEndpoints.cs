using Wright.Core.Hosting;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Configuration;
using Wright.Core.Errors;
using Wright.Core.Projects;
using Wright.Core.Workspace;
using Wright.Server.Projects;

namespace Wright.Server.Files;

/// <summary>One match of a project search (see <see cref="SearchMatch"/>): <c>column</c> and <c>matchLength</c> index into <c>preview</c>; the line's own column is <c>previewOffset + column</c>.</summary>
public sealed record SearchMatchDto(string Path, int Line, int Column, string Preview, int MatchLength, int PreviewOffset)
{
    public static SearchMatchDto From(SearchMatch m) => new(m.Path, m.Line, m.Column, m.Preview, m.MatchLength, m.PreviewOffset);
}

/// <summary>A page of search matches; <c>truncated</c> when the search stopped at a bound (time, matches per file), <c>engine</c> says which search ran.</summary>
public sealed record SearchPageDto(IReadOnlyList<SearchMatchDto> Items, string? NextCursor, bool Truncated, string Engine);

/// <summary>Body of <c>POST /api/projects/{id}/files:merge</c>: the file, the text the client loaded (base) and its edit (mine).</summary>
public sealed record MergeFileRequest(string? Path, string? Base, string? Mine);

/// <summary>A merge's result: the text to review (conflict markers when <c>conflicts</c> &gt; 0) and the ETag of the disk version to save over with If-Match.</summary>
public sealed record MergeFileDto(string Path, string Content, int Conflicts, [property: JsonPropertyName("etag")] string ETag);

internal static class SearchEndpoints
{
    private const int JsonExpansion = 4;
    private const long BodyOverheadBytes = 64 * 1024;

    /// <summary>Binds <see cref="SearchOptions"/> to the <c>Search</c> configuration section.</summary>
    public static IServiceCollection AddProjectSearch(this IServiceCollection services)
    {
        services.AddOptions<SearchOptions>().Configure<IConfiguration>((o, c) => c.GetSection(WrightConfigNames.SearchSection).Bind(o));
        return services;
    }

    /// <summary>Project-wide search and the three-way merge the editor's conflict view uses.</summary>
    public static IEndpointRouteBuilder MapSearchAndMerge(this IEndpointRouteBuilder api)
    {
        var group = api.MapGroup("/projects/{id:guid}").WithTags("Files").RequireProjectAccess();
        group.MapGet("/search", SearchAsync)
            .WithSummary("Searches the project's text files (what the tree lists; binary and large files skipped) with ripgrep or the managed search; paged by cursor, 400 invalid_regex for a bad pattern.");
        group.MapPost("/files:merge", MergeAsync)
            .Accepts<MergeFileRequest>("application/json")
            .WithSummary("Three-way merges {path, base, mine} with the file on disk (git merge-file); writes nothing, answers the merged text, its conflict count and the disk version's ETag.");
        return api;
    }

    private static async Task<Ok<SearchPageDto>> SearchAsync(
        Guid id,
        string? q,
        bool? regex,
        bool? caseSensitive,
        bool? wholeWord,
        string? include,
        string? exclude,
        int? limit,
        string? cursor,
        HttpContext http,
        ProjectSearch search,
        CancellationToken cancellationToken)
    {
        var project = http.AccessedProject();
        var query = new SearchQuery(q ?? "", regex ?? false, caseSensitive ?? false, wholeWord ?? false, SearchQuery.Globs(include), SearchQuery.Globs(exclude));
        var page = await search.SearchAsync(project, query, limit, cursor, cancellationToken);
        return TypedResults.Ok(new SearchPageDto(page.Items.Select(SearchMatchDto.From).ToList(), page.NextCursor, page.Truncated, page.Engine));
    }

    private static async Task<Ok<MergeFileDto>> MergeAsync(Guid id, HttpContext http, FileMerge merge, ProjectFiles files, CancellationToken cancellationToken)
    {
        var project = http.AccessedProject();

        // Two texts each up to the file size limit: the body may be larger than the API's default.
        var sizeLimit = http.Features.Get<IHttpMaxRequestBodySizeFeature>();
        if (sizeLimit is { IsReadOnly: false })
        {
            sizeLimit.MaxRequestBodySize = (2 * files.MaxFileBytes * JsonExpansion) + BodyOverheadBytes;
        }

        MergeFileRequest? request;
        try
        {
            request = await http.Request.ReadFromJsonAsync<MergeFileRequest>(cancellationToken);
        }
        catch (JsonException ex)
        {
            throw new WrightException(ErrorKind.Invalid, ErrorCodes.ValidationFailed, $"The JSON body could not be read: {ex.Message}", inner: ex);
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            throw new WrightException(ErrorKind.TooLarge, ErrorCodes.FileTooLarge, $"The texts to merge are larger than the files API accepts ({files.MaxFileBytes} bytes each, Wright:MaxFileBytes).");
        }
        catch (InvalidOperationException ex) when (!http.Request.HasJsonContentType())
        {
            throw new WrightException(ErrorKind.Invalid, ErrorCodes.ValidationFailed, "Send the merge as JSON {path, base, mine}.", inner: ex);
        }

        var result = await merge.MergeAsync(project, request?.Path, request?.Base, request?.Mine, cancellationToken);
        return TypedResults.Ok(new MergeFileDto(result.Path, result.Content, result.Conflicts, result.ETag));
    }
}
