using Wright.Core.Answers;
using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Wright.Core.Accounts;
using Wright.Core.Actions;
using Wright.Core.Conversations;
using Wright.Core.Engine;
using Wright.Core.Flows;
using Wright.Core.Errors;
using Wright.Core.Git;
using Wright.Core.Hosting;
using Wright.Core.Paging;
using Wright.Core.Projects;
using Wright.Server;
using Wright.Server.Hosting;
using Wright.Storage.Database;

namespace Wright.Cli.Commands;

/// <summary>
/// `wright run "prompt"`: the engine headless against a project directory — the same services as
/// the server (built without starting Kestrel), the project registered in the local data directory
/// when it is new. Exit codes: 0 the answer finished (and its changes, if any, were committed);
/// 1 its changes could not be applied (the workspace was restored) or it was stopped; 2 usage
/// errors; 3 provider errors.
/// </summary>
internal static class RunCommand
{
    public const int Success = 0;
    public const int ChangesNotApplied = 1;
    public const int ProviderError = 3;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) } };

    public static Command Create()
    {
        var prompt = new Argument<string>("prompt") { Description = "What you want done, in your own words." };
        var project = new Option<string?>("--project", "-p") { Description = "The project directory (default: the current directory)." };
        var model = new Option<string?>("--model", "-m") { Description = $"provider/model (default: {WrightConfigNames.DefaultModelVariable} or the configured default)." };
        var session = new Option<Guid?>("--session") { Description = "Continue this session instead of starting a new one." };
        var approve = new Option<string?>("--approve") { Description = "Commands the model runs: auto (run them) or deny (default unless the project's .wright/config says auto)." };
        approve.AcceptOnlyFromAmong("auto", "deny");
        var format = new Option<string>("--format") { Description = "text (progress for people) or json (one JSON event per line).", DefaultValueFactory = _ => "text" };
        format.AcceptOnlyFromAmong("text", "json");

        var command = new Command("run", "Apply a prompt to a project from the command line (no server needed).") { prompt, project, model, session, approve, format };
        var storage = StorageOptions.AddTo(command);
        command.SetAction((parse, cancellationToken) => RunAsync(
            new RunRequest(
                parse.GetValue(prompt) ?? "",
                parse.GetValue(project),
                parse.GetValue(model),
                parse.GetValue(session),
                parse.GetValue(approve),
                parse.GetValue(format) == "json",
                storage.DataDirOf(parse),
                storage.DatabaseOf(parse)),
            cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(RunRequest request, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(request.Prompt))
        {
            return await UsageAsync("the prompt is empty: say what you want done, as in wright run \"add a health endpoint\".");
        }

        var root = Path.GetFullPath(request.Project ?? Directory.GetCurrentDirectory());
        if (!Directory.Exists(root))
        {
            return await UsageAsync($"the project directory {root} does not exist.");
        }

        if (StorageOptions.ProblemWith(request.Database) is { } problem)
        {
            return await UsageAsync(problem);
        }

        var options = new ServerOptions { DataDir = Path.GetFullPath(request.DataDir), Database = request.Database, Port = 0 };
        await using var app = WrightServer.Build(options, builder => builder.Logging.ClearProviders().SetMinimumLevel(LogLevel.Warning));
        var services = app.Services;
        try
        {
            await services.GetRequiredService<Migrator>().MigrateAsync(cancellationToken);
            var target = await FindOrRegisterAsync(services, root, cancellationToken);
            var sessions = services.GetRequiredService<SessionService>();
            Session session;
            if (request.Session is { } id)
            {
                session = await sessions.GetAsync(Actor.CommandLine, id, cancellationToken);
                if (session.ProjectId != target.Id)
                {
                    return await UsageAsync($"session {id} belongs to another project, not {target.RootPath}.");
                }
            }
            else
            {
                session = await sessions.CreateAsync(Actor.CommandLine, target.Id, null, cancellationToken);
            }

            var policy = request.Approve switch
            {
                "auto" => CommandApprovalPolicy.Auto,
                "deny" => CommandApprovalPolicy.Deny,
                _ => await ProjectPolicyAsync(target.RootPath, cancellationToken) == CommandApprovalPolicy.Auto ? CommandApprovalPolicy.Auto : CommandApprovalPolicy.Deny,
            };
            var chat = services.GetRequiredService<ChatService>();
            var run = await chat.PostAsync(Actor.CommandLine, session.Id, request.Prompt, null, request.Model, policy, null, cancellationToken);
            using var watching = run.Watch();
            using var stop = cancellationToken.Register(() => run.Cancel(AnswerCancelReason.Stopped));
            var printer = new Printer(request.JsonOutput, target, session);
            await foreach (var evt in run.ReadAsync(0, CancellationToken.None))
            {
                await printer.PrintAsync(evt);
            }

            // The prompt is a turn of the session's default flow; its record is written before the process ends.
            await services.GetRequiredService<FlowRunner>().ChatTurnTask(run.MessageId).WaitAsync(TimeSpan.FromSeconds(5), cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            return await printer.FinishAsync();
        }
        catch (WrightException ex) when (ex.Code is ErrorCodes.ModelUnknown or ErrorCodes.ProviderUnknown or ErrorCodes.ProviderNotConfigured or ErrorCodes.ValidationFailed or ErrorCodes.SessionNotFound or ErrorCodes.ProjectPathTaken or ErrorCodes.ProjectPathOverlaps or ErrorCodes.ProjectPathReserved || ex.Kind == ErrorKind.Invalid)
        {
            return await UsageAsync($"{ex.Message} ({ex.Code})");
        }
        catch (WrightException ex) when (ex.Code.StartsWith("provider_", StringComparison.Ordinal))
        {
            await Console.Error.WriteLineAsync($"wright: {ex.Message} ({ex.Code})");
            return ProviderError;
        }
        catch (WrightException ex)
        {
            await Console.Error.WriteLineAsync($"wright: {ex.Message} ({ex.Code})");
            return ChangesNotApplied;
        }
    }

    /// <summary>The project registered at <paramref name="root"/>, registering it (as the oldest admin's, or ownerless until setup) when it is new.</summary>
    private static async Task<Project> FindOrRegisterAsync(IServiceProvider services, string root, CancellationToken cancellationToken)
    {
        var repository = services.GetRequiredService<IProjectRepository>();
        // Roots are stored canonical (ProjectService.NormalizeRoot), so one indexed lookup finds it.
        var real = ProjectService.NormalizeRoot(Path.GetFullPath(root));
        if (await repository.FindByPathAsync(real, cancellationToken) is { } found)
        {
            return found;
        }

        // OpenAsync makes a repository only when the directory is not already one's top, and
        // gives the project to the oldest admin when accounts exist.
        return await services.GetRequiredService<ProjectService>().OpenAsync(Actor.CommandLine, real, null, initGit: true, cancellationToken);
    }

    private static async Task<CommandApprovalPolicy?> ProjectPolicyAsync(string root, CancellationToken cancellationToken)
    {
        try
        {
            return (await ProjectConfig.LoadAsync(root, cancellationToken)).CommandApproval;
        }
        catch (WrightException)
        {
            // A broken .wright/config never lets commands run unasked.
            return null;
        }
    }

    private static async Task<int> UsageAsync(string message)
    {
        await Console.Error.WriteLineAsync($"wright run: {message}");
        return WrightCommandLine.UsageError;
    }


    private sealed record RunRequest(string Prompt, string? Project, string? Model, Guid? Session, string? Approve, bool JsonOutput, string DataDir, string? Database);

    /// <summary>Prints an answer's events as they come: text for people (answer on stdout, progress on stderr) or one JSON object per line.</summary>
    private sealed class Printer(bool json, Project project, Session session)
    {
        private readonly List<string> _commits = [];
        private decimal _cost;
        private bool _unpriced;
        private long _inputTokens;
        private long _outputTokens;
        private bool _actionFailed;
        private string? _stopReason;
        private Message? _final;
        private string? _errorCode;

        public async Task PrintAsync(AnswerEvent evt)
        {
            Track(evt);
            if (json)
            {
                await Console.Out.WriteLineAsync(JsonSerializer.Serialize(new { type = evt.Type, data = evt.Data }, Json));
                return;
            }

            switch (evt.Data)
            {
                case MessageCreatedData:
                    await Console.Error.WriteLineAsync($"wright: project {project.Name} ({project.RootPath}), session {session.Id}");
                    break;
                case DeltaData delta:
                    await Console.Out.WriteAsync(delta.Text);
                    break;
                case ToolCallData call:
                    await Console.Error.WriteLineAsync($"\n→ {call.ToolCall.Name} {Shorten(call.ToolCall.Arguments)}");
                    break;
                case ToolResultEventData result:
                    await Console.Error.WriteLineAsync($"  {(result.Ok ? "ok" : "failed")}: {Shorten(result.Output)}");
                    break;
                case CommandOutputEventData output:
                    await Console.Error.WriteAsync(output.Text);
                    break;
                case ActionCommittedEventData committed:
                    await Console.Error.WriteLineAsync($"\nCommitted {committed.Commit[..12]} {committed.Subject}");
                    break;
                case ActionFailedEventData failed:
                    await Console.Error.WriteLineAsync($"\nThe changes could not be applied; the workspace was restored. {failed.Failure.Detail}");
                    break;
                case AnswerStoppedEventData stopped when stopped.Reason != StopReasons.Completed:
                    await Console.Error.WriteLineAsync($"\nStopped: {stopped.Reason}{(stopped.Detail is null ? "" : $" — {stopped.Detail}")}");
                    break;
                case MessageEndedData { Message.Status: MessageStatus.Error } ended:
                    await Console.Error.WriteLineAsync($"\nwright: {ended.Detail} ({ended.Code})");
                    break;
            }
        }

        public async Task<int> FinishAsync()
        {
            var code = _final?.Status switch
            {
                MessageStatus.Complete when !_actionFailed => Success,
                MessageStatus.Error when _errorCode?.StartsWith("provider_", StringComparison.Ordinal) == true => ProviderError,
                _ => ChangesNotApplied,
            };
            // A model without a known price is reported as such, never as a cost of 0.
            var cost = _unpriced ? "unpriced" : _cost.ToString("0.######", CultureInfo.InvariantCulture) + " USD";
            if (json)
            {
                await Console.Out.WriteLineAsync(JsonSerializer.Serialize(new { type = "result", exitCode = code, sessionId = session.Id, messageId = _final?.Id, commits = _commits, stopReason = _stopReason, cost = _unpriced ? (decimal?)null : _cost, unpriced = _unpriced, currency = "USD", inputTokens = _inputTokens, outputTokens = _outputTokens }, Json));
            }
            else
            {
                await Console.Out.WriteLineAsync();
                await Console.Error.WriteLineAsync($"{(_commits.Count == 0 ? "No commit." : $"Commits: {string.Join(", ", _commits)}")} Cost: {cost} ({_inputTokens} in, {_outputTokens} out).");
            }

            return code;
        }

        private void Track(AnswerEvent evt)
        {
            switch (evt.Data)
            {
                case ActionCommittedEventData committed:
                    _commits.Add(committed.Commit);
                    break;
                case ActionFailedEventData:
                    _actionFailed = true;
                    break;
                case UsageData usage:
                    _cost += usage.Cost ?? 0m;
                    _unpriced |= usage.Unpriced;
                    _inputTokens += usage.InputTokens;
                    _outputTokens += usage.OutputTokens;
                    break;
                case AnswerStoppedEventData stopped:
                    _stopReason = stopped.Reason;
                    break;
                case MessageEndedData ended:
                    _final = ended.Message;
                    _errorCode = ended.Code;
                    break;
            }
        }

        private static string Shorten(string text)
        {
            var line = text.ReplaceLineEndings(" ");
            return line.Length > 160 ? line[..157] + "..." : line;
        }
    }
}
