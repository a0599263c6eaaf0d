using Microsoft.Extensions.Options;
using Wright.Core.Actions;
using Wright.Core.Commands;
using Wright.Core.Context;
using Wright.Core.Conversations;
using Wright.Core.Engine;
using Wright.Core.Git;

namespace Wright.Core.Answers;

/// <summary>Where one answer's tool calls run: its workspace view with staged changes, the project and the command policy.</summary>
internal sealed class ToolRound(AnswerScope scope, ToolWorkspace workspace, string root, Guid projectId, CommandApprovalPolicy policy)
{
    public AnswerScope Scope { get; } = scope;

    internal ToolWorkspace Workspace { get; } = workspace;

    public string Root { get; } = root;

    public Guid ProjectId { get; } = projectId;

    public CommandApprovalPolicy Policy { get; } = policy;

    /// <summary>Commits made by commands (each commits what was staged before it).</summary>
    public List<string> Commits { get; } = [];

    /// <summary>The command waiting for the user's decision, while one does.</summary>
    public PendingApprovalRecord? PendingApproval { get; internal set; }

    /// <summary>Saves the answer's state when a command starts or stops waiting for approval, so the wait survives in the record.</summary>
    public Func<CancellationToken, Task>? PendingChanged { get; init; }

    /// <summary>What is staged and not yet applied.</summary>
    public IReadOnlyList<StagedChangeRecord> Staged =>
        Workspace.Changes.Select(c => new StagedChangeRecord(c.GetType().Name, c.Path)).ToList();
}

/// <summary>One tool call's outcome as the model sees it, with its name and error code for the stream and the stuck detector.</summary>
public sealed record ToolOutcome(string CallId, string Name, bool Ok, string? Code, string Output)
{
    public TurnToolResult ToResult() => new(CallId, Output, !Ok);
}

/// <summary>
/// ToolDispatch: runs one response's tool calls. Reads are direct; file changes are staged (the
/// model sees its own changes; one response's changes are kept together or not at all); commands
/// wait for approval when the policy says so and run as an ActionRun with what was staged. Every
/// result says whether it succeeded, and the providers are told (Anthropic <c>is_error</c>).
/// </summary>
public sealed class ToolDispatch
{
    private readonly ActionRunner _runner;
    private readonly BackgroundCommandService _background;
    private readonly CommandApprovals _approvals;
    private readonly GitService _git;
    private readonly Recorder _recorder;
    private readonly EngineOptions _options;
    private readonly TimeProvider _time;

    public ToolDispatch(ActionRunner runner, CommandApprovals approvals, GitService git, Recorder recorder, IOptions<EngineOptions> options, TimeProvider time, BackgroundCommandService background)
    {
        _background = background;
        _runner = runner;
        _approvals = approvals;
        _git = git;
        _recorder = recorder;
        _options = options.Value;
        _time = time;
    }

    /// <summary>Executes the calls in order and returns their results, each cut to <c>Engine:MaxToolResultChars</c>.</summary>
    internal async Task<IReadOnlyList<ToolOutcome>> RunAsync(ToolRound round, IReadOnlyList<ToolCall> calls, CancellationToken cancellationToken)
    {
        var workspace = round.Workspace;
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
                    AgentTools.RunCommand => await RunCommandAsync(round, staging, call, arguments, cancellationToken).ConfigureAwait(false),
                    AgentTools.StopCommand => await StopCommandAsync(round, arguments).ConfigureAwait(false),
                    AgentTools.Scaffold => await ScaffoldAsync(round, staging, arguments, cancellationToken).ConfigureAwait(false),
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

        var max = _options.MaxToolResultChars;
        for (var i = 0; i < results.Count; i++)
        {
            var result = results[i];
            var shown = result.Output.Length > max ? result.Output[..max] + $"\n… (cut at {max} characters)" : result.Output;
            _recorder.ToolResult(round.Scope, result.CallId, result.Name, result.Ok, result.Code, shown);
            if (result.Output.Length > max)
            {
                results[i] = result with { Output = result.Output[..max] + "\n… (cut)" };
            }
        }

        return results;
    }

