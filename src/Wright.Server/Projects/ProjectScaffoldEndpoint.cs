using Microsoft.AspNetCore.Http.HttpResults;
using Wright.Core.Conversations;
using Wright.Core.Errors;
using Wright.Core.Projects;
using Wright.Server.Accounts;
using Wright.Server.Conversations;

namespace Wright.Server.Projects;

/// <summary>Body of <c>POST /api/projects:scaffold</c>: a new project, and what the model should make of it.</summary>
/// <param name="Model">The model of the scaffolding answer; the default model when absent.</param>
public sealed record ScaffoldProjectRequest(string Name, string Description, string? Path, string? Model);

/// <summary>
/// A project being scaffolded: the project, and the session and answer that build it. The answer
/// streams at <c>GET /api/sessions/{sessionId}/messages/{messageId}/stream</c>; its commits land in the project.
/// </summary>
public sealed record ScaffoldStartedDto(ProjectDto Project, Guid SessionId, Guid MessageId);

/// <summary>
/// Creating a project from a description: the project is created (an empty git repository), then a
/// session whose first prompt asks the model to scaffold it. The model answers with the engine's
/// SCAFFOLD action (the <c>scaffold</c> tool: a built-in template, committed at once) and then edits
/// the skeleton, which lands as the answer's commit. The answer runs on the server whether or not a
/// client watches it; the workbench opens the session and follows its stream. When the answer
/// cannot start (no model configured, rate limited) nothing is left behind: the new project and its
/// directory are removed again.
/// </summary>
internal static class ProjectScaffoldEndpoint
{
    public const int MaxDescriptionChars = 8000;

    public static async Task<Created<ScaffoldStartedDto>> ScaffoldAsync(
        ScaffoldProjectRequest request,
        HttpContext http,
        ProjectService projects,
        SessionService sessions,
        ChatService chat,
        ChatLimits limits,
        CancellationToken cancellationToken)
    {
        var description = request.Description?.Trim() ?? "";
        if (description.Length == 0)
        {
            throw WrightException.Invalid(ErrorCodes.ValidationFailed, "description must say what to build; create an empty project with POST /api/projects instead.");
        }

        if (description.Length > MaxDescriptionChars)
        {
            throw WrightException.Invalid(ErrorCodes.ValidationFailed, $"description is longer than {MaxDescriptionChars} characters.");
        }

        var actor = http.Actor();
        // The rate limits of answers apply first: a refused scaffold creates nothing.
        var lease = await limits.AcquireAsync(actor.UserId.ToString(), cancellationToken);
        Project? project = null;
        try
        {
            project = await projects.CreateAsync(actor, request.Name, request.Path, cancellationToken);
            var session = await sessions.CreateAsync(actor, project.Id, null, cancellationToken);
            var answer = await chat.PostAsync(actor, session.Id, PromptFor(description), null, request.Model, null, false, false, lease, cancellationToken);
            return TypedResults.Created($"/api/projects/{project.Id}", new ScaffoldStartedDto(ProjectDto.From(project), session.Id, answer.MessageId));
        }
        catch
        {
            lease.Dispose();
            if (project is not null)
            {
                await projects.DeleteAsync(actor, project.Id, deleteFiles: true, CancellationToken.None);
            }

            throw;
        }
    }

    /// <summary>The first prompt: the user's description and what to do with it.</summary>
    public static string PromptFor(string description) =>
        "Create this new project from its description. First call the scaffold tool with the built-in template that fits "
        + "(it writes and commits a small working skeleton), then edit the skeleton's files so the project does what the description says.\n\n"
        + "Description: " + description;
}
