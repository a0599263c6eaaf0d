using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Wright.Core.Actions;
using Wright.Core.Actions.EditFormats;
using Wright.Core.Context;
using Wright.Core.Conversations;
using Wright.Core.Errors;
using Wright.Core.Git;
using Wright.Core.Llm;
using Wright.Core.Projects;
using AIChatMessage = Microsoft.Extensions.AI.ChatMessage;

namespace Wright.Core.Engine;

/// <summary>Everything a request to the model is made of, exactly as sent (the prompt preview shows this).</summary>
public sealed record PreparedPrompt(string System, IReadOnlyList<AIChatMessage> Messages, IReadOnlyList<AITool> Tools, BuiltContext Context, int EstimatedTokens);

/// <summary>One provider call of an answer: its retried attempts, usage, cost, timings and how it ended.</summary>
public sealed record StepAccount(int Step, DateTimeOffset StartedAt, IReadOnlyList<LlmAttemptFailed> Retried, LlmUsage? Usage, decimal Cost, long? TtftMs, long DurationMs, string Status, string? Code, string? Detail);

/// <summary>How an answer ended: its text and tool calls, status and error, and each provider call.</summary>
public sealed record AgentOutcome(string Text, IReadOnlyList<ToolCall> Calls, MessageStatus Status, string? Code, string? Detail, IReadOnlyList<StepAccount> Steps, AgentRunRecord? Run);

/// <summary>What one answer runs with.</summary>
/// <param name="Path">The conversation from the root to the prompt (a user message), oldest first.</param>
/// <param name="ApprovalOverride">A policy that wins over the project's (the CLI's <c>--approve</c>).</param>
public sealed record AgentRunInput(MessageRun Run, Session Session, Message Assistant, IReadOnlyList<Message> Path, ResolvedModel Model, Guid? UserId, CommandApprovalPolicy? ApprovalOverride = null);

/// <summary>
/// The agent loop of one answer: assembles the prompt's Context (stored with the prompt), sends
/// the system prompt, history and tools, executes the model's tool calls and sends their results
/// back until it answers without one — bounded by a step limit, a cost budget and a stuck
/// detector, each stop reported. File tool calls are staged (the model sees its own changes) and
/// applied together with any edit blocks of its text as one ActionRun, so one answer is one commit;
/// a command first commits what was staged, because it must see the files. Any failure rolls the
/// workspace back to the safety point and says which action failed.
/// </summary>
public sealed partial class AgentLoop
{
    private const int ToolSchemaReserveTokens = 1500;

    private readonly IProjectRepository _projects;
    private readonly IConversationRepository _conversations;
    private readonly IEngineRepository _engine;
    private readonly ContextBuilder _contextBuilder;
    private readonly TokenEstimator _estimator;
    private readonly ActionRunner _runner;
    private readonly GitService _git;
    private readonly LlmStreamer _streamer;
    private readonly PromptManager _prompts;
    private readonly CommandApprovals _approvals;
    private readonly ChatBranches _branches;
    private readonly EngineOptions _options;
    private readonly ConversationsOptions _chatOptions;
    private readonly TimeProvider _time;
    private readonly ILogger<AgentLoop> _logger;

    public AgentLoop(
        IProjectRepository projects,
        IConversationRepository conversations,
        IEngineRepository engine,
        ContextBuilder contextBuilder,
        TokenEstimator estimator,
        ActionRunner runner,
        GitService git,
        LlmStreamer streamer,
        PromptManager prompts,
        CommandApprovals approvals,
        ChatBranches branches,
        IOptions<EngineOptions> options,
        IOptions<ConversationsOptions> chatOptions,
        TimeProvider time,
        ILogger<AgentLoop> logger)
    {
        _projects = projects;
        _conversations = conversations;
        _engine = engine;
        _contextBuilder = contextBuilder;
        _estimator = estimator;
        _runner = runner;
        _git = git;
        _streamer = streamer;
        _prompts = prompts;
        _approvals = approvals;
        _branches = branches;
        _options = options.Value;
        _chatOptions = chatOptions.Value;
        _time = time;
        _logger = logger;
    }

    public EngineOptions Options => _options;

