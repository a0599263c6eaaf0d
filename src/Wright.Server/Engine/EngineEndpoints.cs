using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Hosting;
using Wright.Core.Accounts;
using Wright.Core.Actions;
using Wright.Core.Answers;
using Wright.Core.Conversations;
using Wright.Core.Engine;
using Wright.Core.Errors;
using Wright.Core.Llm;
using Wright.Core.Projects;
using Wright.Server.Accounts;
using Wright.Server.Projects;

namespace Wright.Server.Engine;

internal static class EngineEndpoints
{
    /// <summary>
    /// The engine's routes: command approvals, prompt preview, each answer's record and each prompt's
    /// Context, prompt templates (user, project, session; versioned) and undo of the last AI commit.
    /// </summary>
    public static IEndpointRouteBuilder MapEngine(this IEndpointRouteBuilder api)
    {
        var sessions = api.MapGroup("/sessions/{id:guid}").WithTags("Engine").RequireSessionAccess();
        sessions.MapGet("/approvals", ListApprovals);
        sessions.MapPost("/approvals/{approvalId:guid}", Decide);
        sessions.MapGet("/prompt-preview", PreviewAsync);
        sessions.MapGet("/messages/{messageId:guid}/answer", GetAnswerAsync);
        sessions.MapGet("/messages/{messageId:guid}/context", GetContextAsync);
        sessions.MapGet("/prompt", GetSessionPromptAsync);
        sessions.MapPut("/prompt", SaveSessionPromptAsync);
        sessions.MapGet("/prompt/diff", DiffSessionPromptAsync);

        var projects = api.MapGroup("/projects/{id:guid}").WithTags("Engine").RequireProjectAccess();
        projects.MapPost("/git/undo", UndoAsync);
        projects.MapGet("/prompt", GetProjectPromptAsync);
        projects.MapPut("/prompt", SaveProjectPromptAsync).RequireProjectWrite();
        projects.MapGet("/prompt/diff", DiffProjectPromptAsync);

        var me = api.MapGroup("/me").WithTags("Engine");
        me.MapGet("/prompt", GetUserPromptAsync);
        me.MapPut("/prompt", SaveUserPromptAsync);
        me.MapGet("/prompt/diff", DiffUserPromptAsync);
        return api;
    }

    private static Ok<IReadOnlyList<PendingApprovalDto>> ListApprovals(Guid id, CommandApprovals approvals) =>
        TypedResults.Ok<IReadOnlyList<PendingApprovalDto>>(approvals.PendingIn(id).Select(PendingApprovalDto.From).ToList());

    private static NoContent Decide(Guid id, Guid approvalId, ApprovalDecisionRequest request, CommandApprovals approvals)
    {
        if (!approvals.Resolve(id, approvalId, request.Approve))
        {
            throw WrightException.NotFound("approval_not_found", $"No command waits for approval {approvalId} in this session (it was decided, timed out, or its answer stopped).");
        }

        return TypedResults.NoContent();
    }

    /// <summary>
    /// What sending <c>content</c> (under <c>parentId</c>, default the current leaf) would send: the
    /// prepared request (built by the same Prepare step as the real send) and the provider body it
    /// becomes on the wire; the model is not called and nothing is stored.
    /// </summary>
    private static async Task<Ok<PromptPreviewDto>> PreviewAsync(
        Guid id,
        string? content,
        Guid? parentId,
        string? model,
        HttpContext http,
        SessionService sessions,
        ProjectService projects,
        IConversationRepository conversations,
        ProviderRegistry registry,
        PromptPreview preview,
        TimeProvider time,
        CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(content))
        {
            throw WrightException.Invalid(ErrorCodes.ValidationFailed, "content (the prompt to preview) must not be empty.");
        }

