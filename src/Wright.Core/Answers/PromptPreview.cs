using Wright.Core.Conversations;
using Wright.Core.Engine;
using Wright.Core.Git;
using Wright.Core.Llm;
using Wright.Core.Projects;

namespace Wright.Core.Answers;

/// <summary>A previewed request: the prepared value and the provider body it becomes.</summary>
public sealed record PreviewedRequest(PreparedRequest Request, WireRequest Wire);

/// <summary>
/// The prompt preview: the same Prepare step with the same inputs as the real send, rendered to
/// the wire by the provider's own client. A prompt that would start a new branch of the
/// conversation is prepared where its answer would run — a temporary git worktree at the branch
/// point, with the status the fresh branch will have — so even an edited earlier prompt previews
/// exactly what will be sent, and the user's workspace is never touched.
/// </summary>
public sealed class PromptPreview
{
    private readonly ChatBranches _branches;
    private readonly Prepare _prepare;
    private readonly GitRunner _git;
    private readonly ProviderRegistry _registry;

    public PromptPreview(ChatBranches branches, Prepare prepare, GitRunner git, ProviderRegistry registry)
    {
        _branches = branches;
        _prepare = prepare;
        _git = git;
        _registry = registry;
    }

    public async Task<PreviewedRequest> RunAsync(Project project, Session session, IReadOnlyList<Message> path, ResolvedModel model, Guid? userId, CancellationToken cancellationToken)
    {
        var plan = await _branches.PlanAsync(project.RootPath, session, path, cancellationToken).ConfigureAwait(false);
        PreparedRequest prepared;
        if (plan.BranchStatus is not { } branchStatus || (plan.Start == plan.Status.Head && plan.Status.IsClean))
        {
            prepared = await _prepare.RunAsync(new PrepareInput(project, session, path, model, userId, plan.BranchStatus ?? plan.Status), cancellationToken).ConfigureAwait(false);
        }
        else
        {
            var worktree = Path.Combine(Path.GetTempPath(), $"wright-preview-{Guid.NewGuid():N}");
            await _git.RunCheckedAsync(project.RootPath, ["worktree", "add", "--quiet", "--detach", worktree, GitInput.Revision(plan.Start!)], cancellationToken).ConfigureAwait(false);
            try
            {
                prepared = await _prepare.RunAsync(new PrepareInput(project with { RootPath = worktree }, session, path, model, userId, branchStatus), cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                // Not the request's token: the worktree must go even when the client left.
                using var bounded = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                await _git.RunAsync(project.RootPath, ["worktree", "remove", "--force", worktree], bounded.Token).ConfigureAwait(false);
            }
        }

        var wire = await _registry.RenderWireAsync(prepared.ToLlmRequest(model), cancellationToken).ConfigureAwait(false);
        return new PreviewedRequest(prepared, wire);
    }
}
