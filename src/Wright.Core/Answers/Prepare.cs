using System.Text.RegularExpressions;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;
using Wright.Core.Context;
using Wright.Core.Conversations;
using Wright.Core.Engine;
using Wright.Core.Git;
using Wright.Core.Llm;
using Wright.Core.Projects;

namespace Wright.Core.Answers;

/// <summary>What a request is prepared from: the conversation up to the prompt, the model, and the workspace's status when the caller knows it.</summary>
/// <param name="Path">The conversation from the root to the prompt (a user message), oldest first.</param>
/// <param name="Status">The workspace's git status as the answer will see it (after its branch is checked out); null reads it.</param>
public sealed record PrepareInput(Project Project, Session Session, IReadOnlyList<Message> Path, ResolvedModel Model, Guid? UserId, GitStatus? Status = null);

/// <summary>
/// Prepare: the only code that builds a provider request. The prompt preview and the real send
/// call it with the same inputs. The request is laid out as a stable prefix — tools, system
/// prompt, then every earlier turn exactly as it was sent (its Context, tool calls and results) —
/// followed by the new prompt with its Context, so turn N+1's request starts with turn N's bytes
/// and provider prompt caches hit.
/// </summary>
public sealed partial class Prepare
{
    private const int ToolSchemaReserveTokens = 1500;

    private readonly PromptManager _prompts;
    private readonly IContextRepository _contexts;
    private readonly IAnswerRepository _answers;
    private readonly ContextBuilder _contextBuilder;
    private readonly TokenEstimator _estimator;
    private readonly EngineOptions _options;

    public Prepare(PromptManager prompts, IContextRepository contexts, IAnswerRepository answers, ContextBuilder contextBuilder, TokenEstimator estimator, IOptions<EngineOptions> options)
    {
        _prompts = prompts;
        _contexts = contexts;
        _answers = answers;
        _contextBuilder = contextBuilder;
        _estimator = estimator;
        _options = options.Value;
    }

    /// <summary>Builds the request for the prompt at the end of the path. Calls no model, stores nothing.</summary>
    public async Task<PreparedRequest> RunAsync(PrepareInput input, CancellationToken cancellationToken)
    {
        var (project, session, path, model) = (input.Project, input.Session, input.Path, input.Model);
        var prompt = path[^1];
        var modelName = model.Name.ToString();
        var layers = await _prompts.RenderAsync(project, session.Id, input.UserId, modelName, tools: true, cancellationToken).ConfigureAwait(false);
        var (history, previous, baseline) = await HistoryAsync(session.Id, path, cancellationToken).ConfigureAwait(false);

        var window = model.Info?.ContextWindow ?? _options.DefaultContextWindow;
        var fixedCost = _estimator.Estimate(layers.System, modelName)
            + history.Sum(m => Estimate(m, modelName))
            + _estimator.Estimate(prompt.Content, modelName)
            + ToolSchemaReserveTokens;
        var budget = Math.Clamp(window - model.MaxOutputTokens - fixedCost, 0, _options.MaxContextTokens);
        var context = await _contextBuilder.BuildAsync(
            new ContextRequest(project.RootPath, prompt.Content, budget)
            {
                Model = modelName,
                Previous = previous,
                BaselineCommit = baseline,
                MentionedFiles = MentionedPaths(prompt.Content),
                Status = input.Status,
            },
            cancellationToken).ConfigureAwait(false);

        var messages = history.Append(TurnMessage.User($"<context>\n{context.Text}</context>\n\n{prompt.Content}")).ToList();
        var tools = AgentTools.Declarations.OfType<AIFunctionDeclaration>().Select(t => new PreparedTool(t.Name, t.Description, t.JsonSchema)).ToList();
        var estimated = _estimator.Estimate(layers.System, modelName)
            + messages.Sum(m => Estimate(m, modelName))
            + tools.Sum(t => _estimator.Estimate(t.Name + t.Description + t.Schema.GetRawText(), modelName));
        return new PreparedRequest(
            modelName,
            model.Endpoint.Kind,
            layers.System,
            messages,
            tools,
            model.MaxOutputTokens,
            PreparedRequest.Breakpoints(messages.Count, history.Count, _options.PromptCaching),
            context.Record,
            estimated)
        {
            HistoryCount = history.Count,
            Built = context,
        };
    }