        var actor = http.Actor();
        var session = await sessions.GetAsync(actor, id, cancellationToken);
        var project = await projects.GetAsync(actor, session.ProjectId, cancellationToken);
        var messages = await conversations.ListMessagesAsync(id, cancellationToken);
        var parent = parentId ?? session.CurrentLeafId;
        var path = parent is { } p ? SessionService.PathTo(messages, p) ?? throw WrightException.NotFound(ErrorCodes.MessageNotFound, $"No message with id {p} in this session.") : [];
        var now = time.GetUtcNow();
        path.Add(new Message(Guid.NewGuid(), id, parent, 0, MessageRole.User, content, MessageStatus.Complete, null, [], null, null, now, now));
        var resolved = await registry.ResolveAsync(model, cancellationToken);
        var (prepared, wire) = await preview.RunAsync(project, session, path, resolved, actor.UserId, cancellationToken);
        return TypedResults.Ok(new PromptPreviewDto(
            resolved.Name.ToString(),
            prepared.System,
            new[] { new PreviewMessageDto("system", prepared.System) }.Concat(prepared.Messages.Select(PreviewMessageDto.From)).ToList(),
            prepared.Tools.Select(t => new PreviewToolDto(t.Name, t.Description, t.Schema)).ToList(),
            prepared.EstimatedTokens,
            ContextDto.From(prepared.Context))
        {
            Request = prepared,
            Wire = new PreviewWireDto(wire.Method, wire.Path, wire.Body),
        });
    }

    private static async Task<Ok<AnswerDto>> GetAnswerAsync(Guid id, Guid messageId, IAnswerRepository engine, CancellationToken cancellationToken)
    {
        var answer = await engine.GetAnswerAsync(messageId, cancellationToken);
        return answer is not null && answer.SessionId == id
            ? TypedResults.Ok(AnswerDto.From(answer))
            : throw WrightException.NotFound("answer_not_found", $"Message {messageId} of this session has no answer record (it is a prompt, or its answer never started).");
    }

    private static async Task<Ok<ContextDto>> GetContextAsync(Guid id, Guid messageId, IContextRepository engine, CancellationToken cancellationToken)
    {
        var context = await engine.GetContextAsync(messageId, cancellationToken);
        return context is not null && context.SessionId == id
            ? TypedResults.Ok(ContextDto.From(context.Record))
            : throw WrightException.NotFound("context_not_found", $"Prompt {messageId} of this session has no stored Context.");
    }

    /// <summary>Undoes HEAD when it is this project's newest AI commit and safe to undo; otherwise 409 with the reason's code.</summary>
    private static async Task<Ok<UndoResultDto>> UndoAsync(Guid id, UndoRequest? request, HttpContext http, ProjectService projects, AiCommitUndo undo, CancellationToken cancellationToken)
    {
        var project = await projects.GetWritableAsync(http.Actor(), id, cancellationToken);
        return TypedResults.Ok(UndoResultDto.From(await undo.UndoLastAsync(project.Id, project.RootPath, request?.Commit, cancellationToken)));
    }

    private static Task<Ok<PromptVersionsDto>> GetSessionPromptAsync(Guid id, PromptManager prompts, CancellationToken cancellationToken) =>
        VersionsAsync(PromptScopes.Session, id, prompts, cancellationToken);

    private static Task<Ok<PromptVersionDto>> SaveSessionPromptAsync(Guid id, SavePromptRequest request, HttpContext http, PromptManager prompts, CancellationToken cancellationToken) =>
        SaveAsync(PromptScopes.Session, id, request, http.Actor(), prompts, cancellationToken);

    private static async Task<Ok<PromptDiffDto>> DiffSessionPromptAsync(Guid id, int? from, int? to, PromptManager prompts, CancellationToken cancellationToken) =>
        TypedResults.Ok(await DiffAsync(PromptScopes.Session, id, from, to, prompts, cancellationToken));

    private static Task<Ok<PromptVersionsDto>> GetProjectPromptAsync(Guid id, PromptManager prompts, CancellationToken cancellationToken) =>
        VersionsAsync(PromptScopes.Project, id, prompts, cancellationToken);

    private static Task<Ok<PromptVersionDto>> SaveProjectPromptAsync(Guid id, SavePromptRequest request, HttpContext http, PromptManager prompts, CancellationToken cancellationToken) =>
        SaveAsync(PromptScopes.Project, id, request, http.Actor(), prompts, cancellationToken);

    private static async Task<Ok<PromptDiffDto>> DiffProjectPromptAsync(Guid id, int? from, int? to, PromptManager prompts, CancellationToken cancellationToken) =>
        TypedResults.Ok(await DiffAsync(PromptScopes.Project, id, from, to, prompts, cancellationToken));

    private static Task<Ok<PromptVersionsDto>> GetUserPromptAsync(HttpContext http, PromptManager prompts, CancellationToken cancellationToken) =>
        VersionsAsync(PromptScopes.User, http.Actor().UserId, prompts, cancellationToken);

    private static Task<Ok<PromptVersionDto>> SaveUserPromptAsync(SavePromptRequest request, HttpContext http, PromptManager prompts, CancellationToken cancellationToken) =>
        SaveAsync(PromptScopes.User, http.Actor().UserId, request, http.Actor(), prompts, cancellationToken);

    private static async Task<Ok<PromptDiffDto>> DiffUserPromptAsync(int? from, int? to, HttpContext http, PromptManager prompts, CancellationToken cancellationToken) =>
        TypedResults.Ok(await DiffAsync(PromptScopes.User, http.Actor().UserId, from, to, prompts, cancellationToken));

    private static async Task<PromptDiffDto> DiffAsync(string scope, Guid key, int? from, int? to, PromptManager prompts, CancellationToken cancellationToken)
    {
        if (from is not { } a || to is not { } b)
        {
            throw WrightException.Invalid(ErrorCodes.ValidationFailed, "from and to (the version numbers to compare) are required.");
        }

        return new PromptDiffDto(a, b, await prompts.DiffAsync(scope, key.ToString(), a, b, cancellationToken));
    }

    private static async Task<Ok<PromptVersionsDto>> VersionsAsync(string scope, Guid key, PromptManager prompts, CancellationToken cancellationToken) =>
        TypedResults.Ok(new PromptVersionsDto(scope, (await prompts.VersionsAsync(scope, key.ToString(), cancellationToken)).Select(PromptVersionDto.From).ToList()));

    private static async Task<Ok<PromptVersionDto>> SaveAsync(string scope, Guid key, SavePromptRequest request, Actor actor, PromptManager prompts, CancellationToken cancellationToken) =>
        TypedResults.Ok(PromptVersionDto.From(await prompts.SaveAsync(scope, key.ToString(), request.Content ?? "", actor.UserId, cancellationToken)));
}

/// <summary>At start-up, settles ActionRuns a killed process left in any project (runs also recover their project lazily) and loads the token calibration.</summary>
internal sealed class EngineLifecycle : IHostedService
{
    private readonly EngineRecovery _recovery;
    private readonly Wright.Core.Context.TokenCalibration _calibration;

    public EngineLifecycle(EngineRecovery recovery, Wright.Core.Context.TokenCalibration calibration)
    {
        _recovery = recovery;
        _calibration = calibration;
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await _calibration.LoadAsync(cancellationToken).ConfigureAwait(false);
        await _recovery.RecoverAllAsync(cancellationToken).ConfigureAwait(false);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