    /// <summary>
    /// <c>run_command</c>: asks when the policy says so, then runs the command as an ActionRun with
    /// what the answer staged so far (the command must see those files), committing both together.
    /// </summary>
    private async Task<string> RunCommandAsync(ToolRound round, ToolWorkspace.StepStaging staging, ToolCall call, ToolArguments arguments, CancellationToken cancellationToken)
    {
        var scope = round.Scope;
        var program = arguments.Required("program");
        var timeout = arguments.Int("timeout_seconds") is { } seconds && seconds > 0
            ? TimeSpan.FromSeconds(Math.Min(seconds, _options.CommandTimeout.TotalSeconds))
            : _options.CommandTimeout;
        var command = new CommandAction(program, arguments.Strings("args"), timeout, RequireSuccess: false);
        if (round.Policy == CommandApprovalPolicy.Deny)
        {
            throw new ToolError(ActionErrorCodes.CommandDenied, $"The command '{command.Display}' did not run: the project's approval policy is 'deny'. Do without it.");
        }

        if (round.Policy == CommandApprovalPolicy.Ask)
        {
            using var waiter = _approvals.Register(scope.Session.Id, scope.Assistant.Id, call.Id, command.Display);
            round.PendingApproval = new PendingApprovalRecord(waiter.Approval.Id, call.Id, command.Display);
            if (round.PendingChanged is { } saveWaiting)
            {
                await saveWaiting(cancellationToken).ConfigureAwait(false);
            }

            _recorder.ApprovalRequired(scope, waiter.Approval.Id, call.Id, command.Display);
            var approved = await waiter.WaitAsync(_options.ApprovalTimeout, _time, cancellationToken).ConfigureAwait(false);
            round.PendingApproval = null;
            _recorder.ApprovalResolved(scope, waiter.Approval.Id, approved);
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
        if (round.Workspace.Changes is { Count: > 0 } changes)
        {
            actions.Add(new FileChangeAction(changes));
        }

        var background = arguments.Bool("background");
        if (!background)
        {
            actions.Add(command);
        }
        else if (actions.Count == 0)
        {
            return await StartBackgroundAsync(round, command, cancellationToken).ConfigureAwait(false);
        }

        var result = await _runner.RunAsync(
            new ActionRunRequest(round.ProjectId, round.Root, scope.Prompt.Content, actions, scope.Model.Name.ToString(), null, scope.Session.Id.ToString(), scope.Assistant.Id.ToString())
            {
                CommandPolicy = CommandApprovalPolicy.Auto,
                CommandOutput = text => _recorder.CommandOutput(scope, call.Id, text),
            },
            cancellationToken).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            // Rolled back: the staged changes are still staged and will be applied with the answer.
            throw new ToolError(result.Failure!.Code, result.Failure.Detail);
        }

        if (result.Commit is { } commit)
        {
            round.Commits.Add(commit.Sha);
            _recorder.Committed(scope, result);
        }

        round.Workspace.Reset(await ContextFileFilter.CreateAsync(round.Root, _git, cancellationToken).ConfigureAwait(false));
        if (background)
        {
            // The files it must see are committed; the program itself is no part of the ActionRun.
            return await StartBackgroundAsync(round, command, cancellationToken).ConfigureAwait(false);
        }

        var ran = result.Commands.Single();
        var header = ran.TimedOut ? $"Stopped after {timeout.TotalSeconds:0} s (timeout)." : $"Exit code {ran.ExitCode}.";
        return $"{header}{(ran.Truncated ? " Output cut." : "")}\n{ran.Output}";
    }

