using Wright.Core.Answers;
using Wright.Core.Accounts;
using Wright.Core.Conversations;
using Wright.Core.Errors;
using Wright.Core.Git;
using Wright.Core.Projects;

namespace Wright.Core.Engine;

/// <summary>Where an answer runs in git: the branch, the commit it starts from, and whether the branch is new.</summary>
public sealed record AnswerLine(string? Branch, string? BaseCommit, bool Created)
{
    /// <summary>The workspace status read to decide the line, when the answer runs where the workspace is (not after a checkout).</summary>
    public GitStatus? Status { get; init; }
}

/// <summary>Where an answer would run: the workspace's status, and the new branch and its start commit when it starts one.</summary>
public sealed record AnswerLinePlan(GitStatus Status, string? NewBranch, string? Start)
{
    /// <summary>The status of the workspace once the new branch is checked out: clean, at its start.</summary>
    public GitStatus? BranchStatus => NewBranch is null ? null : new GitStatus(NewBranch, Start, null, null, null, [], false);
}

/// <summary>
/// A branch of the conversation is a line of git history. Each answer records the commit it
/// started from and the commits it made; a new prompt posted as a sibling of an earlier one runs
/// on a new branch <c>wright/&lt;session-short&gt;/&lt;n&gt;</c> starting from the commit its parent
/// answer left; switching the session's current leaf checks out that leaf's branch — refusing
/// over the user's uncommitted edits unless they ask to commit them first, never dropping them.
/// </summary>
public sealed class ChatBranches
{
    public const string BranchPrefix = "wright/";

    private readonly IConversationRepository _conversations;
    private readonly IAnswerRepository _engine;
    private readonly SessionService _sessions;
    private readonly ProjectService _projects;
    private readonly GitService _git;

    public ChatBranches(IConversationRepository conversations, IAnswerRepository engine, SessionService sessions, ProjectService projects, GitService git)
    {
        _conversations = conversations;
        _engine = engine;
        _sessions = sessions;
        _projects = projects;
        _git = git;
    }

    /// <summary>The branch prefix of a session: <c>wright/&lt;first 8 hex digits of its id&gt;/</c>.</summary>
    public static string SessionPrefix(Guid sessionId) => $"{BranchPrefix}{sessionId.ToString("N")[..8]}/";

    /// <summary>
    /// Before an answer: when its prompt is a sibling of an earlier prompt (an edit or a new
    /// branch of the conversation), creates the session's next branch at the commit the parent
    /// answer left and checks it out; otherwise the answer runs where the workspace is. Uncommitted
    /// edits in the way refuse it with <c>uncommitted_changes</c>, unless <paramref name="commitFirst"/>
    /// commits them first (as a switch of the current leaf does).
    /// </summary>
    public async Task<AnswerLine> PrepareAnswerAsync(string root, Session session, IReadOnlyList<Message> path, bool commitFirst, CancellationToken cancellationToken)
    {
        var plan = await PlanAsync(root, session, path, cancellationToken).ConfigureAwait(false);
        var status = plan.Status;
        if (plan.NewBranch is not { } name || plan.Start is not { } start)
        {
            return new AnswerLine(status.Branch, status.Head, false) { Status = status };
        }

        if (!status.IsClean)
        {
            if (!commitFirst)
            {
                // git would carry the edits onto the new line, or refuse: either way the user should decide first.
                throw Dirty(status, $"This prompt starts a new branch of the conversation ({name}, from {start[..12]}), but you have uncommitted edits");
            }

            await CommitEditsAsync(root, status, name, cancellationToken).ConfigureAwait(false);
        }

        await _git.CreateBranchAsync(root, name, start, switchTo: true, cancellationToken).ConfigureAwait(false);

        // A fresh checkout of a clean workspace: its status is known without asking git again.
        return new AnswerLine(name, start, true) { Status = plan.BranchStatus };
    }