    /// <summary>
    /// The earlier turns on the path as they were sent (an answer's stored messages), or as plain
    /// text for turns stored before answers kept them; the nearest earlier prompt's Context (seen
    /// as the workspace its answer left, so "changed since the last prompt" holds only the user's
    /// changes); and the commit that answer ended at.
    /// </summary>
    private async Task<(List<TurnMessage> History, ContextRecord? Previous, string? Baseline)> HistoryAsync(Guid sessionId, IReadOnlyList<Message> path, CancellationToken cancellationToken)
    {
        // One query for every answer of the session (not one per turn: this is on the way to the first token).
        var answers = path.Count > 1
            ? (await _answers.ListAnswersAsync(sessionId, cancellationToken).ConfigureAwait(false)).ToDictionary(a => a.MessageId)
            : [];
        var history = new List<TurnMessage>();
        var prompts = new List<(Message Prompt, AnswerRecord? Answer)>();
        for (var i = 0; i < path.Count - 1; i++)
        {
            var message = path[i];
            if (message.Role == MessageRole.Assistant)
            {
                continue;
            }

            var answer = i + 1 < path.Count - 1 && path[i + 1].Role == MessageRole.Assistant ? path[i + 1] : null;
            var record = answer is null ? null : answers.GetValueOrDefault(answer.Id);
            prompts.Add((message, record));
            if (record?.State is { Messages.Count: > 0 } state)
            {
                history.AddRange(state.Messages);
            }
            else
            {
                history.Add(TurnMessage.User(message.Content));
                if (answer is { Content.Length: > 0 })
                {
                    history.Add(TurnMessage.Assistant(answer.Content));
                }
            }
        }

        // The nearest earlier prompt with a stored Context makes this one incremental. Every file
        // whose whole text is already in the conversation — sent whole by any earlier Context on
        // the path, or written whole by the model itself — is not sent again while unchanged: a
        // file repeated in a later turn is new bytes at the end of the request, the part no
        // provider cache serves.
        ContextRecord? nearest = null;
        AnswerRecord? nearestAnswer = null;
        var inConversation = new Dictionary<string, ContextFileRecord>(StringComparer.Ordinal);
        foreach (var (prompt, answer) in prompts)
        {
            if (await _contexts.GetContextAsync(prompt.Id, cancellationToken).ConfigureAwait(false) is { } stored)
            {
                foreach (var file in stored.Record.FilesSent.Where(f => f.Whole))
                {
                    inConversation[file.Path] = file;
                }

                (nearest, nearestAnswer) = (stored.Record, answer);
            }

            foreach (var file in WrittenWhole(answer?.State?.Messages ?? []))
            {
                inConversation[file.Path] = file;
            }
        }

        if (nearest is null)
        {
            return (history, null, null);
        }

        var previous = nearest with { FilesSent = [.. inConversation.Values] };
        return nearestAnswer?.State?.WorkspaceAfter is { } after && nearestAnswer.HeadAfter is { } head
            ? (history, previous with { Workspace = after, Head = head }, head)
            : (history, previous, null);
    }

    /// <summary>The files an answer wrote whole through <c>write_file</c>, with the hash of the text its call carried.</summary>
    private static IEnumerable<ContextFileRecord> WrittenWhole(IReadOnlyList<TurnMessage> messages)
    {
        foreach (var call in messages.SelectMany(m => m.ToolCalls).Where(c => c.Name == AgentTools.WriteFile))
        {
            string? path = null;
            string? content = null;
            try
            {
                using var arguments = System.Text.Json.JsonDocument.Parse(call.Arguments);
                if (arguments.RootElement.ValueKind == System.Text.Json.JsonValueKind.Object
                    && arguments.RootElement.TryGetProperty("path", out var p) && p.ValueKind == System.Text.Json.JsonValueKind.String
                    && arguments.RootElement.TryGetProperty("content", out var c) && c.ValueKind == System.Text.Json.JsonValueKind.String)
                {
                    (path, content) = (p.GetString(), c.GetString());
                }
            }
            catch (System.Text.Json.JsonException)
            {
                // A call with broken arguments wrote nothing: there is no text of it in the conversation to rely on.
            }

            if (path is not null && content is not null)
            {
                // Counted only while the file on disk still hashes to exactly this text.
                yield return new ContextFileRecord(path, Workspace.FileETag.Compute(System.Text.Encoding.UTF8.GetBytes(content)), true);
            }
        }
    }

    private int Estimate(TurnMessage message, string model) =>
        _estimator.Estimate(message.Text, model) + 4
        + message.ToolCalls.Sum(c => _estimator.Estimate(c.Name.Length + c.Arguments.Length, model))
        + message.ToolResults.Sum(r => _estimator.Estimate(r.Output, model) + 4);

    private static List<string> MentionedPaths(string prompt) =>
        PathLike().Matches(prompt).Select(m => m.Value.TrimEnd('.', ',', ':', ';', ')')).Where(p => p.Length > 0 && !p.StartsWith('/')).Distinct(StringComparer.Ordinal).ToList();

    [GeneratedRegex(@"[A-Za-z0-9_.\-]+(?:/[A-Za-z0-9_.\-]+)*\.[A-Za-z0-9]+", RegexOptions.CultureInvariant)]
    private static partial Regex PathLike();
}
