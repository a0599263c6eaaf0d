using System.Text.Json;
using System.Text.Json.Serialization;
using Anthropic.Models.Messages;
using Microsoft.Extensions.AI;
using Wright.Core.Context;
using Wright.Core.Engine;
using Wright.Core.Llm;
using AIChatMessage = Microsoft.Extensions.AI.ChatMessage;
using AITextContent = Microsoft.Extensions.AI.TextContent;

namespace Wright.Core.Answers;

/// <summary>Who speaks a <see cref="TurnMessage"/>.</summary>
public static class TurnRoles
{
    public const string User = "user";
    public const string Assistant = "assistant";
    public const string Tool = "tool";
}

/// <summary>A tool call the model made, as it is sent back in later requests.</summary>
public sealed record TurnToolCall(string Id, string Name, string Arguments);

/// <summary>A tool's result as the model sees it; <see cref="IsError"/> reaches every provider (Anthropic <c>is_error</c>).</summary>
public sealed record TurnToolResult(string CallId, string Output, bool IsError);

/// <summary>
/// One message of a provider request in Wright's own terms (no SDK types), so a request can be
/// stored, compared and resumed: user text, an assistant's text and tool calls, or tool results.
/// </summary>
public sealed record TurnMessage(string Role, string Text)
{
    public IReadOnlyList<TurnToolCall> ToolCalls { get; init; } = [];

    public IReadOnlyList<TurnToolResult> ToolResults { get; init; } = [];

    public static TurnMessage User(string text) => new(TurnRoles.User, text);

    public static TurnMessage Assistant(string text, IReadOnlyList<TurnToolCall>? calls = null) => new(TurnRoles.Assistant, text) { ToolCalls = calls ?? [] };

    public static TurnMessage Results(IReadOnlyList<TurnToolResult> results) => new(TurnRoles.Tool, "") { ToolResults = results };
}

/// <summary>A tool as declared to the model.</summary>
public sealed record PreparedTool(string Name, string Description, JsonElement Schema);

/// <summary>
/// Everything one provider request is made of — the value Prepare builds and both the prompt
/// preview and the real send use: model, system prompt, messages (stable prefix first: earlier
/// turns exactly as they were sent, then the new prompt with its Context), tools, the output
/// token limit, the cache breakpoints (message indexes whose end closes a cacheable prefix; -1 is
/// the system prompt) and the Context the last user message carries.
/// </summary>
public sealed record PreparedRequest(
    string Model,
    ProviderKind Provider,
    string System,
    IReadOnlyList<TurnMessage> Messages,
    IReadOnlyList<PreparedTool> Tools,
    int MaxTokens,
    IReadOnlyList<int> CacheBreakpoints,
    ContextRecord Context,
    int EstimatedTokens)
{
    /// <summary>The message index of the system prompt in <see cref="CacheBreakpoints"/>.</summary>
    public const int SystemBreakpoint = -1;

    /// <summary>How many of <see cref="Messages"/> came from earlier turns (the rest is this prompt and its answer so far).</summary>
    public int HistoryCount { get; init; }

    /// <summary>The Context with its text and file filter, for the answer that sends this request (not part of the value).</summary>
    [JsonIgnore]
    public BuiltContext? Built { get; init; }

    /// <summary>The same request continued by the answer's own steps (its tool calls and their results), breakpoints moved to its new end.</summary>
    public PreparedRequest Continue(IReadOnlyList<TurnMessage> answerMessages, bool caching)
    {
        var messages = Messages.Take(HistoryCount + 1).Concat(answerMessages).ToList();
        return this with { Messages = messages, CacheBreakpoints = Breakpoints(messages.Count, HistoryCount, caching) };
    }

    /// <summary>The breakpoints of a request of <paramref name="count"/> messages: the system prompt (it covers the tools), the end of earlier turns and the end of the request.</summary>
    public static IReadOnlyList<int> Breakpoints(int count, int historyCount, bool caching)
    {
        if (!caching)
        {
            return [];
        }

        var points = new List<int> { SystemBreakpoint };
        if (historyCount > 0)
        {
            points.Add(historyCount - 1);
        }

        if (count > 0 && count - 1 != historyCount - 1)
        {
            points.Add(count - 1);
        }

        return points;
    }

    /// <summary>The request as the provider clients take it. Cache breakpoints are Anthropic's alone (OpenAI caches prefixes by itself).</summary>
    public LlmRequest ToLlmRequest(ResolvedModel model)
    {
        var anthropic = Provider == ProviderKind.Anthropic;
        var breakpoints = anthropic ? CacheBreakpoints.ToHashSet() : [];
        var messages = new List<AIChatMessage>(Messages.Count + 1)
        {
            new(ChatRole.System, [Mark(new AITextContent(System), breakpoints.Contains(SystemBreakpoint))]),
        };
        for (var i = 0; i < Messages.Count; i++)
        {
            var message = Messages[i];
            var contents = new List<AIContent>();
            if (message.Text.Length > 0)
            {
                contents.Add(new AITextContent(message.Text));
            }

            foreach (var call in message.ToolCalls)
            {
                contents.Add(new FunctionCallContent(call.Id, call.Name, ParseArguments(call.Arguments)) { RawRepresentation = call.Arguments });
            }

            foreach (var result in message.ToolResults)
            {
                contents.Add(new FunctionResultContent(result.CallId, result.Output) { Exception = result.IsError ? new ToolFailedException(result.Output) : null });
            }

            if (contents.Count > 0 && breakpoints.Contains(i))
            {
                Mark(contents[^1], true);
            }

            var role = message.Role switch
            {
                TurnRoles.Assistant => ChatRole.Assistant,
                TurnRoles.Tool => ChatRole.Tool,
                _ => ChatRole.User,
            };
            messages.Add(new AIChatMessage(role, contents));
        }

        return new LlmRequest(model, messages) { Tools = Tools.Count > 0 ? AgentTools.Declarations : null };
    }

    private static T Mark<T>(T content, bool breakpoint)
        where T : AIContent => breakpoint ? content.WithCacheControl(new CacheControlEphemeral()) : content;

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
}

/// <summary>Marks a failed tool's result, so each provider client sends it as an error (Anthropic: <c>is_error: true</c>).</summary>
public sealed class ToolFailedException(string message) : Exception(message);

/// <summary>A provider request body exactly as it goes on the wire.</summary>
public sealed record WireRequest(string Method, string Path, [property: JsonIgnore] string BodyText)
{
    public JsonElement Body => JsonDocument.Parse(BodyText).RootElement.Clone();
}
