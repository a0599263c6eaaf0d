using System.Globalization;
using System.Text;
using Wright.Core.Accounts;
using Wright.Core.Answers;
using Wright.Core.Context;
using Wright.Core.Conversations;
using Wright.Core.Engine;
using Wright.Core.Errors;
using Wright.Core.Events;
using Wright.Core.Git;
using Wright.Core.Projects;
using Wright.Core.Workspace;

namespace Wright.Core.Merges;

/// <summary>What to merge into the session's current leaf: a leaf of the same session, or (with <see cref="FromSessionId"/>) of another session of the project (its current leaf when no leaf is named).</summary>
public sealed record MergeRequest(Guid? FromLeafId, Guid? FromSessionId, MergeStrategy Strategy, bool CommitFirst);

/// <summary>A merge made: the session's tree (its current leaf is the merge message), the merge commit and what it settled.</summary>
public sealed record MergeResult(SessionTree Tree, Guid MessageId, string Commit, string MergedCommit, IReadOnlyList<string> Files, IReadOnlyList<MergeConflict> Settled, string Summary);

/// <summary>
/// Merges another branch of the conversation — of this session or another session of the same
/// project — into the current leaf: a git merge of the two branches' commits on the current
/// leaf's git branch. A clean merge (or one a strategy settles) adds a merge turn to the current
/// path: the merge prompt, whose Context carries a summary of the merged branch, and the merge
/// answer, whose commit has both branches' commits as parents; a merge link records where it came
/// from. A conflicting merge changes nothing (the merge is computed without touching the working
/// tree or the index) and answers 409 <c>merge_conflict</c> with the files and hunks.
/// </summary>
public sealed class SessionMerge
{
    public const string MergedStopReason = "merged";

    private readonly SessionService _sessions;
    private readonly ProjectService _projects;
    private readonly ChatBranches _branches;
    private readonly IConversationRepository _conversations;
    private readonly IAnswerRepository _answers;
    private readonly IContextRepository _contexts;
    private readonly IMergeLinkRepository _links;
    private readonly GitService _git;
    private readonly GitRunner _runner;
    private readonly WorkspaceScanner _scanner;
    private readonly IEventBus _bus;
    private readonly TimeProvider _time;

    public SessionMerge(SessionService sessions, ProjectService projects, ChatBranches branches, IConversationRepository conversations, IAnswerRepository answers, IContextRepository contexts, IMergeLinkRepository links, GitService git, GitRunner runner, WorkspaceScanner scanner, IEventBus bus, TimeProvider time)
    {
        _sessions = sessions;
        _projects = projects;
        _branches = branches;
        _conversations = conversations;
        _answers = answers;
        _contexts = contexts;
        _links = links;
        _git = git;
        _runner = runner;
        _scanner = scanner;
        _bus = bus;
        _time = time;
    }

