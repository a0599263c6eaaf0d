using System.Collections.Concurrent;
using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Wright.Core.Actions;
using Wright.Core.Actions.EditFormats;
using Wright.Core.Context;
using Wright.Core.Conversations;
using Wright.Core.Engine;
using Wright.Core.Errors;
using Wright.Core.Git;
using Wright.Core.Llm;
using Wright.Core.Projects;

namespace Wright.Core.Answers;

/// <summary>What starting an answer takes.</summary>
/// <param name="User">The new user message to store with the answer; null when answering a stored prompt again.</param>
/// <param name="Path">The conversation from the root to the prompt, oldest first (the prompt last).</param>
/// <param name="CommitFirst">Commit the user's uncommitted edits instead of refusing when the answer must switch git branches.</param>
/// <param name="AfterComplete">Runs after a complete answer's message is saved, before its last event (the session's automatic title).</param>
/// <param name="Project">The session's project when the caller has it already (read for the access check); otherwise it is read here.</param>
public sealed record AnswerStart(
    Session Session,
    Message? User,
    IReadOnlyList<Message> Path,
    ResolvedModel Model,
    Guid? UserId,
    CommandApprovalPolicy? ApprovalOverride = null,
    bool CommitFirst = false,
    IDisposable? Lease = null,
    Func<CancellationToken, Task>? AfterComplete = null,
    Project? Project = null);

/// <summary>How an answer ended: its text and tool calls, status and error, each provider call and its record.</summary>
public sealed record AnswerOutcome(string Text, IReadOnlyList<ToolCall> Calls, MessageStatus Status, string? Code, string? Detail, IReadOnlyList<StepAccount> Steps, AnswerRecord? Record);

/// <summary>
/// The answer pipeline: Prepare → ModelStep → ToolDispatch (→ ModelStep …, until the model answers
/// without a tool call, or the step limit, the cost budget or the stuck detector stops it) →
/// ActionRun of everything the answer changed (one commit) → Recorder. Everything that can refuse
/// a prompt (a bad branch point, uncommitted edits in the way) is checked before anything is
/// stored or streamed. Between model steps the answer's state is saved with its record, so each
/// step works from persisted inputs. It also keeps the live streams of answers in progress.
/// </summary>
public sealed partial class AnswerPipeline : IAsyncDisposable
{
    private readonly IProjectRepository _projects;
    private readonly ChatBranches _branches;
    private readonly ActionRunner _runner;
    private readonly GitService _git;
    private readonly Prepare _prepare;
    private readonly ModelStep _model;
    private readonly ToolDispatch _tools;
    private readonly Recorder _recorder;
    private readonly WorkspaceScanner _scanner;
    private readonly TokenCalibration _calibration;
    private readonly EngineOptions _options;
    private readonly ConversationsOptions _streamOptions;
    private readonly TimeProvider _time;
    private readonly ILogger<AnswerPipeline> _logger;
    private readonly ConcurrentDictionary<Guid, AnswerStream> _streams = new();
    private readonly AnswerStartTurns _turns = new(System.Environment.ProcessorCount, AnswerStartTurns.DefaultMaxWait);
    private readonly CancellationTokenSource _stopping = new();

    public AnswerPipeline(
        IProjectRepository projects,
        ChatBranches branches,
        ActionRunner runner,
        GitService git,
        Prepare prepare,
        ModelStep model,
        ToolDispatch tools,
        Recorder recorder,
        WorkspaceScanner scanner,
        TokenCalibration calibration,
        IOptions<EngineOptions> options,
        IOptions<ConversationsOptions> streamOptions,
        TimeProvider time,
        ILogger<AnswerPipeline> logger)
    {
        _projects = projects;
        _branches = branches;
        _runner = runner;
        _git = git;
        _prepare = prepare;
        _model = model;
        _tools = tools;
        _recorder = recorder;
        _scanner = scanner;
        _calibration = calibration;
        _options = options.Value;
        _streamOptions = streamOptions.Value;
        _time = time;
        _logger = logger;
    }

    public EngineOptions Options => _options;

