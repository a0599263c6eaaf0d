using System.Text;
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

    /// <summary>Introduces a history summary at the end of the system prompt.</summary>
    public const string SummaryHeading = "\n\n# Earlier in this conversation (summarized)\n";

    private const string SummaryInstructions =
        "You summarize the earlier part of a conversation between a developer and an AI coding assistant, so the assistant can continue without it. " +
        "Keep what later turns need: the developer's goals and decisions, files and identifiers that were read or changed and how, commands run and their outcome, errors met and how they were resolved, and anything still open. " +
        "When an earlier summary is given, fold it in. Write plain, dense prose or short lists; no greeting, no preamble.";

    private static readonly ContextRecord EmptyContext = new(Guid.Empty, DateTimeOffset.UnixEpoch, 0, null, 0, 0, [], [], new Dictionary<string, string>(), []);

    private readonly PromptManager _prompts;
    private readonly IContextRepository _contexts;
    private readonly IAnswerRepository _answers;
    private readonly ContextBuilder _contextBuilder;
    private readonly TokenEstimator _estimator;
    private readonly EngineOptions _options;
    private readonly HistorySummarizer _summarizer;

    public Prepare(PromptManager prompts, IContextRepository contexts, IAnswerRepository answers, ContextBuilder contextBuilder, TokenEstimator estimator, IOptions<EngineOptions> options, HistorySummarizer summarizer)
    {
        _summarizer = summarizer;
        _prompts = prompts;
        _contexts = contexts;
        _answers = answers;
        _contextBuilder = contextBuilder;
        _estimator = estimator;
        _options = options.Value;
    }

    /// <summary>
    /// Builds the request for the prompt at the end of the path. Stores nothing and calls no model,
    /// except when the earlier turns no longer fit: then the older ones are summarized once (a
    /// recorded model call) and the stored summary is reused by every later request below it.
    /// </summary>
    public async Task<PreparedRequest> RunAsync(PrepareInput input, CancellationToken cancellationToken)
    {
        var (project, session, path, model) = (input.Project, input.Session, input.Path, input.Model);
        var prompt = path[^1];
        var modelName = model.Name.ToString();
        var layers = await _prompts.RenderAsync(project, session.Id, input.UserId, modelName, tools: true, cancellationToken).ConfigureAwait(false);
        var (turns, previous, baseline, wholeByTurn) = await HistoryAsync(session.Id, path, cancellationToken).ConfigureAwait(false);

        var window = model.Info?.ContextWindow ?? _options.DefaultContextWindow;
        var available = window - model.MaxOutputTokens - _estimator.Estimate(layers.System, modelName) - _estimator.Estimate(prompt.Content, modelName) - ToolSchemaReserveTokens;
        var (system, history, historyRecord) = await FitHistoryAsync(session, model, layers.System, turns, available, cancellationToken).ConfigureAwait(false);
        if (historyRecord is not null && previous is not null)
        {
            // Summarized turns are gone from the request: the files they carried whole are no
            // longer in the conversation, so they count as unsent again.
            previous = previous with { FilesSent = InConversation(wholeByTurn.Skip(historyRecord.SummarizedTurns)) };
        }

        var fixedCost = _estimator.Estimate(system, modelName)
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
        var estimated = _estimator.Estimate(system, modelName)
            + messages.Sum(m => Estimate(m, modelName))
            + tools.Sum(t => _estimator.Estimate(t.Name + t.Description + t.Schema.GetRawText(), modelName));
        var record = historyRecord is null ? context.Record : context.Record with { History = historyRecord };
        return new PreparedRequest(
            modelName,
            model.Endpoint.Kind,
            system,
            messages,
            tools,
            model.MaxOutputTokens,
            PreparedRequest.Breakpoints(messages.Count, history.Count, _options.PromptCaching),
            record,
            estimated)
        {
            HistoryCount = history.Count,
            Built = historyRecord is null ? context : context with { Record = record },
        };
    }

    /// <summary>
    /// The request that summarizes earlier turns: instructions as the system prompt, then the
    /// turns as a transcript (continuing an earlier summary when there is one), no tools. Tool
    /// results are cut, and the oldest part of the transcript dropped, so the request fits the
    /// summarizing model's window.
    /// </summary>
    public static PreparedRequest SummaryRequest(ResolvedModel model, string? earlier, IReadOnlyList<HistoryTurn> turns, int maxSummaryTokens, int defaultWindow)
    {
        const int MaxToolResultChars = 2000;
        var transcript = new StringBuilder();
        foreach (var message in turns.SelectMany(t => t.Messages))
        {
            switch (message.Role)
            {
                case TurnRoles.User:
                    transcript.Append("## User\n").Append(WithoutContext(message.Text)).Append("\n\n");
                    break;
                case TurnRoles.Assistant:
                    transcript.Append("## Assistant\n").Append(message.Text).Append('\n');
                    foreach (var call in message.ToolCalls)
                    {
                        transcript.Append("[tool call ").Append(call.Name).Append(' ').Append(call.Arguments).Append("]\n");
                    }

                    transcript.Append('\n');
                    break;
                default:
                    foreach (var result in message.ToolResults)
                    {
                        var output = result.Output.Length > MaxToolResultChars ? result.Output[..MaxToolResultChars] + "\n[… cut]" : result.Output;
                        transcript.Append(result.IsError ? "[tool error]\n" : "[tool result]\n").Append(output).Append("\n\n");
                    }

                    break;
            }
        }

        // Characters the transcript may take in the summarizer's window (4 per token, half the window as margin).
        var window = model.Info?.ContextWindow ?? defaultWindow;
        var room = Math.Max(4000, (int)((window - maxSummaryTokens) * TokenEstimator.CharsPerToken / 2));
        var text = transcript.ToString();
        if (text.Length > room)
        {
            text = "[… the oldest part of this transcript was cut]\n" + text[^room..];
        }

        var body = new StringBuilder();
        if (earlier is not null)
        {
            body.Append("<earlier-summary>\n").Append(earlier).Append("\n</earlier-summary>\n\n");
        }

        body.Append("<transcript>\n").Append(text).Append("</transcript>");
        var messages = new List<TurnMessage> { TurnMessage.User(body.ToString()) };
        return new PreparedRequest(model.Name.ToString(), model.Endpoint.Kind, SummaryInstructions, messages, [], Math.Min(maxSummaryTokens, model.MaxOutputTokens), [], EmptyContext, 0);
    }

    /// <summary>
    /// The system prompt and earlier turns that fit: all turns when they fit their share of the
    /// window; otherwise a stored summary of the older turns (in the system prompt, so the request
    /// keeps a stable prefix) and the newest whole turns — a turn is never split, so no tool call
    /// is sent without its result. A stored summary is reused while the turns after it fit; a new
    /// one covers enough turns to leave half the share free, so it lasts for several prompts.
    /// </summary>
    private async Task<(string System, List<TurnMessage> History, ContextHistoryRecord? Record)> FitHistoryAsync(Session session, ResolvedModel model, string system, IReadOnlyList<HistoryTurn> turns, int available, CancellationToken cancellationToken)
    {
        var modelName = model.Name.ToString();
        var all = turns.SelectMany(t => t.Messages).ToList();
        var tokens = turns.Select(t => t.Messages.Sum(m => Estimate(m, modelName))).ToList();
        var limit = (int)(Math.Max(0, available) * _options.Summarization.HistoryShare);
        if (!_options.Summarization.Enabled || turns.Count == 0 || tokens.Sum() <= limit)
        {
            return (system, all, null);
        }

        // Tokens of the turns from index i to the end.
        var after = new int[turns.Count + 1];
        for (var i = turns.Count - 1; i >= 0; i--)
        {
            after[i] = after[i + 1] + tokens[i];
        }

        var index = turns.Select((t, i) => (t.LastId, i)).ToDictionary(p => p.LastId, p => p.i);
        var stored = (await _summarizer.StoredAsync(session.Id, cancellationToken).ConfigureAwait(false))
            .Where(s => index.ContainsKey(s.ThroughMessageId))
            .Select(s => (Summary: s, Through: index[s.ThroughMessageId]))
            .OrderByDescending(s => s.Through)
            .ToList();
        var summary = stored.FirstOrDefault(s => s.Summary.Tokens + after[s.Through + 1] <= limit).Summary;
        if (summary is null)
        {
            var keepFrom = 1;
            while (keepFrom < turns.Count && after[keepFrom] > limit / 2)
            {
                keepFrom++;
            }

            var earlier = stored.FirstOrDefault(s => s.Through < keepFrom);
            var from = earlier.Summary is null ? 0 : earlier.Through + 1;
            if (from == keepFrom && keepFrom < turns.Count)
            {
                // The earlier summary alone takes more than half the share: fold in one more turn.
                keepFrom++;
            }

            summary = from == keepFrom
                ? earlier.Summary!
                : await _summarizer.SummarizeAsync(session.Id, model, earlier.Summary, turns.Skip(from).Take(keepFrom - from).ToList(), cancellationToken).ConfigureAwait(false);
        }

        var through = index[summary.ThroughMessageId];
        var kept = turns.Skip(through + 1).SelectMany(t => t.Messages).ToList();
        var summarized = system + SummaryHeading + summary.Text + "\n";
        var record = new ContextHistoryRecord(summary.Id, summary.ThroughMessageId, through + 1, turns.Count - through - 1, summary.Tokens, summary.Tokens + after[through + 1], limit, summary.Text);
        return (summarized, kept, record);
    }

    /// <summary>
    /// The earlier turns on the path as they were sent (an answer's stored messages), or as plain
    /// text for turns stored before answers kept them; the nearest earlier prompt's Context (seen
    /// as the workspace its answer left, so "changed since the last prompt" holds only the user's
    /// changes); and the commit that answer ended at.
    /// </summary>
    private async Task<(List<HistoryTurn> Turns, ContextRecord? Previous, string? Baseline, List<List<ContextFileRecord>> WholeByTurn)> HistoryAsync(Guid sessionId, IReadOnlyList<Message> path, CancellationToken cancellationToken)
    {
        // One query for every answer of the session (not one per turn: this is on the way to the first token).
        var answers = path.Count > 1
            ? (await _answers.ListAnswersAsync(sessionId, cancellationToken).ConfigureAwait(false)).ToDictionary(a => a.MessageId)
            : [];
        var turns = new List<HistoryTurn>();
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
                turns.Add(new HistoryTurn(message, answer, state.Messages));
            }
            else
            {
                var messages = new List<TurnMessage> { TurnMessage.User(message.Content) };
                if (answer is { Content.Length: > 0 })
                {
                    messages.Add(TurnMessage.Assistant(answer.Content));
                }

                turns.Add(new HistoryTurn(message, answer, messages));
            }
        }

        // The nearest earlier prompt with a stored Context makes this one incremental. Every file
        // whose whole text is already in the conversation — sent whole by any earlier Context on
        // the path, or written whole by the model itself — is not sent again while unchanged: a
        // file repeated in a later turn is new bytes at the end of the request, the part no
        // provider cache serves.
        ContextRecord? nearest = null;
        AnswerRecord? nearestAnswer = null;
        var wholeByTurn = new List<List<ContextFileRecord>>(prompts.Count);
        foreach (var (prompt, answer) in prompts)
        {
            var whole = new List<ContextFileRecord>();
            if (await _contexts.GetContextAsync(prompt.Id, cancellationToken).ConfigureAwait(false) is { } stored)
            {
                whole.AddRange(stored.Record.FilesSent.Where(f => f.Whole));
                (nearest, nearestAnswer) = (stored.Record, answer);
            }

            whole.AddRange(WrittenWhole(answer?.State?.Messages ?? []));
            wholeByTurn.Add(whole);
        }

        if (nearest is null)
        {
            return (turns, null, null, wholeByTurn);
        }

        var previous = nearest with { FilesSent = InConversation(wholeByTurn) };
        return nearestAnswer?.State?.WorkspaceAfter is { } after && nearestAnswer.HeadAfter is { } head
            ? (turns, previous with { Workspace = after, Head = head }, head, wholeByTurn)
            : (turns, previous, null, wholeByTurn);
    }

    /// <summary>The files whose whole text the given turns carry, the latest text of each.</summary>
    private static List<ContextFileRecord> InConversation(IEnumerable<List<ContextFileRecord>> turns)
    {
        var files = new Dictionary<string, ContextFileRecord>(StringComparer.Ordinal);
        foreach (var file in turns.SelectMany(t => t))
        {
            files[file.Path] = file;
        }

        return [.. files.Values];
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

    /// <summary>A user message as the transcript shows it: the prompt without the Context it carried.</summary>
    private static string WithoutContext(string text)
    {
        if (!text.StartsWith("<context>\n", StringComparison.Ordinal))
        {
            return text;
        }

        var end = text.IndexOf("</context>\n\n", StringComparison.Ordinal);
        return end < 0 ? text : text[(end + "</context>\n\n".Length)..];
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