    /// <summary>
    /// Where the answer to the prompt at the end of <paramref name="path"/> would run, without
    /// changing anything: the workspace's status and, when the prompt starts a new branch of the
    /// conversation, the branch's name and the commit it starts from.
    /// </summary>
    public async Task<AnswerLinePlan> PlanAsync(string root, Session session, IReadOnlyList<Message> path, CancellationToken cancellationToken)
    {
        var status = await _git.GetStatusAsync(root, cancellationToken).ConfigureAwait(false);
        var prompt = path[^1];
        var messages = await _conversations.ListMessagesAsync(session.Id, cancellationToken).ConfigureAwait(false);
        var siblings = messages.Where(m => m.Id != prompt.Id && m.ParentId == prompt.ParentId && m.Role == MessageRole.User).ToList();
        if (siblings.Count == 0 || status.Head is null)
        {
            return new AnswerLinePlan(status, null, null);
        }

        // The commit the parent saw: what the parent answer left, or (a sibling of the first prompt) where the first answer started.
        string? start = null;
        if (prompt.ParentId is { } parentId)
        {
            start = (await _engine.GetAnswerAsync(parentId, cancellationToken).ConfigureAwait(false))?.HeadAfter;
        }
        else
        {
            foreach (var answer in messages.Where(m => m.Role == MessageRole.Assistant && siblings.Any(s => s.Id == m.ParentId)))
            {
                start ??= (await _engine.GetAnswerAsync(answer.Id, cancellationToken).ConfigureAwait(false))?.BaseCommit;
            }
        }

        if (start is null)
        {
            return new AnswerLinePlan(status, null, null);
        }

        var prefix = SessionPrefix(session.Id);
        var branches = await _git.ListBranchesAsync(root, cancellationToken).ConfigureAwait(false);
        var next = branches.Count(b => b.Name.StartsWith(prefix, StringComparison.Ordinal)) + 1;
        while (branches.Any(b => b.Name == $"{prefix}{next}"))
        {
            next++;
        }

        return new AnswerLinePlan(status, $"{prefix}{next}", start);
    }

    /// <summary>
    /// Moves the session's current leaf to <paramref name="leafId"/> and checks out the git branch
    /// of the newest answer on its path. Uncommitted edits refuse the switch with
    /// <c>uncommitted_changes</c>, unless <paramref name="commitFirst"/> commits them first.
    /// </summary>
    public async Task<SessionTree> SwitchAsync(Actor actor, Guid sessionId, Guid leafId, bool commitFirst, CancellationToken cancellationToken)
    {
        var session = await _sessions.GetAsync(actor, sessionId, cancellationToken).ConfigureAwait(false);
        var project = await _projects.GetAsync(actor, session.ProjectId, cancellationToken).ConfigureAwait(false);
        var messages = await _conversations.ListMessagesAsync(sessionId, cancellationToken).ConfigureAwait(false);
        var path = SessionService.PathTo(messages, leafId) ?? throw SessionService.MessageNotFound(leafId);
        AnswerRecord? run = null;
        foreach (var answer in path.AsEnumerable().Reverse().Where(m => m.Role == MessageRole.Assistant))
        {
            run = await _engine.GetAnswerAsync(answer.Id, cancellationToken).ConfigureAwait(false);
            if (run?.GitBranch is not null)
            {
                break;
            }
        }

        if (run?.GitBranch is { } branch)
        {
            var status = await _git.GetStatusAsync(project.RootPath, cancellationToken).ConfigureAwait(false);
            if (status.Branch != branch)
            {
                if (!status.IsClean)
                {
                    if (!commitFirst)
                    {
                        throw Dirty(status, $"Switching to this branch of the conversation checks out git branch '{branch}', but you have uncommitted edits");
                    }

                    await CommitEditsAsync(project.RootPath, status, branch, cancellationToken).ConfigureAwait(false);
                }

                await _git.SwitchBranchAsync(project.RootPath, branch, cancellationToken).ConfigureAwait(false);
            }
        }

        return await _sessions.SwitchAsync(actor, sessionId, leafId, cancellationToken).ConfigureAwait(false);
    }

    internal async Task CommitEditsAsync(string root, GitStatus status, string branch, CancellationToken cancellationToken)
    {
        var paths = status.Entries.SelectMany(e => e.OriginalPath is null ? new[] { e.Path } : [e.Path, e.OriginalPath]).Distinct(StringComparer.Ordinal).ToList();
        await _git.CommitAsync(root, $"Save your edits before switching to {branch}\n\nUncommitted edits committed as they were so that switching branches of the conversation never loses them.", paths, null, cancellationToken).ConfigureAwait(false);
    }

    internal static WrightException Dirty(GitStatus status, string what)
    {
        var paths = status.Entries.Select(e => e.Path).Take(20).ToList();
        return WrightException.Conflict(
            ErrorCodes.UncommittedChanges,
            $"{what} ({string.Join(", ", paths)}). Commit them (or send the request again with commitFirst: true to have Wright commit them), then retry.",
            new Dictionary<string, object?> { ["paths"] = paths });
    }
}
