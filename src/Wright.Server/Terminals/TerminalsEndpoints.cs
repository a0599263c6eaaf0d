using Microsoft.AspNetCore.Http.HttpResults;
using Wright.Core.Terminals;
using Wright.Server.Accounts;
using Wright.Server.Projects;

namespace Wright.Server.Terminals;

internal static class TerminalsEndpoints
{
    private const int DefaultCols = 80;
    private const int DefaultRows = 24;

    /// <summary>Terminals: opened and listed per project, then addressed by their own id; attached over a WebSocket.</summary>
    public static IEndpointRouteBuilder MapTerminals(this IEndpointRouteBuilder api)
    {
        var group = api.MapGroup("").WithTags("Terminals");
        group.MapPost("/projects/{id:guid}/terminals", CreateAsync)
            .WithSummary("Opens a terminal {name?, shell?, cwd?, cols, rows, sandbox?} in the project: a shell in tmux (survives a server restart) or, without tmux, in the server's own PTY; sandbox runs it under the project's bubblewrap sandbox (503 sandbox_unavailable without bubblewrap).");
        group.MapGet("/projects/{id:guid}/terminals", ListAsync)
            .WithSummary("Lists the caller's terminals in the project, running and ended.");
        group.MapGet("/terminals/{terminalId:guid}", GetAsync);
        group.MapPatch("/terminals/{terminalId:guid}", RenameAsync).WithSummary("Renames a terminal {name}.");
        group.MapPost("/terminals/{terminalId:guid}:kill", KillAsync).WithSummary("Ends the terminal's shell and everything it started; the terminal stays listed as exited.");
        group.MapDelete("/terminals/{terminalId:guid}", DeleteAsync).WithSummary("Kills the terminal if it runs and forgets it.");
        group.MapGet("/terminals/{terminalId:guid}/attach", TerminalSocket.AttachAsync)
            .WithSummary("WebSocket: binary frames are terminal bytes both ways; text frames are JSON control messages ({\"type\":\"resize\",\"cols\":N,\"rows\":N} in, {\"type\":\"exit\",\"code\":N} out). ?cols=&rows= size the client.");
        return api;
    }

    private static async Task<Created<TerminalDto>> CreateAsync(Guid id, CreateTerminalRequest request, HttpContext http, TerminalService terminals, CancellationToken cancellationToken)
    {
        var terminal = await terminals.CreateAsync(http.Actor(), id, request.Name, request.Shell, request.Cwd, request.Cols ?? DefaultCols, request.Rows ?? DefaultRows, cancellationToken, request.Sandbox ?? false);
        return TypedResults.Created($"/api/terminals/{terminal.Id}", TerminalDto.From(terminal));
    }

    private static async Task<Ok<PageDto<TerminalDto>>> ListAsync(Guid id, HttpContext http, TerminalService terminals, CancellationToken cancellationToken)
    {
        // A user has a handful of terminals per project: one page holds them all.
        var list = await terminals.ListAsync(http.Actor(), id, cancellationToken);
        return TypedResults.Ok(new PageDto<TerminalDto>(list.Select(TerminalDto.From).ToList(), null));
    }

    private static async Task<Ok<TerminalDto>> GetAsync(Guid terminalId, HttpContext http, TerminalService terminals, CancellationToken cancellationToken) =>
        TypedResults.Ok(TerminalDto.From(await terminals.GetAsync(http.Actor(), terminalId, cancellationToken)));

    private static async Task<Ok<TerminalDto>> RenameAsync(Guid terminalId, RenameTerminalRequest request, HttpContext http, TerminalService terminals, CancellationToken cancellationToken) =>
        TypedResults.Ok(TerminalDto.From(await terminals.RenameAsync(http.Actor(), terminalId, request.Name, cancellationToken)));

    private static async Task<Ok<TerminalDto>> KillAsync(Guid terminalId, HttpContext http, TerminalService terminals, CancellationToken cancellationToken) =>
        TypedResults.Ok(TerminalDto.From(await terminals.KillAsync(http.Actor(), terminalId, cancellationToken)));

    private static async Task<NoContent> DeleteAsync(Guid terminalId, HttpContext http, TerminalService terminals, CancellationToken cancellationToken)
    {
        await terminals.DeleteAsync(http.Actor(), terminalId, cancellationToken);
        return TypedResults.NoContent();
    }
}