    /// <summary>
    /// <c>run_command</c> with <c>background</c>: starts the program under the project's sandbox
    /// policy without a timeout, and tells the model its id, ports and first output.
    /// </summary>
    private async Task<string> StartBackgroundAsync(ToolRound round, CommandAction command, CancellationToken cancellationToken)
    {
        BackgroundCommand started;
        try
        {
            started = await _background.StartAsync(round.ProjectId, round.Root, command, round.Scope.Assistant.Id.ToString(), cancellationToken).ConfigureAwait(false);
        }
        catch (Errors.WrightException ex)
        {
            throw new ToolError(ex.Code, ex.Message);
        }

        var output = started.Output();
        if (!started.IsRunning)
        {
            return $"It ended at once with exit code {started.ExitCode?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "unknown"} (id {started.Id}).\n{output}";
        }

        var ports = BackgroundCommandService.Ports(started);
        var listening = ports.Count > 0 ? $" It listens on port {string.Join(", ", ports.Order())} (the user can open it in the preview)." : "";
        return $"Started in the background as {started.Id}; it keeps running after this answer until stop_command stops it.{listening}\nOutput so far:\n{output}";
    }

    /// <summary><c>stop_command</c>: stops one of the project's background commands.</summary>
    private async Task<string> StopCommandAsync(ToolRound round, ToolArguments arguments)
    {
        var text = arguments.Required("id");
        if (!Guid.TryParse(text, out var id))
        {
            throw new ToolError("invalid_arguments", $"'{text}' is not the id of a background command (run_command returned it).");
        }

        BackgroundCommand stopped;
        try
        {
            stopped = await _background.StopAsync(round.ProjectId, id).ConfigureAwait(false);
        }
        catch (Errors.WrightException ex)
        {
            throw new ToolError(ex.Code, ex.Message);
        }

        var how = stopped.Stopped ? "Stopped." : $"It had already ended with exit code {stopped.ExitCode?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "unknown"}.";
        return $"{how} Its last output:\n{stopped.Output()}";
    }

    /// <summary>
    /// <c>scaffold</c>: the engine's SCAFFOLD action, run at once as an ActionRun with what the answer
    /// staged before it, so the skeleton is its own commit and the model's further edits (staged
    /// after it, committed when the answer ends) build on files that exist.
    /// </summary>
    private async Task<string> ScaffoldAsync(ToolRound round, ToolWorkspace.StepStaging staging, ToolArguments arguments, CancellationToken cancellationToken)
    {
        var scope = round.Scope;
        var scaffold = new ScaffoldAction(arguments.Required("name"), arguments.Required("description"), arguments.String("template") is { Length: > 0 } named ? named : null, arguments.String("directory") ?? "");
        if (!staging.Commit())
        {
            throw new ToolError(ActionErrorCodes.ActionFailed, "Nothing was scaffolded: a file change before it in the same response failed. Fix that first.");
        }

        List<WrightAction> actions = [];
        if (round.Workspace.Changes is { Count: > 0 } changes)
        {
            actions.Add(new FileChangeAction(changes));
        }

        actions.Add(scaffold);
        var result = await _runner.RunAsync(
            new ActionRunRequest(round.ProjectId, round.Root, scope.Prompt.Content, actions, scope.Model.Name.ToString(), null, scope.Session.Id.ToString(), scope.Assistant.Id.ToString()),
            cancellationToken).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            throw new ToolError(result.Failure!.Code, result.Failure.Detail);
        }

        if (result.Commit is { } commit)
        {
            round.Commits.Add(commit.Sha);
            _recorder.Committed(scope, result);
        }

        round.Workspace.Reset(await ContextFileFilter.CreateAsync(round.Root, _git, cancellationToken).ConfigureAwait(false));
        var chosen = ScaffoldHandler.Choose(scaffold.Template, scaffold.Description);
        return $"Scaffolded the {chosen.Id} template ({chosen.Title}) and committed it: {string.Join(", ", result.Changes.Select(c => c.Path))}. Edit these files to finish what was asked.";
    }
}