    /// <summary>
    /// Checks that the prompt can be answered and puts the workspace on its git line (a new branch
    /// for a sibling prompt), then stores the turn and runs the answer in the background. A refusal
    /// (<c>uncommitted_changes</c>, a missing project) throws before anything is stored.
    /// </summary>
    public async Task<AnswerStream> StartAsync(AnswerStart start, CancellationToken cancellationToken)
    {
        using var turn = await _turns.TakeAsync(cancellationToken).ConfigureAwait(false);
        return await StartInTurnAsync(start, cancellationToken).ConfigureAwait(false);
    }

    private async Task<AnswerStream> StartInTurnAsync(AnswerStart start, CancellationToken cancellationToken)
    {
        var session = start.Session;
        var project = start.Project ?? await _projects.GetAsync(session.ProjectId, cancellationToken).ConfigureAwait(false)
            ?? throw WrightException.NotFound(ErrorCodes.ProjectNotFound, "The session's project no longer exists.");
        var root = project.RootPath;

        // Recovery is lazy: an ActionRun a killed process left in this project is settled before anything reads it.
        var recovered = await _runner.RecoverAsync(root, cancellationToken).ConfigureAwait(false);
        if (recovered != RecoveryOutcome.NothingToRecover)
        {
            EngineLog.Recovered(_logger, project.Id, recovered.ToString());
        }

        var line = await _branches.PrepareAnswerAsync(root, session, start.Path, start.CommitFirst, cancellationToken).ConfigureAwait(false);

        var now = _time.GetUtcNow();
        var prompt = start.User ?? start.Path[^1];
        var assistant = new Message(Guid.NewGuid(), session.Id, prompt.Id, 0, MessageRole.Assistant, "", MessageStatus.Streaming, start.Model.Name.ToString(), [], null, null, now, now);
        var stream = new AnswerStream(session.ProjectId, session.Id, assistant.Id, _time, _streamOptions.DisconnectGracePeriod);
        var scope = new AnswerScope(session, prompt, assistant, stream, start.Model, start.UserId, start.ApprovalOverride);

        // Prepare only reads: the prompt and its answer are stored on another thread while the
        // first provider request is built and sent here, instead of one after the other. The
        // answer handles none of the provider's output before they are stored (scope.TurnStored),
        // so its events and rows still follow the turn's; a turn that cannot be stored (the
        // database failing) cancels the call and records nothing.
        var storing = _recorder.BeginAsync(scope, start.User, cancellationToken);
        scope.TurnStored = GoLiveWhenStoredAsync(storing, scope, line);
        var preparing = _prepare.RunAsync(new PrepareInput(project, session, start.Path, start.Model, start.UserId, line.Status), stream.Token);

        // The answer outlives the request that started it (other clients may watch it); it is
        // cancelled through its stream, never by that request's token. It is not queued to another
        // thread: it waits for Prepare right away and goes on where Prepare ends, so the way to
        // the provider call costs no thread hop of its own.
        stream.Completion = ExecuteAsync(scope, project, line, start, preparing);
        try
        {
            await scope.TurnStored.ConfigureAwait(false);
        }
        catch
        {
            stream.Cancel(AnswerCancelReason.Stopped);
            await stream.Completion.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            throw;
        }

        return stream;
    }

    /// <summary>Once the turn is stored: the answer can be found by other clients, and its new git branch is announced.</summary>
    private async Task GoLiveWhenStoredAsync(Task storing, AnswerScope scope, AnswerLine line)
    {
        await storing.ConfigureAwait(false);
        _streams[scope.Assistant.Id] = scope.Stream;
        if (line.Created)
        {
            _recorder.Branched(scope, line.Branch!, line.BaseCommit!);
            EngineLog.Branched(_logger, scope.Session.Id, line.Branch!, line.BaseCommit!);
        }
    }

    /// <summary>The live stream of an answer (null when it is not in progress in this server any more).</summary>
    public AnswerStream? Live(Guid messageId) => _streams.TryGetValue(messageId, out var stream) ? stream : null;

    /// <summary>At shutdown: every answer still streaming is cancelled and saved as <c>interrupted</c>.</summary>
    public async Task StopAllAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        var streams = _streams.Values.ToList();
        foreach (var stream in streams)
        {
            stream.Cancel(AnswerCancelReason.ServerStopping);
        }

        await Task.WhenAll(streams.Select(r => r.Completion)).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        using var bounded = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await StopAllAsync(bounded.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (bounded.IsCancellationRequested)
        {
            // An answer that does not finish saving within the bound is left to start-up recovery,
            // which marks it interrupted with its last saved text.
        }
    }

