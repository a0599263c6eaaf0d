using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Configuration;
using Wright.Core.Commands;
using Wright.Core.Projects;
using Wright.Server.Accounts;
using Wright.Server.Projects;

namespace Wright.Server.Commands;

/// <summary>
/// A background command as the API shows it: <c>ports</c> are the loopback ports its processes
/// listen on now; <c>output</c> (the last characters it printed) only when one command is asked for.
/// </summary>
public sealed record BackgroundCommandDto(
    Guid Id,
    string Command,
    bool Sandboxed,
    string? StartedBy,
    DateTimeOffset StartedAt,
    int Pid,
    bool Running,
    int? ExitCode,
    bool Stopped,
    DateTimeOffset? EndedAt,
    IReadOnlyList<int> Ports,
    long OutputChars,
    string? Output)
{
    public static BackgroundCommandDto From(BackgroundCommand c, bool withOutput) => new(
        c.Id,
        c.Command,
        c.Sandboxed,
        c.StartedBy,
        c.StartedAt,
        c.Pid,
        c.IsRunning,
        c.ExitCode,
        c.Stopped,
        c.EndedAt,
        BackgroundCommandService.Ports(c).Order().ToList(),
        c.OutputTotal,
        withOutput ? c.Output() : null);
}

internal static class CommandsEndpoints
{
    /// <summary>The model's background commands of a project: listed, read, stopped. Anyone who may see the project may.</summary>
    public static IEndpointRouteBuilder MapBackgroundCommands(this IEndpointRouteBuilder api)
    {
        var group = api.MapGroup("/projects/{id:guid}/commands").WithTags("Commands");
        group.MapGet("", ListAsync).WithSummary("The project's background commands (started by the model with run_command background), running and recently ended, newest first.");
        group.MapGet("/{commandId:guid}", GetAsync).WithSummary("One background command with the last of its output.");
        group.MapPost("/{commandId:guid}:stop", StopAsync).WithSummary("Stops a background command and everything it started; answers once it has ended.");
        return api;
    }

    private static async Task<Ok<PageDto<BackgroundCommandDto>>> ListAsync(Guid id, HttpContext http, ProjectService projects, BackgroundCommandService commands, CancellationToken cancellationToken)
    {
        await projects.GetAsync(http.Actor(), id, cancellationToken);
        return TypedResults.Ok(new PageDto<BackgroundCommandDto>(commands.List(id).Select(c => BackgroundCommandDto.From(c, withOutput: false)).ToList(), null));
    }

    private static async Task<Ok<BackgroundCommandDto>> GetAsync(Guid id, Guid commandId, HttpContext http, ProjectService projects, BackgroundCommandService commands, CancellationToken cancellationToken)
    {
        await projects.GetAsync(http.Actor(), id, cancellationToken);
        return TypedResults.Ok(BackgroundCommandDto.From(commands.Get(id, commandId), withOutput: true));
    }

    private static async Task<Ok<BackgroundCommandDto>> StopAsync(Guid id, Guid commandId, HttpContext http, ProjectService projects, BackgroundCommandService commands, CancellationToken cancellationToken)
    {
        await projects.GetAsync(http.Actor(), id, cancellationToken);
        return TypedResults.Ok(BackgroundCommandDto.From(await commands.StopAsync(id, commandId), withOutput: true));
    }
}

internal static class CommandsHosting
{
    /// <summary>Background commands with their options from <c>Wright:Commands</c>.</summary>
    public static IServiceCollection AddWrightBackgroundCommands(this IServiceCollection services)
    {
        services.AddSingleton(provider =>
        {
            var options = new BackgroundCommandOptions();
            provider.GetRequiredService<IConfiguration>().GetSection(BackgroundCommandOptions.Section).Bind(options);
            return options;
        });
        services.AddBackgroundCommands();
        return services;
    }
}
