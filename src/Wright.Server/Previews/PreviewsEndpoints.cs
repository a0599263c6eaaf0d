using Microsoft.AspNetCore.Http.HttpResults;
using Wright.Core.Errors;
using Wright.Core.Previews;
using Wright.Server.Accounts;
using Wright.Server.Projects;

namespace Wright.Server.Previews;

/// <summary>
/// A dev server as the API shows it: <c>url</c> opens it through the proxy (it signs the caller in
/// on the preview's origin); <c>terminalId</c> or <c>commandId</c> and <c>command</c> say what started it.
/// </summary>
public sealed record PreviewDto(int Port, string Source, Guid? TerminalId, bool Listening, string Origin, string Url, Guid? CommandId, string? Command);

/// <summary>Body of <c>POST /api/projects/{id}/previews</c>.</summary>
public sealed record AddPreviewRequest(int Port);

internal static class PreviewsEndpoints
{
    public static IEndpointRouteBuilder MapPreviews(this IEndpointRouteBuilder api)
    {
        var group = api.MapGroup("/projects/{id:guid}/previews").WithTags("Previews");
        group.MapGet("", ListAsync).WithSummary("Dev servers of the project: ports the caller's terminals listen on or printed, and ports added by hand.");
        group.MapPost("", AddAsync).WithSummary("Adds a loopback port {port} to the previews.");
        group.MapDelete("/{port}", RemoveAsync).WithSummary("Removes a port added by hand.");
        group.MapGet("/{port}/open", OpenAsync).WithSummary("Redirects to the preview's own origin with a one-minute ticket that signs the caller in there.");
        return api;
    }

    private static async Task<Ok<PageDto<PreviewDto>>> ListAsync(Guid id, HttpContext http, PreviewService previews, CancellationToken cancellationToken)
    {
        var list = await previews.ListAsync(http.Actor(), id, cancellationToken);
        return TypedResults.Ok(new PageDto<PreviewDto>(list.Select(p => Dto(http, p)).ToList(), null));
    }

    private static async Task<Created<PreviewDto>> AddAsync(Guid id, AddPreviewRequest request, HttpContext http, PreviewService previews, CancellationToken cancellationToken)
    {
        var preview = await previews.AddAsync(http.Actor(), id, request.Port, cancellationToken);
        return TypedResults.Created($"/api/projects/{id}/previews", Dto(http, preview));
    }

    // The port is read as text and checked after the project: a stranger learns nothing but 404.
    private static async Task<NoContent> RemoveAsync(Guid id, string port, HttpContext http, PreviewService previews, CancellationToken cancellationToken)
    {
        if (!await previews.CanPreviewAsync(http.Actor(), id, cancellationToken))
        {
            throw WrightException.NotFound(ErrorCodes.ProjectNotFound, $"Project {id} does not exist.");
        }

        await previews.RemoveAsync(http.Actor(), id, PortOf(port), cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<RedirectHttpResult> OpenAsync(Guid id, string port, HttpContext http, PreviewService previews, PreviewTickets tickets, CancellationToken cancellationToken)
    {
        if (!await previews.CanPreviewAsync(http.Actor(), id, cancellationToken))
        {
            throw WrightException.NotFound(ErrorCodes.ProjectNotFound, $"Project {id} does not exist.");
        }

        var number = PortOf(port);
        var ticket = tickets.IssueTicket(http.Actor().UserId, id, number);
        return TypedResults.Redirect($"{PreviewProxy.OriginOf(http.Request, id, number)}{PreviewProxy.LoginPath}?ticket={Uri.EscapeDataString(ticket)}");
    }

    private static int PortOf(string port)
    {
        var number = int.TryParse(port, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var value) ? value : 0;
        PreviewService.CheckPort(number);
        return number;
    }

    private static PreviewDto Dto(HttpContext http, Preview p) => new(
        p.Port,
        p.Source.ToString().ToLowerInvariant(),
        p.TerminalId,
        p.Listening,
        PreviewProxy.OriginOf(http.Request, p.ProjectId, p.Port),
        $"/api/projects/{p.ProjectId}/previews/{p.Port}/open",
        p.CommandId,
        p.Command);
}