    /// <summary>
    /// The edit format a text answer is written in, or null when it has no edits. Whole files need
    /// a path line right before the fence: a code block after prose that merely mentions a file
    /// ("in `app.py` you could write …") is an example, and taking it for the file's new content
    /// would destroy the file.
    /// </summary>
    internal static EditFormat? TextEditFormatOf(string text)
    {
        if (text.Contains("*** Begin Patch", StringComparison.Ordinal) || PatchFileLine().IsMatch(text))
        {
            return EditFormat.Patch;
        }

        if (SearchMarker().IsMatch(text) && ReplaceMarker().IsMatch(text))
        {
            return EditFormat.SearchReplace;
        }

        if (text.Contains("```diff", StringComparison.Ordinal) && text.Contains("\n@@", StringComparison.Ordinal))
        {
            return EditFormat.UnifiedDiff;
        }

        return WholeFileFence().IsMatch(text) ? EditFormat.Whole : null;
    }

    [GeneratedRegex(@"(?:^|\n)[ \t]*[*_`#]*[ \t]*[\w.\-]+(?:[/\\][\w.\-]+)*\.[\w]+[*_`:]*[ \t]*\r?\n```", RegexOptions.CultureInvariant)]
    private static partial Regex WholeFileFence();

    [GeneratedRegex(@"^\*\*\* (?:Update|Add|Delete) File: ", RegexOptions.Multiline | RegexOptions.CultureInvariant)]
    private static partial Regex PatchFileLine();

    [GeneratedRegex(@"^<{5,9} SEARCH>?\s*$", RegexOptions.Multiline | RegexOptions.CultureInvariant)]
    private static partial Regex SearchMarker();

    [GeneratedRegex(@"^>{5,9} REPLACE\s*$", RegexOptions.Multiline | RegexOptions.CultureInvariant)]
    private static partial Regex ReplaceMarker();

    private async Task ExecuteAsync(AnswerScope scope, Project project, AnswerLine line, AnswerStart start, Task<PreparedRequest> preparing)
    {
        AnswerOutcome outcome;
        try
        {
            outcome = await RunAsync(scope, project, line, preparing, scope.Stream.Token).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            await scope.TurnStored.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            if (!scope.TurnStored.IsCompletedSuccessfully)
            {
                // The turn was never stored (StartAsync reports why): there is nothing to record.
                return;
            }

            AnswerLog.Failed(_logger, ex, scope.Assistant.Id);
            outcome = new AnswerOutcome("", [], MessageStatus.Error, ErrorCodes.InternalError, "Wright failed while running this answer; the server log has the details.", [], null);
        }

        var final = scope.Assistant with { Content = outcome.Text, ToolCalls = outcome.Calls, Status = outcome.Status, ErrorCode = outcome.Code, ErrorDetail = outcome.Detail, UpdatedAt = _time.GetUtcNow() };
        await _recorder.FinishedAsync(scope, final, start.AfterComplete).ConfigureAwait(false);
        start.Lease?.Dispose();
        _ = EvictLaterAsync(scope.Stream);
    }