    /// <summary>
    /// Builds the request for the prompt at the end of <paramref name="path"/>: the rendered system
    /// prompt, the history, and the prompt with its Context (assembled under the budget the model's
    /// window leaves; incremental after the session's first prompt). Calls no model, stores nothing.
    /// </summary>
    public async Task<PreparedPrompt> PrepareAsync(Project project, Session session, IReadOnlyList<Message> path, ResolvedModel model, Guid? userId, CancellationToken cancellationToken, GitStatus? status = null)
    {
        var prompt = path[^1];
        var modelName = model.Name.ToString();
        var layers = await _prompts.RenderAsync(project, session.Id, userId, modelName, tools: true, cancellationToken).ConfigureAwait(false);
        var history = path.Take(path.Count - 1)
            .Where(m => m.Role == MessageRole.User || m.Content.Length > 0)
            .Select(m => new AIChatMessage(m.Role == MessageRole.User ? ChatRole.User : ChatRole.Assistant, m.Content))
            .ToList();

        // The nearest earlier prompt on this branch with a stored Context makes this one incremental.
        ContextRecord? previous = null;
        foreach (var earlier in path.Take(path.Count - 1).Reverse().Where(m => m.Role == MessageRole.User))
        {
            if (await _engine.GetContextAsync(earlier.Id, cancellationToken).ConfigureAwait(false) is { } stored)
            {
                previous = stored.Record;
                break;
            }
        }

        var window = model.Info?.ContextWindow ?? _options.DefaultContextWindow;
        var fixedCost = _estimator.Estimate(layers.System, modelName)
            + history.Sum(m => _estimator.Estimate(m.Text, modelName) + 4)
            + _estimator.Estimate(prompt.Content, modelName)
            + ToolSchemaReserveTokens;
        var budget = Math.Clamp(window - model.MaxOutputTokens - fixedCost, 0, _options.MaxContextTokens);
        var context = await _contextBuilder.BuildAsync(
            new ContextRequest(project.RootPath, prompt.Content, budget)
            {
                Model = modelName,
                Previous = previous,
                MentionedFiles = MentionedPaths(prompt.Content),
                Status = status,
            },
            cancellationToken).ConfigureAwait(false);

        var messages = new List<AIChatMessage> { new(ChatRole.System, layers.System) };
        messages.AddRange(history);
        messages.Add(new AIChatMessage(ChatRole.User, $"<context>\n{context.Text}</context>\n\n{prompt.Content}"));
        var tools = AgentTools.Declarations;
        var estimated = messages.Sum(m => _estimator.Estimate(m.Text, modelName) + 4)
            + tools.OfType<AIFunctionDeclaration>().Sum(t => _estimator.Estimate(t.Name + t.Description + t.JsonSchema.GetRawText(), modelName));
        return new PreparedPrompt(layers.System, messages, tools, context, estimated);
    }

