using Microsoft.AspNetCore.Http.HttpResults;
using Wright.Core.Errors;
using Wright.Core.Merges;
using Wright.Server.Accounts;
using Wright.Server.Conversations;
using Wright.Server.Projects;

namespace Wright.Server.Merges;

/// <summary>Body of <c>POST /api/sessions/{id}/merge</c>: the branch to merge (a leaf of this session, or another session of the project and optionally its leaf), how to settle conflicts, and whether to commit uncommitted edits first.</summary>
public sealed record MergeSessionRequest(Guid? FromLeafId = null, Guid? FromSessionId = null, string? Strategy = null, bool? CommitFirst = null);

/// <summary>A merge made: the merge message, its commit and the merged branch's, the files it changed, the conflicts a strategy settled, the summary, and the session's tree.</summary>
public sealed record MergeResultDto(Guid MessageId, string Commit, string MergedCommit, IReadOnlyList<string> Files, IReadOnlyList<MergeConflict> Settled, string Summary, SessionTreeDto Tree);

internal static class MergeEndpoints
{
    /// <summary><c>POST /api/sessions/{id}/merge</c>.</summary>
    public static IEndpointRouteBuilder MapMerges(this IEndpointRouteBuilder api)
    {
        api.MapGroup("/sessions/{id:guid}").WithTags("Sessions").RequireSessionAccess().MapPost("/merge", MergeAsync);
        return api;
    }

    private static async Task<Ok<MergeResultDto>> MergeAsync(Guid id, MergeSessionRequest? request, HttpContext http, SessionMerge merge, CancellationToken cancellationToken)
    {
        if (request is null || (request.FromLeafId is null && request.FromSessionId is null))
        {
            throw WrightException.Invalid(ErrorCodes.ValidationFailed, "Name the branch to merge: fromLeafId (a message of this session), or fromSessionId (another session of the project, optionally with fromLeafId).");
        }

        var strategy = request.Strategy?.ToLowerInvariant() switch
        {
            null or "" => MergeStrategy.None,
            "ours" => MergeStrategy.Ours,
            "theirs" => MergeStrategy.Theirs,
            _ => throw WrightException.Invalid(ErrorCodes.ValidationFailed, $"strategy must be 'ours' or 'theirs' (got '{request.Strategy}')."),
        };
        var result = await merge.MergeAsync(http.Actor(), id, new MergeRequest(request.FromLeafId, request.FromSessionId, strategy, request.CommitFirst ?? false), cancellationToken);
        return TypedResults.Ok(new MergeResultDto(result.MessageId, result.Commit, result.MergedCommit, result.Files, result.Settled, result.Summary, SessionTreeDto.From(result.Tree)));
    }
}