    public async Task<MergeResult> MergeAsync(Actor actor, Guid sessionId, MergeRequest request, CancellationToken cancellationToken)
    {
        var session = await _sessions.GetAsync(actor, sessionId, cancellationToken).ConfigureAwait(false);
        var project = await _projects.GetWritableAsync(actor, session.ProjectId, cancellationToken).ConfigureAwait(false);
        var fromSession = request.FromSessionId is { } otherId && otherId != sessionId
            ? await _sessions.GetAsync(actor, otherId, cancellationToken).ConfigureAwait(false)
            : session;
        if (fromSession.ProjectId != session.ProjectId)
        {
            throw WrightException.Invalid(ErrorCodes.MergeSourceInvalid, "Only a session of the same project can be merged: its commits are in this project's repository.");
        }

        if (fromSession.Id == session.Id && request.FromLeafId is null)
        {
            throw WrightException.Invalid(ErrorCodes.MergeSourceInvalid, "Name the branch to merge: fromLeafId (a message of this session), or fromSessionId for another session.");
        }

        // No answer may start in the session while it merges, and no merge runs under an answer:
        // both move the session's workspace and current leaf.
        using var claim = SessionMergeLock.BeginMerge(session.Id);
        var messages = await _conversations.ListMessagesAsync(session.Id, cancellationToken).ConfigureAwait(false);
        if (messages.Any(m => m.Status == MessageStatus.Streaming))
        {
            throw SessionMergeLock.Answering();
        }

        var currentLeaf = session.CurrentLeafId
            ?? throw WrightException.Conflict(ErrorCodes.MergeNothingToMerge, "This session has no messages yet: there is no branch to merge into.");
        var currentPath = SessionService.PathTo(messages, currentLeaf) ?? throw SessionService.MessageNotFound(currentLeaf);
        var sourceMessages = fromSession.Id == session.Id ? messages : await _conversations.ListMessagesAsync(fromSession.Id, cancellationToken).ConfigureAwait(false);
        var fromLeaf = request.FromLeafId ?? fromSession.CurrentLeafId
            ?? throw WrightException.Conflict(ErrorCodes.MergeNothingToMerge, $"Session '{fromSession.Title}' has no messages to merge.");
        var sourcePath = SessionService.PathTo(sourceMessages, fromLeaf) ?? throw SessionService.MessageNotFound(fromLeaf);
        if (currentPath.Any(m => m.Id == fromLeaf))
        {
            throw WrightException.Conflict(ErrorCodes.MergeNothingToMerge, "That message is on the current path already: there is nothing to merge.");
        }

        var theirs = await HeadOfAsync(sourcePath, cancellationToken).ConfigureAwait(false)
            ?? throw WrightException.Conflict(ErrorCodes.MergeNothingToMerge, "The branch to merge made no commits Wright knows of: there is nothing to merge.");

        // The workspace goes to the current leaf's git branch first, as a switch of the leaf does (refusing over uncommitted edits unless commitFirst).
        await _branches.SwitchAsync(actor, session.Id, currentLeaf, request.CommitFirst, cancellationToken).ConfigureAwait(false);
        var root = project.RootPath;
        var label = fromSession.Id == session.Id ? $"the branch ending at \"{FirstLine(sourcePath.LastOrDefault(m => m.Role == MessageRole.User)?.Content)}\"" : $"session \"{fromSession.Title}\"";
        var since = sourcePath.Where(m => currentPath.All(c => c.Id != m.Id)).ToList();
        var summary = await SummaryAsync(since, fromSession, fromSession.Id != session.Id, cancellationToken).ConfigureAwait(false);

        var (ours, branch, merged, commit, files) = await ProjectGate.RunAsync(root, async () =>
        {
            var status = await _git.GetStatusAsync(root, cancellationToken).ConfigureAwait(false);
            if (!status.IsClean)
            {
                if (!request.CommitFirst)
                {
                    throw ChatBranches.Dirty(status, "A merge commits into the current branch, but you have uncommitted edits");
                }

                await _branches.CommitEditsAsync(root, status, status.Branch ?? "HEAD", cancellationToken).ConfigureAwait(false);
                status = await _git.GetStatusAsync(root, cancellationToken).ConfigureAwait(false);
            }

            var head = status.Head ?? throw WrightException.Conflict(ErrorCodes.RepositoryEmpty, "The repository has no commit to merge into.");
            if ((await _runner.RunAsync(root, ["merge-base", "--is-ancestor", theirs, head], cancellationToken).ConfigureAwait(false)).ExitCode == 0)
            {
                throw WrightException.Conflict(ErrorCodes.MergeNothingToMerge, $"The current branch already contains {theirs[..12]}: there is nothing to merge.");
            }

            var tree = await new GitBranchMerge(_runner).MergeAsync(root, head, theirs, request.Strategy, cancellationToken).ConfigureAwait(false);
            var message = $"Merge {label} into {status.Branch ?? "HEAD"}\n\n{summary}";
            var sha = (await GitIdentity.CommitAsync(_runner, root, ["commit-tree", tree.Tree, "-p", head, "-p", theirs, "-F", "-"], cancellationToken, message).ConfigureAwait(false)).Trim();
            await _runner.RunCheckedAsync(root, ["merge", "--ff-only", "--quiet", sha], cancellationToken).ConfigureAwait(false);
            var changed = (await _runner.RunCheckedAsync(root, ["-c", "core.quotePath=false", "diff", "--name-only", head, sha], cancellationToken).ConfigureAwait(false))
                .Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();
            return (head, status.Branch, tree, sha, changed);
        }, cancellationToken).ConfigureAwait(false);

        var settled = merged.Resolved.Select(c => $"{c.Path} ({c.Hunks.Count} hunk{(c.Hunks.Count == 1 ? "" : "s")})").ToList();
        var strategy = request.Strategy == MergeStrategy.None ? null : request.Strategy.ToString().ToLowerInvariant();
        var full = new StringBuilder(summary);
        full.Append("\nFiles the merge changed: ").Append(files.Count == 0 ? "none" : string.Join(", ", files.Take(50))).Append('\n');
        if (settled.Count > 0)
        {
            full.Append("Conflicts settled with '").Append(strategy).Append("': ").Append(string.Join(", ", settled)).Append('\n');
        }

        var now = _time.GetUtcNow();
        var promptText = $"Merge {label} into this branch of the conversation.";
        var answerText = $"Merged {label} into {branch ?? "HEAD"} (commit {commit[..12]}, parents {ours[..12]} and {theirs[..12]}).\n\n{full}";
        var user = new Message(Guid.NewGuid(), session.Id, currentLeaf, 0, MessageRole.User, promptText, MessageStatus.Complete, null, [], null, null, now, now);
        var assistant = new Message(Guid.NewGuid(), session.Id, user.Id, 0, MessageRole.Assistant, answerText, MessageStatus.Complete, null, [], null, null, now, now);
        try
        {
            await _conversations.InsertTurnAsync(session with { CurrentLeafId = assistant.Id, UpdatedAt = now }, [user, assistant], null, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            // A merge commit with no merge turn would be history no conversation explains: the
            // branch goes back to where it was (the turn is stored in one transaction, so nothing
            // of it is left either).
            await UndoCommitAsync(root, commit, ours).ConfigureAwait(false);
            throw;
        }


        var mergeRecord = new ContextMergeRecord(fromSession.Id, fromLeaf, theirs, commit, strategy, files, settled, full.ToString());
        await _contexts.SaveContextAsync(new StoredContext(session.Id, user.Id, await MergeContextAsync(currentPath, commit, mergeRecord, now, cancellationToken).ConfigureAwait(false)), cancellationToken).ConfigureAwait(false);
        var turn = new List<TurnMessage>
        {
            TurnMessage.User($"{promptText}\n\n<merged-branch>\n{full}</merged-branch>"),
            TurnMessage.Assistant(answerText),
        };
        var workspaceAfter = await WorkspaceAfterAsync(root, cancellationToken).ConfigureAwait(false);
        await _answers.SaveAnswerAsync(
            new AnswerRecord(assistant.Id, session.Id, ours, commit, [commit], branch, MergedStopReason, null, 0, 0m, null, now, now)
            {
                State = new AnswerState(0, turn, [], null, [commit]) { WorkspaceAfter = workspaceAfter },
            },
            cancellationToken).ConfigureAwait(false);
        await _links.SaveMergeAsync(new MergeLink(assistant.Id, session.Id, fromSession.Id, fromLeaf, theirs, commit, strategy, now), cancellationToken).ConfigureAwait(false);
        foreach (var message in new[] { user, assistant })
        {
            _bus.Publish(SessionEventTypes.MessageCreated, session.ProjectId, new MessageEventData(session.Id, message.Id, message.Role, message.Status));
        }

        _bus.Publish(SessionEventTypes.MessageCompleted, session.ProjectId, new MessageEventData(session.Id, assistant.Id, assistant.Role, assistant.Status));
        var tree = await _sessions.GetTreeAsync(actor, session.Id, cancellationToken).ConfigureAwait(false);
        return new MergeResult(tree, assistant.Id, commit, theirs, files, merged.Resolved, full.ToString());
    }

    /// <summary>Moves the branch back from the merge commit <paramref name="commit"/> to <paramref name="ours"/>, keeping any edit made since (reset --keep refuses to lose one).</summary>
    private async Task UndoCommitAsync(string root, string commit, string ours)
    {
        // Not the request's token: the reset must happen even when the request was cancelled.
        await ProjectGate.RunAsync(root, async () =>
        {
            var head = (await _runner.RunCheckedAsync(root, ["rev-parse", "HEAD"], CancellationToken.None).ConfigureAwait(false)).Trim();
            if (head == commit)
            {
                await _runner.RunCheckedAsync(root, ["reset", "--keep", "--quiet", ours], CancellationToken.None).ConfigureAwait(false);
            }

            return true;
        }, CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>The commit a branch of the conversation is at: what its newest answer with a commit left.</summary>
    private async Task<string?> HeadOfAsync(IReadOnlyList<Message> path, CancellationToken cancellationToken)
    {
        foreach (var answer in path.AsEnumerable().Reverse().Where(m => m.Role == MessageRole.Assistant))
        {
            if ((await _answers.GetAnswerAsync(answer.Id, cancellationToken).ConfigureAwait(false))?.HeadAfter is { } head)
            {
                return head;
            }
        }

        return null;
    }

    /// <summary>A summary of the merged branch from what is stored (no model call): each prompt since it left the current path, how its answer began, and its commits.</summary>
    private async Task<string> SummaryAsync(IReadOnlyList<Message> since, Session from, bool otherSession, CancellationToken cancellationToken)
    {
        var prompts = since.Where(m => m.Role == MessageRole.User).ToList();
        var text = new StringBuilder();
        text.Append("Summary of the merged branch").Append(otherSession ? $" (session \"{from.Title}\")" : "")
            .Append(": ").Append(prompts.Count.ToString(CultureInfo.InvariantCulture)).Append(prompts.Count == 1 ? " prompt" : " prompts").Append(" since it left this one.\n");
        var number = 0;
        foreach (var prompt in prompts)
        {
            var answer = since.FirstOrDefault(m => m.ParentId == prompt.Id && m.Role == MessageRole.Assistant);
            var record = answer is null ? null : await _answers.GetAnswerAsync(answer.Id, cancellationToken).ConfigureAwait(false);
            text.Append(++number).Append(". \"").Append(FirstLine(prompt.Content)).Append('"');
            if (answer is { Content.Length: > 0 })
            {
                text.Append(" → ").Append(FirstLine(answer.Content));
            }

            if (record is { Commits.Count: > 0 })
            {
                text.Append(" [").Append(string.Join(", ", record.Commits.Select(c => c[..Math.Min(12, c.Length)]))).Append(']');
            }

            text.Append('\n');
        }

        return text.ToString();
    }

    /// <summary>The merge prompt's Context: the nearest earlier Context on the path carried forward (so the next prompt is incremental), holding the merge.</summary>
    private async Task<ContextRecord> MergeContextAsync(IReadOnlyList<Message> currentPath, string commit, ContextMergeRecord merge, DateTimeOffset now, CancellationToken cancellationToken)
    {
        foreach (var prompt in currentPath.AsEnumerable().Reverse().Where(m => m.Role == MessageRole.User))
        {
            if (await _contexts.GetContextAsync(prompt.Id, cancellationToken).ConfigureAwait(false) is { } stored)
            {
                return stored.Record with { Id = Guid.NewGuid(), CreatedAt = now, Turn = stored.Record.Turn + 1, Head = commit, BudgetTokens = 0, TokenCount = 0, Sources = [], FilesSent = [], Excluded = [], History = null, Merge = merge };
            }
        }

        return new ContextRecord(Guid.NewGuid(), now, 1, commit, 0, 0, [], [], new Dictionary<string, string>(), []) { Merge = merge };
    }

    private async Task<IReadOnlyDictionary<string, string>?> WorkspaceAfterAsync(string root, CancellationToken cancellationToken)
    {
        var snapshot = await _scanner.ScanAsync(new ContextRequest(root, "", 0), cancellationToken).ConfigureAwait(false);
        return snapshot.Files.ToDictionary(f => f.Key, f => f.Value.Hash, StringComparer.Ordinal);
    }

    private static string FirstLine(string? text)
    {
        var line = (text ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? "";
        return line.Length <= 100 ? line : line[..100] + "…";
    }
}