    /// <summary>Runs the answer to the end; never throws for a provider, tool or action failure (the outcome carries it).</summary>
    private async Task<AnswerOutcome> RunAsync(AnswerScope scope, Project project, AnswerLine line, Task<PreparedRequest> preparing, CancellationToken cancellationToken)
    {
        var run = new Progress(scope, line, _time.GetUtcNow());
        try
        {
            await StepsAsync(scope, project, preparing, run, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopped, abandoned by every client, or the server is stopping: keep what arrived; stage nothing more.
            run.Cancelled(scope.Stream.CancelReason);
        }
        catch (ModelStepFailed failed)
        {
            run.Steps.Add(failed.Account);
            switch (failed.InnerException)
            {
                case OperationCanceledException:
                    run.Cancelled(scope.Stream.CancelReason);
                    break;
                case LlmCallFailed call:
                    run.Failed(call.Error.Code, call.Error.Message, StopReasons.ProviderError);
                    break;
                case WrightException ex:
                    run.Failed(ex.Code, ex.Message, ex.Code.StartsWith("provider_", StringComparison.Ordinal) ? StopReasons.ProviderError : StopReasons.ActionFailed);
                    break;
            }
        }
        catch (WrightException ex)
        {
            run.Failed(ex.Code, ex.Message, ex.Code.StartsWith("provider_", StringComparison.Ordinal) ? StopReasons.ProviderError : StopReasons.ActionFailed);
        }

        // The answer's closing writes follow its turn's (stored beside the first call); when that
        // failed, this throws and nothing is recorded.
        await scope.TurnStored.ConfigureAwait(false);
        await _recorder.FirstRequestUnusedAsync(scope).ConfigureAwait(false);
        if (run.Commits.Count > 0)
        {
            run.WorkspaceAfter = await WorkspaceAfterAsync(project.RootPath).ConfigureAwait(false);
        }

        var record = run.Record(_time.GetUtcNow());
        await _recorder.StoppedAsync(scope, record).ConfigureAwait(false);
        EngineLog.Stopped(_logger, scope.Assistant.Id, run.Steps.Count, record.StopReason ?? StopReasons.Completed);
        return new AnswerOutcome(run.Text.Text.ToString(), run.Text.Calls, run.Status, run.Code, run.Detail, run.Steps, record);
    }

    private async Task StepsAsync(AnswerScope scope, Project project, Task<PreparedRequest> preparing, Progress run, CancellationToken cancellationToken)
    {
        var root = project.RootPath;
        var prepared = await preparing.ConfigureAwait(false);
        // The prompt's Context (with the workspace's file hashes, large in a large repository) is
        // serialized and stored once the first provider call's first output is out rather than
        // before the call, so the first token does not wait for the database (nor share the
        // machine with it); it has landed before the step's outcome is used. Not the answer's
        // token: a prompt stopped at once keeps its Context.
        var contextSaved = SaveContextAfterFirstOutputAsync(scope, prepared.Context);
        run.Turn.Add(prepared.Messages[prepared.HistoryCount]);

        // .wright/config is read once per prompt: by the context scan, whose filter carries it.
        var config = prepared.Built?.Filter?.Config ?? await LoadConfigAsync(root, cancellationToken).ConfigureAwait(false);
        var policy = scope.ApprovalOverride ?? config.CommandApproval ?? _options.DefaultCommandApproval;
        var workspace = new ToolWorkspace(root, prepared.Built?.Filter ?? await ContextFileFilter.CreateAsync(root, _git, cancellationToken).ConfigureAwait(false));
        ToolRound? round = null;
        round = new ToolRound(scope, workspace, root, project.Id, policy)
        {
            PendingChanged = token =>
            {
                run.Staged = round!.Staged;
                run.PendingApproval = round.PendingApproval;
                return _recorder.SaveAsync(run.Record(_time.GetUtcNow()), token);
            },
        };
        var modelName = scope.Model.Name.ToString();
        var stuck = new StuckDetector(_options.StuckRepeats);
        var request = prepared;

        while (true)
        {
            StepOutput step;
            try
            {
                step = await _model.RunAsync(scope, request, run.Steps.Count + 1, run.Text, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                // However the step ended, what waits for the first output may go now.
                scope.OutputStarted();
                await contextSaved.ConfigureAwait(false);
            }

            run.Steps.Add(step.Account);
            if (run.Steps.Count == 1 && step.Usage is { InputTokens: > 0 } usage)
            {
                var chars = request.System.Length + request.Messages.Sum(m => m.Text.Length);
                await _calibration.ObserveAsync(modelName, chars, usage.InputTokens, cancellationToken).ConfigureAwait(false);
            }

            if (step.Calls.Count == 0)
            {
                run.Turn.Add(TurnMessage.Assistant(step.Text));
                run.Stop(StopReasons.Completed, null);
                break;
            }

            run.Turn.Add(TurnMessage.Assistant(step.Text, step.Calls.Select(c => new TurnToolCall(c.Id, c.Name, c.Arguments)).ToList()));
            var outcomes = await _tools.RunAsync(round, step.Calls, cancellationToken).ConfigureAwait(false);
            run.Turn.Add(TurnMessage.Results(outcomes.Select(o => o.ToResult()).ToList()));
            run.Commits.AddRange(round.Commits.Except(run.Commits));
            foreach (var outcome in outcomes)
            {
                var call = step.Calls.First(c => c.Id == outcome.CallId);
                stuck.Observe(call.Name + "\n" + call.Arguments, outcome.Ok ? null : outcome.Output);
            }

            // The answer between two steps: what the next step (or a resumed one) starts from.
            run.Staged = round.Staged;
            run.PendingApproval = null;
            await _recorder.SaveAsync(run.Record(_time.GetUtcNow()), cancellationToken).ConfigureAwait(false);

            if (stuck.Detail is { } why)
            {
                run.Stop(StopReasons.Stuck, why);
                break;
            }

            if (run.Steps.Count >= _options.MaxSteps)
            {
                run.Stop(StopReasons.MaxSteps, $"The model was still calling tools after {_options.MaxSteps} steps (Engine:MaxSteps).");
                break;
            }

            if (run.Cost >= _options.MaxCostPerAnswer)
            {
                run.Stop(StopReasons.CostBudget, $"The answer cost {run.Cost.ToString("0.####", CultureInfo.InvariantCulture)} USD, reaching the budget of {_options.MaxCostPerAnswer.ToString("0.####", CultureInfo.InvariantCulture)} USD per answer (Engine:MaxCostPerAnswer).");
                break;
            }

            request = prepared.Continue(run.Turn.Skip(1).ToList(), _options.PromptCaching);
        }

        await ApplyAsync(scope, round, prepared, run, cancellationToken).ConfigureAwait(false);
    }

    private async Task SaveContextAfterFirstOutputAsync(AnswerScope scope, ContextRecord context)
    {
        await scope.FirstOutput.ConfigureAwait(false);
        await _recorder.ContextAsync(scope, context, CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>The answer's staged file changes and its text edit blocks, applied as one ActionRun.</summary>
    private async Task ApplyAsync(AnswerScope scope, ToolRound round, PreparedRequest prepared, Progress run, CancellationToken cancellationToken)
    {
        List<WrightAction> actions = [];
        if (round.Workspace.Changes is { Count: > 0 } changes)
        {
            actions.Add(new FileChangeAction(changes));
        }

        var text = run.Text.Text.ToString();
        var chatFiles = prepared.Context.FilesSent.Select(f => f.Path).ToList();
        if (TextEditFormatOf(text) is { } format)
        {
            actions.Add(new TextEditAction(format, text, new EditOptions { InChatFiles = chatFiles }));
        }

        if (actions.Count == 0)
        {
            return;
        }

        var result = await _runner.RunAsync(
            new ActionRunRequest(round.ProjectId, round.Root, scope.Prompt.Content, actions, scope.Model.Name.ToString(), null, scope.Session.Id.ToString(), scope.Assistant.Id.ToString()),
            cancellationToken).ConfigureAwait(false);
        run.Staged = [];
        if (result.Succeeded)
        {
            if (result.Commit is { } commit)
            {
                run.Commits.Add(commit.Sha);
                _recorder.Committed(scope, result);
            }

            return;
        }

        run.Failure = result.Failure;
        _recorder.ActionFailed(scope, result);
        EngineLog.ActionFailed(_logger, scope.Assistant.Id, result.Failure!.Code);
        (run.Code, run.Detail) = (ActionErrorCodes.ActionFailed, result.Failure.Detail);
        run.Stop(StopReasons.ActionFailed, result.Failure.Detail, force: true);
    }

    /// <summary>The file hashes of the workspace an answer left, so the next prompt's "changed since" holds the user's changes only.</summary>
    private async Task<IReadOnlyDictionary<string, string>?> WorkspaceAfterAsync(string root)
    {
        try
        {
            using var bounded = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            var snapshot = await _scanner.ScanAsync(new ContextRequest(root, "", 0), bounded.Token).ConfigureAwait(false);
            return snapshot.Files.ToDictionary(f => f.Key, f => f.Value.Hash, StringComparer.Ordinal);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Without it the next prompt measures changes from this prompt's start, as before.
            AnswerLog.RecordFailed(_logger, ex, "workspace", Guid.Empty);
            return null;
        }
    }

    private async Task EvictLaterAsync(AnswerStream stream)
    {
        try
        {
            await Task.Delay(_streamOptions.FinishedStreamLinger, _time, _stopping.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            // The server is stopping: the stream goes with it.
        }

        _streams.TryRemove(new KeyValuePair<Guid, AnswerStream>(stream.MessageId, stream));
        stream.Dispose();
    }

    private static async Task<ProjectConfig> LoadConfigAsync(string root, CancellationToken cancellationToken)
    {
        try
        {
            return await ProjectConfig.LoadAsync(root, cancellationToken).ConfigureAwait(false);
        }
        catch (WrightException)
        {
            // A broken .wright/config falls back to the defaults (the strictest command policy is 'ask').
            return ProjectConfig.Default;
        }
    }

    /// <summary>Notices a model going round in circles: the same failing call, or the same error, <c>repeats</c> times.</summary>
    private sealed class StuckDetector(int repeats)
    {
        private readonly Dictionary<string, int> _failingCalls = new(StringComparer.Ordinal);
        private readonly Dictionary<string, int> _errors = new(StringComparer.Ordinal);

        public string? Detail { get; private set; }

        public void Observe(string call, string? error)
        {
            if (error is null)
            {
                return;
            }

            var sameCall = _failingCalls[call] = _failingCalls.GetValueOrDefault(call) + 1;
            var sameError = _errors[error] = _errors.GetValueOrDefault(error) + 1;
            if (Detail is null && (sameCall >= repeats || sameError >= repeats))
            {
                var line = error.Split('\n', 2)[0];
                Detail = sameCall >= repeats
                    ? $"The model made the same failing call {sameCall} times ({call.Split('\n', 2)[0]}): {line}"
                    : $"The same error came back {sameError} times: {line}";
            }
        }
    }

    /// <summary>What the answer has so far.</summary>
    private sealed class Progress(AnswerScope scope, AnswerLine line, DateTimeOffset started)
    {
        public AnswerText Text { get; } = new();

        public List<TurnMessage> Turn { get; } = [];

        public List<StepAccount> Steps { get; } = [];

        public List<string> Commits { get; } = [];

        public IReadOnlyList<StagedChangeRecord> Staged { get; set; } = [];

        public IReadOnlyDictionary<string, string>? WorkspaceAfter { get; set; }

        public PendingApprovalRecord? PendingApproval { get; set; }

        public decimal Cost => Steps.Sum(s => s.Cost);

        public MessageStatus Status { get; private set; } = MessageStatus.Complete;

        public string? Code { get; set; }

        public string? Detail { get; set; }

        public ActionFailure? Failure { get; set; }

        public string? StopReason { get; private set; }

        public string? StopDetail { get; private set; }

        public void Stop(string reason, string? detail, bool force = false)
        {
            if (StopReason is null || force)
            {
                StopReason = reason;
                StopDetail = detail;
            }
        }

        public void Cancelled(AnswerCancelReason reason)
        {
            Status = reason == AnswerCancelReason.ServerStopping ? MessageStatus.Interrupted : MessageStatus.Cancelled;
            Code = Status == MessageStatus.Interrupted ? "interrupted" : null;
            Stop(StopReasons.Cancelled, null);
        }

        public void Failed(string code, string detail, string reason)
        {
            (Status, Code, Detail) = (MessageStatus.Error, code, detail);
            Stop(reason, detail);
        }

        public AnswerRecord Record(DateTimeOffset now) =>
            new(scope.Assistant.Id, scope.Session.Id, line.BaseCommit, Commits.LastOrDefault(), Commits.ToList(), line.Branch, StopReason ?? StopReasons.Completed, StopDetail, Steps.Count, Cost, Failure, started, now)
            {
                State = new AnswerState(Steps.Count, Turn.ToList(), Staged, PendingApproval, Commits.ToList()) { WorkspaceAfter = WorkspaceAfter },
                Unpriced = Steps.Any(s => s.Unpriced),
            };
    }
}

/// <summary>Log messages of the answer pipeline.</summary>
internal static partial class AnswerLog
{
    [LoggerMessage(EventId = 7011, Level = LogLevel.Error, Message = "Answer {MessageId} failed unexpectedly")]
    public static partial void Failed(ILogger logger, Exception exception, Guid messageId);

    [LoggerMessage(EventId = 7012, Level = LogLevel.Error, Message = "The {What} of answer {MessageId} could not be saved")]
    public static partial void RecordFailed(ILogger logger, Exception exception, string what, Guid messageId);
}
