using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Wright.Core.Errors;
using Wright.Core.Events;
using Wright.Core.Git;
using Wright.Core.Workspace;

namespace Wright.Core.Actions;

/// <summary>What recovery found: no interrupted run, a run that had committed, or one rolled back to its safety point.</summary>
public enum RecoveryOutcome
{
    NothingToRecover,
    Completed,
    RolledBack,
}

/// <summary>
/// Applies the actions of one assistant response as one transaction (an ActionRun): validate
/// and stage everything; commit the user's own uncommitted edits on the files it will touch;
/// record a safety point (the journal with each touched file's old bytes, plus a git safety point
/// when a command may touch anything); execute; then one commit with the seed's message — or,
/// on any failure, restore every file to the safety point and report which action failed and why.
/// A process killed mid-run leaves the journal, and <see cref="RecoverAsync"/> (run before every
/// run and at start-up) completes or rolls back what it finds.
/// </summary>
public sealed class ActionRunner
{
    /// <summary>Prompts longer than this are cut in the commit message (git messages are capped at 64 KiB).</summary>
    public const int MaxPromptCharsInMessage = 48 * 1024;

    public const string ActionTrailer = "Wright-Action";

    private const int MaxCommitLogChars = 4 * 1024 * 1024;
    private const int MaxCommitFiles = 10_000;
    public const string ProjectTrailer = "Wright-Project";
    public const string SessionTrailer = "Wright-Session";
    public const string MessageTrailer = "Wright-Message";
    public const string CoAuthorTrailer = "Co-authored-by";

    private readonly GitService _gitService;
    private readonly GitRunner _git;
    private readonly IReadOnlyList<IActionHandler> _handlers;
    private readonly TimeProvider _time;
    private readonly ILogger<ActionRunner> _logger;
    private readonly IEventBus? _events;
    private readonly ConcurrentDictionary<string, string> _journalPaths = new(StringComparer.Ordinal);

    /// <param name="events">Where each file the run writes is announced as <c>file.changed</c> with source <c>ai</c>; none in a process without a bus (a test's runner).</param>
    public ActionRunner(GitService gitService, GitRunner git, IEnumerable<IActionHandler> handlers, TimeProvider time, ILogger<ActionRunner> logger, IEventBus? events = null)
    {
        _gitService = gitService;
        _git = git;
        _handlers = handlers.ToList();
        _time = time;
        _logger = logger;
        _events = events;
    }