    /// <summary>Runs the answer to the end; never throws for a provider, tool or action failure (the outcome carries it).</summary>
    public async Task<AgentOutcome> RunAsync(AgentRunInput input, CancellationToken cancellationToken)
    {
        var state = new RunState(input, _time.GetUtcNow());
        try
        {
            await RunCoreAsync(input, state, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopped, abandoned by every client, or the server is stopping: keep what arrived; stage nothing more.
            state.Status = input.Run.CancelReason == RunCancelReason.ServerStopping ? MessageStatus.Interrupted : MessageStatus.Cancelled;
            state.Code = state.Status == MessageStatus.Interrupted ? "interrupted" : null;
            if (state.StepOpen)
            {
                state.Steps.Add(state.Account([], null, state.Status == MessageStatus.Interrupted ? AiRequestStatuses.Interrupted : AiRequestStatuses.Cancelled, state.Code, null, _time));
            }

            state.Stop(StopReasons.Cancelled, null);
        }
        catch (LlmCallFailed failed)
        {
            state.Steps.Add(state.Account(failed.Retried, null, "error", failed.Error.Code, failed.Error.Message, _time));
            (state.Status, state.Code, state.Detail) = (MessageStatus.Error, failed.Error.Code, failed.Error.Message);
            state.Stop(StopReasons.ProviderError, failed.Error.Message);
        }
        catch (WrightException ex)
        {
            if (state.StepOpen)
            {
                state.Steps.Add(state.Account([], null, "error", ex.Code, ex.Message, _time));
            }

            (state.Status, state.Code, state.Detail) = (MessageStatus.Error, ex.Code, ex.Message);
            state.Stop(ex.Code.StartsWith("provider_", StringComparison.Ordinal) ? StopReasons.ProviderError : StopReasons.ActionFailed, ex.Message);
        }

        var run = state.Record(_time.GetUtcNow());
        try
        {
            using var bounded = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await _engine.SaveRunAsync(run, bounded.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The message itself is still saved by the caller; only the run's record is missing.
            EngineLog.ToolCrashed(_logger, ex, "save-run", input.Assistant.Id);
        }

        input.Run.Append(EngineEventTypes.AgentStopped, new AgentStoppedEventData(input.Assistant.Id, state.StopReason ?? StopReasons.Completed, state.StopDetail, state.Steps.Count, state.Cost, state.Commits));
        EngineLog.Stopped(_logger, input.Assistant.Id, state.Steps.Count, state.StopReason ?? StopReasons.Completed);
        return new AgentOutcome(state.Text.ToString(), state.Calls, state.Status, state.Code, state.Detail, state.Steps, run);
    }

    private async Task RunCoreAsync(AgentRunInput input, RunState state, CancellationToken cancellationToken)
    {
        var run = input.Run;
        var project = await _projects.GetAsync(input.Session.ProjectId, cancellationToken).ConfigureAwait(false)
            ?? throw WrightException.NotFound(ErrorCodes.ProjectNotFound, "The session's project no longer exists.");
        var root = project.RootPath;

        // Recovery is lazy: a run a killed process left in this project is settled before anything reads it.
        var recovered = await _runner.RecoverAsync(root, cancellationToken).ConfigureAwait(false);
        if (recovered != RecoveryOutcome.NothingToRecover)
        {
            EngineLog.Recovered(_logger, project.Id, recovered.ToString());
        }

        var line = await _branches.PrepareAnswerAsync(root, input.Session, input.Path, cancellationToken).ConfigureAwait(false);
        state.BaseCommit = line.BaseCommit;
        state.Branch = line.Branch;
        if (line.Created)
        {
            run.Append(EngineEventTypes.GitBranch, new GitBranchEventData(input.Assistant.Id, line.Branch!, line.BaseCommit!));
            EngineLog.Branched(_logger, input.Session.Id, line.Branch!, line.BaseCommit!);
        }

        var prepared = await PrepareAsync(project, input.Session, input.Path, input.Model, input.UserId, cancellationToken, line.Status).ConfigureAwait(false);
        var prompt = input.Path[^1];
        await _engine.SaveContextAsync(new StoredContext(input.Session.Id, prompt.Id, prepared.Context.Record), cancellationToken).ConfigureAwait(false);
        run.Append(EngineEventTypes.Context, new ContextEventData(
            input.Assistant.Id,
            prompt.Id,
            prepared.Context.Record.Turn,
            prepared.Context.Record.TokenCount,
            prepared.Context.Record.BudgetTokens,
            prepared.Context.Record.FilesSent.Select(f => f.Path).ToList(),
            prepared.Context.Record.Sources));

        // .wright/config is read once per prompt: by the context scan, whose filter carries it.
        var config = prepared.Context.Filter?.Config ?? await LoadConfigAsync(root, cancellationToken).ConfigureAwait(false);
        var policy = input.ApprovalOverride ?? config.CommandApproval ?? _options.DefaultCommandApproval;
        var workspace = new ToolWorkspace(root, prepared.Context.Filter ?? await ContextFileFilter.CreateAsync(root, _git, cancellationToken).ConfigureAwait(false));
        var messages = prepared.Messages.ToList();
        var modelName = input.Model.Name.ToString();
        var requestChars = messages.Sum(m => m.Text.Length);
        var stuck = new StuckDetector(_options.StuckRepeats);

        while (true)
        {
            var step = await StreamStepAsync(input, state, messages, prepared.Tools, cancellationToken).ConfigureAwait(false);
            if (state.Steps.Count == 1 && step.Usage is { InputTokens: > 0 } usage)
            {
                _estimator.Observe(modelName, requestChars, (int)Math.Min(int.MaxValue, usage.InputTokens));
            }

            if (step.Calls.Count == 0)
            {
                state.Stop(StopReasons.Completed, null);
                break;
            }

            var assistantMessage = new AIChatMessage(ChatRole.Assistant, []);
            if (step.Text.Length > 0)
            {
                assistantMessage.Contents.Add(new TextContent(step.Text));
            }

            foreach (var call in step.Calls)
            {
                assistantMessage.Contents.Add(new FunctionCallContent(call.Id, call.Name, ParseArguments(call.Arguments)) { RawRepresentation = call.Arguments });
            }

            messages.Add(assistantMessage);
            var results = await ExecuteCallsAsync(input, state, workspace, root, project.Id, policy, step.Calls, stuck, cancellationToken).ConfigureAwait(false);
            messages.Add(new AIChatMessage(ChatRole.Tool, results.Select(r => (AIContent)new FunctionResultContent(r.CallId, r.Output)).ToList()));

            if (stuck.Detail is { } why)
            {
                state.Stop(StopReasons.Stuck, why);
                break;
            }

            if (state.Steps.Count >= _options.MaxSteps)
            {
                state.Stop(StopReasons.MaxSteps, $"The model was still calling tools after {_options.MaxSteps} steps (Engine:MaxSteps).");
                break;
            }

            if (state.Cost >= _options.MaxCostPerRun)
            {
                state.Stop(StopReasons.CostBudget, $"The answer cost {state.Cost.ToString("0.####", CultureInfo.InvariantCulture)} USD, reaching the budget of {_options.MaxCostPerRun.ToString("0.####", CultureInfo.InvariantCulture)} USD per answer (Engine:MaxCostPerRun).");
                break;
            }
        }

        await ApplyAnswerAsync(input, state, workspace, root, project.Id, prepared, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>One provider call: streams text and tool calls to the clients and the database, and accounts for it.</summary>
    private async Task<StepResult> StreamStepAsync(AgentRunInput input, RunState state, List<AIChatMessage> messages, IReadOnlyList<AITool> tools, CancellationToken cancellationToken)
    {
        var run = input.Run;
        var assistant = input.Assistant;
        var text = new StringBuilder();
        var calls = new List<ToolCall>();
        var retried = new List<LlmAttemptFailed>();
        LlmUsage? usage = null;
        state.BeginStep(_time);
        var lastFlush = _time.GetTimestamp();
        await foreach (var update in _streamer.StreamAsync(new LlmRequest(input.Model, messages) { Tools = tools }, cancellationToken).ConfigureAwait(false))
        {
            switch (update)
            {
                case LlmAttemptFailed failed:
                    retried.Add(failed);
                    break;
                case LlmTextDelta delta:
                    state.MarkFirstToken(_time);
                    text.Append(delta.Text);
                    state.Text.Append(delta.Text);
                    if (_time.GetElapsedTime(lastFlush) >= _chatOptions.FlushInterval)
                    {
                        await _conversations.UpdateStreamingContentAsync(assistant.Id, state.Text.ToString(), state.Calls, _time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
                        lastFlush = _time.GetTimestamp();
                    }

                    run.Append(RunEventTypes.Delta, new DeltaData(assistant.Id, delta.Text));
                    break;
                case LlmToolCall call:
                    state.MarkFirstToken(_time);
                    var toolCall = new ToolCall(call.Id, call.Name, call.ArgumentsJson);
                    calls.Add(toolCall);
                    state.Calls.Add(toolCall);
                    await _conversations.UpdateStreamingContentAsync(assistant.Id, state.Text.ToString(), state.Calls, _time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
                    lastFlush = _time.GetTimestamp();
                    run.Append(RunEventTypes.ToolCall, new ToolCallData(assistant.Id, toolCall));
                    break;
                case LlmUsage reported:
                    usage = reported;
                    break;
            }
        }

        var cost = usage is null ? 0m : input.Model.Info?.CostOf(usage.InputTokens, usage.OutputTokens, usage.CacheReadTokens, usage.CacheWriteTokens) ?? 0m;
        state.Cost += cost;
        state.Steps.Add(state.Account(retried, usage, "complete", null, null, _time) with { Cost = cost });
        if (usage is not null)
        {
            run.Append(RunEventTypes.Usage, new UsageData(assistant.Id, input.Model.Endpoint.Name, input.Model.Name.Model, usage.InputTokens, usage.OutputTokens, usage.CacheReadTokens, usage.CacheWriteTokens, cost, ModelInfo.Currency, state.Steps[^1].TtftMs));
        }

        return new StepResult(text.ToString(), calls, usage);
    }

    /// <summary>Executes the tool calls of one response in order; its file calls are kept together or not at all.</summary>
    private async Task<List<ToolOutcome>> ExecuteCallsAsync(AgentRunInput input, RunState state, ToolWorkspace workspace, string root, Guid projectId, CommandApprovalPolicy policy, IReadOnlyList<ToolCall> calls, StuckDetector stuck, CancellationToken cancellationToken)
    {
        var staging = workspace.BeginStep();
        var results = new List<ToolOutcome>();
        ToolCall? failedFileCall = null;
        foreach (var call in calls)
        {
            ToolOutcome outcome;
            try
            {
                var arguments = ToolArguments.Parse(call.Arguments);
                var output = call.Name switch
                {
                    AgentTools.ReadFile => staging.Read(arguments),
                    AgentTools.ListFiles => workspace.List(arguments),
                    AgentTools.Search => await workspace.SearchAsync(arguments, cancellationToken).ConfigureAwait(false),
                    AgentTools.RunCommand => await RunCommandAsync(input, state, workspace, staging, root, projectId, policy, call, arguments, cancellationToken).ConfigureAwait(false),
                    _ when AgentTools.FileChanging.Contains(call.Name) => staging.Apply(call.Name, arguments),
                    _ => throw new ToolError("unknown_tool", $"There is no tool '{call.Name}'. The tools are: {string.Join(", ", AgentTools.Declarations.Select(t => t.Name))}."),
                };
                outcome = new ToolOutcome(call.Id, call.Name, true, null, output);
            }
            catch (ToolError error)
            {
                if (AgentTools.FileChanging.Contains(call.Name))
                {
                    failedFileCall ??= call;
                }

                outcome = new ToolOutcome(call.Id, call.Name, false, error.Code, $"Error ({error.Code}): {error.Message}");
            }

            results.Add(outcome);
        }

        if (!staging.Commit())
        {
            // The response's file changes are one unit: the good ones are dropped with the bad one.
            for (var i = 0; i < results.Count; i++)
            {
                if (results[i].Ok && AgentTools.FileChanging.Contains(results[i].Name))
                {
                    results[i] = results[i] with
                    {
                        Output = $"Not applied: {failedFileCall!.Name} ({failedFileCall.Id}) of the same response failed, so none of its file changes were kept. Fix that change and send all of them again.",
                    };
                }
            }
        }

        foreach (var result in results)
        {
            var output = result.Output.Length > _options.MaxToolResultChars
                ? result.Output[.._options.MaxToolResultChars] + $"\n… (cut at {_options.MaxToolResultChars} characters)"
                : result.Output;
            input.Run.Append(EngineEventTypes.ToolResult, new ToolResultEventData(input.Assistant.Id, result.CallId, result.Name, result.Ok, result.Code, output));
            var call = calls.First(c => c.Id == result.CallId);
            stuck.Observe(call.Name + "\n" + call.Arguments, result.Ok ? null : result.Output);
        }

        return results.Select(r => r.Output.Length > _options.MaxToolResultChars ? r with { Output = r.Output[.._options.MaxToolResultChars] + "\n… (cut)" } : r).ToList();
    }

    /// <summary>
    /// <c>run_command</c>: asks when the policy says so, then runs the command as an ActionRun with
    /// what the answer staged so far (the command must see those files), committing both together.
    /// </summary>
    private async Task<string> RunCommandAsync(AgentRunInput input, RunState state, ToolWorkspace workspace, ToolWorkspace.StepStaging staging, string root, Guid projectId, CommandApprovalPolicy policy, ToolCall call, ToolArguments arguments, CancellationToken cancellationToken)
    {
        var program = arguments.Required("program");
        var timeout = arguments.Int("timeout_seconds") is { } seconds && seconds > 0
            ? TimeSpan.FromSeconds(Math.Min(seconds, _options.CommandTimeout.TotalSeconds))
            : _options.CommandTimeout;
        var command = new CommandAction(program, arguments.Strings("args"), timeout, RequireSuccess: false);
        if (policy == CommandApprovalPolicy.Deny)
        {
            throw new ToolError(ActionErrorCodes.CommandDenied, $"The command '{command.Display}' did not run: the project's approval policy is 'deny'. Do without it.");
        }

        if (policy == CommandApprovalPolicy.Ask)
        {
            using var waiter = _approvals.Register(input.Session.Id, input.Assistant.Id, call.Id, command.Display);
            input.Run.Append(EngineEventTypes.ApprovalRequired, new ApprovalRequiredEventData(input.Assistant.Id, waiter.Approval.Id, call.Id, command.Display));
            var approved = await waiter.WaitAsync(_options.ApprovalTimeout, _time, cancellationToken).ConfigureAwait(false);
            input.Run.Append(EngineEventTypes.ApprovalResolved, new ApprovalResolvedEventData(input.Assistant.Id, waiter.Approval.Id, approved));
            if (!approved)
            {
                throw new ToolError(ActionErrorCodes.CommandDenied, $"The user did not approve the command '{command.Display}'.");
            }
        }

        // What this response staged before the command is kept with it (the command sees it).
        if (!staging.Commit())
        {
            throw new ToolError(ActionErrorCodes.ActionFailed, "The command did not run: a file change before it in the same response failed. Fix that first.");
        }

        List<WrightAction> actions = [];
        if (workspace.Changes is { Count: > 0 } changes)
        {
            actions.Add(new FileChangeAction(changes));
        }

        actions.Add(command);
        var result = await _runner.RunAsync(
            new ActionRunRequest(projectId, root, input.Path[^1].Content, actions, input.Model.Name.ToString(), null, input.Session.Id.ToString(), input.Assistant.Id.ToString())
            {
                CommandPolicy = CommandApprovalPolicy.Auto,
                CommandOutput = text => input.Run.Append(EngineEventTypes.CommandOutput, new CommandOutputEventData(input.Assistant.Id, call.Id, text)),
            },
            cancellationToken).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            // Rolled back: the staged changes are still staged and will be applied with the answer.
            throw new ToolError(result.Failure!.Code, result.Failure.Detail);
        }

        Committed(input, state, result);
        workspace.Reset(await ContextFileFilter.CreateAsync(root, _git, cancellationToken).ConfigureAwait(false));
        var ran = result.Commands.Single();
        var header = ran.TimedOut ? $"Stopped after {timeout.TotalSeconds:0} s (timeout)." : $"Exit code {ran.ExitCode}.";
        return $"{header}{(ran.Truncated ? " Output cut." : "")}\n{ran.Output}";
    }

    /// <summary>The answer's staged file changes and its text edit blocks, applied as one ActionRun.</summary>
    private async Task ApplyAnswerAsync(AgentRunInput input, RunState state, ToolWorkspace workspace, string root, Guid projectId, PreparedPrompt prepared, CancellationToken cancellationToken)
    {
        List<WrightAction> actions = [];
        if (workspace.Changes is { Count: > 0 } changes)
        {
            actions.Add(new FileChangeAction(changes));
        }

        var text = state.Text.ToString();
        if (TextEditFormatOf(text) is { } format)
        {
            actions.Add(new TextEditAction(format, text, new EditOptions { InChatFiles = prepared.Context.Record.FilesSent.Select(f => f.Path).ToList() }));
        }

        if (actions.Count == 0)
        {
            return;
        }

        var result = await _runner.RunAsync(
            new ActionRunRequest(projectId, root, input.Path[^1].Content, actions, input.Model.Name.ToString(), null, input.Session.Id.ToString(), input.Assistant.Id.ToString()),
            cancellationToken).ConfigureAwait(false);
        if (result.Succeeded)
        {
            Committed(input, state, result);
            return;
        }

        state.Failure = result.Failure;
        input.Run.Append(EngineEventTypes.ActionFailed, new ActionFailedEventData(input.Assistant.Id, result.ActionId, result.Failure!));
        EngineLog.ActionFailed(_logger, input.Assistant.Id, result.Failure!.Code);
        (state.Code, state.Detail) = (ActionErrorCodes.ActionFailed, result.Failure.Detail);
        state.Stop(StopReasons.ActionFailed, result.Failure.Detail, force: true);
    }

    private static void Committed(AgentRunInput input, RunState state, ActionRunResult result)
    {
        if (result.Commit is not { } commit)
        {
            return;
        }

        state.Commits.Add(commit.Sha);
        input.Run.Append(EngineEventTypes.ActionCommitted, new ActionCommittedEventData(input.Assistant.Id, result.ActionId, commit.Sha, commit.Subject, result.Changes, result.UserCommit?.Sha));
    }

    /// <summary>The edit format a text answer is written in, or null when it has no edits.</summary>
    internal static EditFormat? TextEditFormatOf(string text)
    {
        if (text.Contains("*** Begin Patch", StringComparison.Ordinal))
        {
            return EditFormat.Patch;
        }

        if (text.Contains("<<<<<<< SEARCH", StringComparison.Ordinal) || text.Contains("<<<<<<<", StringComparison.Ordinal) && text.Contains(">>>>>>> REPLACE", StringComparison.Ordinal))
        {
            return EditFormat.SearchReplace;
        }

        if (text.Contains("```diff", StringComparison.Ordinal) && text.Contains("\n@@", StringComparison.Ordinal))
        {
            return EditFormat.UnifiedDiff;
        }

        return null;
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

    private static Dictionary<string, object?>? ParseArguments(string json)
    {
        try
        {
            return JsonSerializer.Deserialize<Dictionary<string, object?>>(string.IsNullOrWhiteSpace(json) ? "{}" : json);
        }
        catch (JsonException)
        {
            // Malformed arguments are still sent back as the raw text (RawRepresentation); the tool result says what was wrong.
            return null;
        }
    }

    private static List<string> MentionedPaths(string prompt) =>
        PathLike().Matches(prompt).Select(m => m.Value.TrimEnd('.', ',', ':', ';', ')')).Where(p => p.Length > 0 && !p.StartsWith('/')).Distinct(StringComparer.Ordinal).ToList();

    [GeneratedRegex(@"[A-Za-z0-9_.\-]+(?:/[A-Za-z0-9_.\-]+)*\.[A-Za-z0-9]+", RegexOptions.CultureInvariant)]
    private static partial Regex PathLike();

    private sealed record StepResult(string Text, IReadOnlyList<ToolCall> Calls, LlmUsage? Usage);

    private sealed record ToolOutcome(string CallId, string Name, bool Ok, string? Code, string Output);

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

    /// <summary>What the run has so far.</summary>
    private sealed class RunState(AgentRunInput input, DateTimeOffset started)
    {
        private long _stepStarted;
        private DateTimeOffset _stepStartedAt;
        private long? _ttft;

        public StringBuilder Text { get; } = new();

        public List<ToolCall> Calls { get; } = [];

        public List<StepAccount> Steps { get; } = [];

        public List<string> Commits { get; } = [];

        public decimal Cost { get; set; }

        public MessageStatus Status { get; set; } = MessageStatus.Complete;

        public string? Code { get; set; }

        public string? Detail { get; set; }

        public string? BaseCommit { get; set; }

        public string? Branch { get; set; }

        public ActionFailure? Failure { get; set; }

        public string? StopReason { get; private set; }

        public string? StopDetail { get; private set; }

        public bool StepOpen { get; private set; }

        public void BeginStep(TimeProvider time)
        {
            _stepStarted = time.GetTimestamp();
            _stepStartedAt = time.GetUtcNow();
            _ttft = null;
            StepOpen = true;
        }

        public void MarkFirstToken(TimeProvider time) => _ttft ??= (long)time.GetElapsedTime(_stepStarted).TotalMilliseconds;

        public StepAccount Account(IReadOnlyList<LlmAttemptFailed> retried, LlmUsage? usage, string status, string? code, string? detail, TimeProvider time)
        {
            StepOpen = false;
            return new StepAccount(Steps.Count + 1, _stepStartedAt, retried, usage, 0m, _ttft, (long)time.GetElapsedTime(_stepStarted).TotalMilliseconds, status, code, detail);
        }

        public void Stop(string reason, string? detail, bool force = false)
        {
            if (StopReason is null || force)
            {
                StopReason = reason;
                StopDetail = detail;
            }
        }

        public AgentRunRecord Record(DateTimeOffset now) =>
            new(input.Assistant.Id, input.Session.Id, BaseCommit, Commits.LastOrDefault(), Commits.ToList(), Branch, StopReason ?? StopReasons.Completed, StopDetail, Steps.Count, Cost, Failure, started, now);
    }
}