    public async Task<ActionRunResult> RunAsync(ActionRunRequest request, CancellationToken cancellationToken)
    {
        var root = PathJail.ResolveReal(Path.GetFullPath(request.ProjectRoot));

        // The project's one gate, from the first read to the commit: an API save lands before the
        // run reads the file or after it committed, never in between.
        return await ProjectGate.RunAsync(root, async () =>
        {
            await RecoverCoreAsync(root, request.ProjectId, cancellationToken).ConfigureAwait(false);
            return await RunCoreAsync(request, root, cancellationToken).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Finishes a run a dead process left behind in <paramref name="projectRoot"/>: keeps its commit if it landed, else restores its safety point.</summary>
    /// <remarks>Also sweeps the temp files that killed writes left in the project's temp directory (start-up calls this for every project).</remarks>
    public async Task<RecoveryOutcome> RecoverAsync(string projectRoot, CancellationToken cancellationToken, Guid? projectId = null)
    {
        var root = PathJail.ResolveReal(Path.GetFullPath(projectRoot));
        return await ProjectGate.InspectAsync(root, () => RecoverCoreAsync(root, projectId, cancellationToken), cancellationToken).ConfigureAwait(false);
    }

    private async Task<ActionRunResult> RunCoreAsync(ActionRunRequest request, string root, CancellationToken cancellationToken)
    {
        var actionId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
        var context = new ActionRunContext(request, actionId, root, _time, _logger, _events);
        var handlers = new IActionHandler[request.Actions.Count];

        // git status runs while the actions are validated (which only reads files).
        var statusBefore = _gitService.GetStatusAsync(root, cancellationToken);
        try
        {
            return await RunAfterStatusAsync(request, root, actionId, context, handlers, statusBefore, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            // Observed on every path, so a failed validation never leaves a faulted task behind.
            await statusBefore.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default).ConfigureAwait(false);
        }
    }

    private async Task<ActionRunResult> RunAfterStatusAsync(ActionRunRequest request, string root, string actionId, ActionRunContext context, IActionHandler[] handlers, Task<GitStatus> statusBefore, CancellationToken cancellationToken)
    {

        // 1. Validate and stage every action; nothing on disk changes yet.
        for (var i = 0; i < request.Actions.Count; i++)
        {
            context.CurrentIndex = i;
            var action = request.Actions[i];
            handlers[i] = _handlers.FirstOrDefault(h => h.CanHandle(action))!;
            if (handlers[i] is null)
            {
                return Failed(context, i, ActionErrorCodes.ActionUnsupported, $"No handler runs {action.Type} actions of kind {action.GetType().Name}.");
            }

            try
            {
                await handlers[i].ValidateAsync(action, context, cancellationToken).ConfigureAwait(false);
            }
            catch (WrightException ex)
            {
                return Failed(context, i, ex.Code, ex.Message);
            }
        }

        await context.ReportAsync(ActionRunStage.Validated, null, cancellationToken).ConfigureAwait(false);
        var changes = context.Files.ChangedPaths
            .Select(p => new ActionFileChange(p, context.Files.KindOf(p)))
            .Where(c => c.Kind != FileChangeKind.Unchanged)
            .ToList();
        var touched = changes.Select(c => c.Path).ToHashSet(StringComparer.Ordinal);

        // 2. The user's own uncommitted edits on files the run touches become their own commit first.
        var before = await statusBefore.ConfigureAwait(false);
        var dirtyBefore = StatusPaths(before);
        var userPaths = dirtyBefore.Where(touched.Contains).Order(StringComparer.Ordinal).ToList();
        GitCommit? userCommit = null;
        if (userPaths.Count > 0)
        {
            userCommit = await _gitService.CommitAsync(
                root,
                $"Save your edits before Wright's change [{actionId}]\n\nUncommitted edits to {userPaths.Count} file(s) that the AI was about to change, committed as they were so they are never lost.",
                userPaths,
                [new(ActionTrailer + "-Before", actionId)],
                cancellationToken).ConfigureAwait(false);
            ActionsLog.UserEditsCommitted(_logger, actionId, userPaths.Count, userCommit.Sha);
            await context.ReportAsync(ActionRunStage.UserEditsCommitted, userCommit.Sha, cancellationToken).ConfigureAwait(false);
        }

        // 3. The safety point and the journal that makes a crash from here on recoverable.
        var fullSafetyPoint = request.Actions.Any(a => a is not (FileChangeAction or TextEditAction or ConfigAction or ScaffoldAction));
        var safety = fullSafetyPoint ? await _gitService.CreateSafetyPointAsync(root, cancellationToken).ConfigureAwait(false) : null;
        var head = safety is not null ? safety.Head : userCommit?.Sha ?? before.Head;
        var originals = context.Files.ChangedPaths
            .Select(p => new JournalFile(p, context.OriginalBytes(p) is { } bytes ? Convert.ToBase64String(bytes) : null))
            .ToList();
        var journal = new ActionRunJournal(actionId, safety?.Id, head, _time.GetUtcNow(), Environment.ProcessId, originals);
        var journalPath = await JournalPathAsync(root, cancellationToken).ConfigureAwait(false);
        journal.Write(journalPath);
        await context.ReportAsync(ActionRunStage.SafetyPointCreated, safety?.Id, cancellationToken).ConfigureAwait(false);

        // 4. Execute in order; any failure restores the safety point.
        var executed = 0;
        try
        {
            for (var i = 0; i < request.Actions.Count; i++)
            {
                context.CurrentIndex = i;
                executed = i + 1;
                await handlers[i].ExecuteAsync(request.Actions[i], context, cancellationToken).ConfigureAwait(false);
            }

            // 5. One commit: the staged files plus whatever commands changed, never the user's other dirty files.
            var commitPaths = touched.Order(StringComparer.Ordinal).ToList();
            if (fullSafetyPoint)
            {
                var after = await _gitService.GetStatusAsync(root, cancellationToken).ConfigureAwait(false);
                commitPaths = StatusPaths(after).Where(p => touched.Contains(p) || !dirtyBefore.Contains(p)).Order(StringComparer.Ordinal).ToList();
                foreach (var extra in commitPaths.Where(p => !touched.Contains(p)))
                {
                    changes.Add(new ActionFileChange(extra, ChangeKindOf(after, extra)));
                }
            }

            GitCommit? commit = null;
            if (commitPaths.Count > 0)
            {
                await context.ReportAsync(ActionRunStage.Committing, null, cancellationToken).ConfigureAwait(false);
                var needsAdd = fullSafetyPoint || changes.Any(c => c.Kind == FileChangeKind.Created) || commitPaths.Any(p => before.Entries.Any(e => e.Path == p && e.Worktree == GitChange.Untracked));
                commit = await CommitAsync(root, CommitMessage(request, actionId, changes), commitPaths, needsAdd, Trailers(request, actionId), cancellationToken).ConfigureAwait(false);
                ActionsLog.Committed(_logger, actionId, commit.Sha, root, commitPaths.Count);
            }

            // From here the run has succeeded whatever happens: recovery recognises the commit by its trailer.
            await context.ReportAsync(ActionRunStage.Committed, commit?.Sha, CancellationToken.None).ConfigureAwait(false);
            ActionRunJournal.Delete(journalPath);
            if (safety is not null)
            {
                await _gitService.DeleteSafetyPointAsync(root, safety.Id, CancellationToken.None).ConfigureAwait(false);
            }

            return new ActionRunResult(actionId, true, commit, userCommit, changes, context.Commands, null);
        }
        catch (Exception ex) when (ex is WrightException or IOException or UnauthorizedAccessException || (ex is OperationCanceledException && cancellationToken.IsCancellationRequested))
        {
            // A cancelled run is rolled back like a failed one (and the cancellation then rethrown):
            // the workspace must never stay half-applied.
            var index = context.CurrentIndex;
            var (code, detail) = ex switch
            {
                WrightException w => (w.Code, w.Message),
                OperationCanceledException => ("cancelled", "The run was cancelled."),
                _ => (ActionErrorCodes.ActionFailed, $"Writing the files failed: {ex.Message}"),
            };
            ActionsLog.Failed(_logger, actionId, index, code, root);

            // Rollback must finish even when the run's token is what stopped it: a half-applied
            // workspace is the one outcome a run may never leave behind.
            try
            {
                for (var i = executed - 1; i >= 0; i--)
                {
                    context.CurrentIndex = i;
                    await handlers[i].RollbackAsync(request.Actions[i], context, CancellationToken.None).ConfigureAwait(false);
                }

                await RestoreAsync(root, journal, request.ProjectId, CancellationToken.None).ConfigureAwait(false);
                ActionRunJournal.Delete(journalPath);
            }
            catch (Exception rollbackError) when (rollbackError is WrightException or IOException)
            {
                ActionsLog.RollbackFailed(_logger, rollbackError, actionId, root);
                throw;
            }

            await context.ReportAsync(ActionRunStage.RolledBack, null, CancellationToken.None).ConfigureAwait(false);
            if (ex is OperationCanceledException)
            {
                throw;
            }

            return new ActionRunResult(actionId, false, null, userCommit, [], context.Commands,
                new ActionFailure(index, request.Actions[index].Type, code, $"Action {index + 1} ({request.Actions[index].Type}) failed: {detail}"));
        }
    }

    /// <summary>
    /// Puts the working tree back as the journal found it: reset to the full safety point when
    /// there is one; otherwise each journaled file gets its old bytes back (or is removed), its
    /// index entry is reset to HEAD's, and the run's temp files are swept.
    /// </summary>
    private async Task RestoreAsync(string root, ActionRunJournal journal, Guid? projectId, CancellationToken cancellationToken)
    {
        if (journal.SafetyPointId is { } safetyPoint)
        {
            await _gitService.ResetToSafetyPointAsync(root, safetyPoint, cancellationToken).ConfigureAwait(false);
            await _gitService.DeleteSafetyPointAsync(root, safetyPoint, cancellationToken).ConfigureAwait(false);
            return;
        }

        var directories = new HashSet<string>(StringComparer.Ordinal);
        foreach (var file in journal.Files)
        {
            var jailed = PathJail.Resolve(root, file.Path);
            directories.Add(Path.GetDirectoryName(jailed.RealPath)!);
            if (file.Content is { } content)
            {
                var bytes = Convert.FromBase64String(content);
                AtomicFile.Write(root, jailed.RealPath, bytes);
                PublishRestored(projectId, journal.ActionId, EventTypes.FileChanged, file.Path, FileETag.Compute(bytes));
            }
            else if (File.Exists(jailed.EntryPath))
            {
                File.Delete(jailed.EntryPath);
                PublishRestored(projectId, journal.ActionId, EventTypes.FileDeleted, file.Path, null);
            }
        }

        // The run's prepared temp files: in the git directory, or beside their targets when it is on another file system.
        AtomicFile.Sweep(root, _time.GetUtcNow());
        foreach (var directory in directories.Where(Directory.Exists))
        {
            AtomicFile.SweepBeside(directory, _time.GetUtcNow(), ownAreDead: true);
        }

        // The commit step may have staged some of the files: their index entries go back to HEAD's
        // (at the journal's start they matched HEAD, because the user's edits on them were committed).
        var paths = journal.Files.Select(f => f.Path).ToList();
        if (paths.Count > 0)
        {
            List<string> reset = journal.Head is not null
                ? ["--literal-pathspecs", "reset", "--quiet", journal.Head, "--", .. paths]
                : ["--literal-pathspecs", "rm", "--quiet", "--cached", "--ignore-unmatch", "-r", "--", .. paths];
            await _git.RunCheckedAsync(root, reset, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Commits exactly <paramref name="paths"/> with the message and trailers, as the user's git
    /// identity (Wright's fallback only when the machine has none). Leaner than the general commit:
    /// no <c>git add</c> unless a path is new to git, no identity lookups unless git asks.
    /// </summary>
    private async Task<GitCommit> CommitAsync(string root, string message, IReadOnlyList<string> paths, bool needsAdd, IReadOnlyList<KeyValuePair<string, string>> trailers, CancellationToken cancellationToken)
    {
        GitInput.CommitMessage(message);
        if (needsAdd)
        {
            await _git.RunCheckedAsync(root, ["--literal-pathspecs", "add", "--all", "--", .. paths], cancellationToken).ConfigureAwait(false);
        }

        // The trailer block is written into the message rather than passed as --trailer, which
        // would make git start interpret-trailers as one more process; the message's last
        // paragraph (the Metadata list) is never a trailer block, so the result is the same.
        var trailerBlock = string.Concat(trailers.Select(t => GitInput.Trailer(t.Key, t.Value)).Select(t => $"{t.Key}: {t.Value}\n"));
        message = message.TrimEnd('\n') + "\n\n" + trailerBlock;
        List<string> arguments = ["--literal-pathspecs", "commit", "--quiet", "--no-verify", "--cleanup=whitespace", "--file=-", "--only", "--", .. paths];
        var result = await GitIdentity.RunAsync(_git, root, arguments, cancellationToken, message).ConfigureAwait(false);

        if (!result.Succeeded)
        {
            throw WrightException.Conflict(ErrorCodes.GitFailed, $"git commit failed: {result.StandardError.Trim()}");
        }

        // The new commit as GitService reports commits, read in one git call (the same log format and options).
        var log = await _git.RunCappedAsync(
            root,
            [
                "-c", "log.showSignature=false", "-c", "log.showRoot=true", "-c", "diff.noprefix=false", "-c", "diff.mnemonicPrefix=false",
                "log", "-z", "--format=" + GitOutputParser.LogFormat, "--raw", "--numstat",
                "--no-color", "--no-ext-diff", "--no-textconv", "-M", "--diff-merges=first-parent", "--no-relative", "--max-count=1", "HEAD", "--",
            ],
            MaxCommitLogChars,
            cancellationToken).ConfigureAwait(false);
        var (commits, _) = GitOutputParser.ParseLog(log.Output, log.Truncated, MaxCommitFiles);
        return commits.Count == 1 ? commits[0] : await _gitService.GetCommitAsync(root, "HEAD", cancellationToken).ConfigureAwait(false);
    }

    private async Task<string> JournalPathAsync(string root, CancellationToken cancellationToken)
    {
        if (!_journalPaths.TryGetValue(root, out var path))
        {
            path = await ActionRunJournal.PathAsync(_git, root, cancellationToken).ConfigureAwait(false);
            _journalPaths[root] = path;
        }

        return path;
    }

    private void PublishRestored(Guid? projectId, string actionId, string type, string path, string? etag)
    {
        if (_events is not null && projectId is { } project)
        {
            _events.Publish(type, project, new FileEventData(path, etag, FileEventSources.Ai, actionId));
        }
    }

    private async Task<RecoveryOutcome> RecoverCoreAsync(string root, Guid? projectId, CancellationToken cancellationToken)
    {
        foreach (var leftover in AtomicFile.Sweep(root, _time.GetUtcNow()))
        {
            ActionsLog.StaleTempRemoved(_logger, leftover);
        }

        var journalPath = await JournalPathAsync(root, cancellationToken).ConfigureAwait(false);
        var journal = ActionRunJournal.Read(journalPath);
        if (journal is null)
        {
            return RecoveryOutcome.NothingToRecover;
        }

        // Recovery changes the workspace: what git said about it before is stale.
        WatchedGitState.Changed(root);

        RemoveStaleIndexLock(root, journalPath, journal);
        var head = await _git.RunAsync(root, ["rev-parse", "--verify", "--quiet", "HEAD"], cancellationToken).ConfigureAwait(false);
        var headSha = head.Succeeded ? head.StandardOutput.Trim() : null;
        var outcome = RecoveryOutcome.RolledBack;
        if (headSha is not null && headSha != journal.Head)
        {
            var trailers = await _git.RunCheckedAsync(root, ["log", "-1", $"--format=%(trailers:key={ActionTrailer},valueonly=true)", headSha], cancellationToken).ConfigureAwait(false);
            if (trailers.Split('\n', StringSplitOptions.TrimEntries).Contains(journal.ActionId, StringComparer.Ordinal))
            {
                outcome = RecoveryOutcome.Completed;
            }
        }

        if (outcome == RecoveryOutcome.RolledBack)
        {
            await RestoreAsync(root, journal, projectId, cancellationToken).ConfigureAwait(false);
        }
        else if (journal.SafetyPointId is { } safetyPoint)
        {
            await _gitService.DeleteSafetyPointAsync(root, safetyPoint, cancellationToken).ConfigureAwait(false);
        }

        ActionRunJournal.Delete(journalPath);
        ActionsLog.Recovered(_logger, journal.ActionId, root, outcome.ToString());
        return outcome;
    }

    /// <summary>
    /// A run killed inside <c>git commit</c> leaves <c>index.lock</c>, which blocks every later git
    /// command. It is removed only when the journal's process is gone (so the lock cannot be live)
    /// and the lock is no older than the run (so it is the run's own).
    /// </summary>
    private void RemoveStaleIndexLock(string root, string journalPath, ActionRunJournal journal)
    {
        var gitDir = Path.GetDirectoryName(Path.GetDirectoryName(journalPath)!)!;
        var lockPath = Path.Combine(gitDir, "index.lock");
        if (!File.Exists(lockPath) || IsAlive(journal.ProcessId) || File.GetLastWriteTimeUtc(lockPath) < journal.StartedAt.UtcDateTime.AddSeconds(-1))
        {
            return;
        }

        File.Delete(lockPath);
        ActionsLog.StaleLockRemoved(_logger, journal.ProcessId, root);
    }

    private static bool IsAlive(int processId)
    {
        if (processId == Environment.ProcessId)
        {
            // This process wrote the journal and is not inside a run (the gate is held): the run died by an exception path we did not finish.
            return false;
        }

        try
        {
            using var process = Process.GetProcessById(processId);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static HashSet<string> StatusPaths(GitStatus status)
    {
        var paths = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in status.Entries)
        {
            paths.Add(entry.Path);
            if (entry.OriginalPath is not null)
            {
                paths.Add(entry.OriginalPath);
            }
        }

        return paths;
    }

    private static FileChangeKind ChangeKindOf(GitStatus status, string path)
    {
        var entry = status.Entries.FirstOrDefault(e => e.Path == path || e.OriginalPath == path);
        return entry switch
        {
            null => FileChangeKind.Modified,
            { Worktree: GitChange.Untracked } or { Index: GitChange.Added } => FileChangeKind.Created,
            { Worktree: GitChange.Deleted } or { Index: GitChange.Deleted } => FileChangeKind.Deleted,
            _ when entry.OriginalPath == path => FileChangeKind.Deleted,
            _ => FileChangeKind.Modified,
        };
    }

    /// <summary>The seed's commit message: subject with the action id, the action types, the full prompt, the changes and the metadata.</summary>
    public string CommitMessage(ActionRunRequest request, string actionId, IReadOnlyList<ActionFileChange> changes)
    {
        var prompt = request.Prompt.Trim();
        if (prompt.Length > MaxPromptCharsInMessage)
        {
            prompt = prompt[..MaxPromptCharsInMessage] + " … (prompt cut; the session stores it whole)";
        }

        var summary = request.Summary ?? prompt.Split('\n', 2)[0];
        summary = summary.Trim();
        if (summary.Length > 60)
        {
            summary = summary[..57].TrimEnd() + "...";
        }

        if (summary.Length == 0)
        {
            summary = "AI-assisted changes";
        }

        var types = request.Actions.Select(a => a.Type).Distinct(StringComparer.Ordinal);
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"feat(ai): [{actionId}] {summary}\n\n");
        text.Append(CultureInfo.InvariantCulture, $"Action: {string.Join(", ", types)}\n");
        text.Append(CultureInfo.InvariantCulture, $"Prompt: {prompt}\n\n");
        text.Append("Changes:\n");
        foreach (var change in changes.OrderBy(c => c.Path, StringComparer.Ordinal))
        {
            var verb = change.Kind switch
            {
                FileChangeKind.Created => "Created",
                FileChangeKind.Deleted => "Deleted",
                _ => "Modified",
            };
            text.Append(CultureInfo.InvariantCulture, $"- {verb} {change.Path}\n");
        }

        text.Append("\nMetadata:\n");
        text.Append(CultureInfo.InvariantCulture, $"- Model: {request.Model}\n");
        text.Append(CultureInfo.InvariantCulture, $"- Temperature: {(request.Temperature is { } t ? t.ToString("0.###", CultureInfo.InvariantCulture) : "default")}\n");
        text.Append(CultureInfo.InvariantCulture, $"- Action ID: {actionId}\n");
        text.Append(CultureInfo.InvariantCulture, $"- Timestamp: {_time.GetUtcNow().ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture)}\n");
        return text.ToString();
    }

    private static List<KeyValuePair<string, string>> Trailers(ActionRunRequest request, string actionId)
    {
        var trailers = new List<KeyValuePair<string, string>>
        {
            new(ActionTrailer, actionId),
            new(ProjectTrailer, request.ProjectId.ToString("D")),
        };
        if (!string.IsNullOrWhiteSpace(request.SessionId))
        {
            trailers.Add(new(SessionTrailer, request.SessionId));
        }

        if (!string.IsNullOrWhiteSpace(request.MessageId))
        {
            trailers.Add(new(MessageTrailer, request.MessageId));
        }

        trailers.Add(new(CoAuthorTrailer, $"wright ({request.Model})"));
        return trailers;
    }

    private static ActionRunResult Failed(ActionRunContext context, int index, string code, string detail) =>
        new(context.ActionId, false, null, null, [], context.Commands,
            new ActionFailure(index, context.Request.Actions[index].Type, code, $"Action {index + 1} ({context.Request.Actions[index].Type}) failed: {detail}"));
}
