using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;
using OpenAI.Chat;
using AIChatMessage = Microsoft.Extensions.AI.ChatMessage;
using AIChatRole = Microsoft.Extensions.AI.ChatRole;
using AIFinishReason = Microsoft.Extensions.AI.ChatFinishReason;
using OpenAIChatMessage = OpenAI.Chat.ChatMessage;

namespace Wright.Core.Llm;

/// <summary>
/// The official OpenAI SDK's <see cref="ChatClient"/> behind <see cref="IChatClient"/> (the
/// Microsoft.Extensions.AI.OpenAI package is not available here): text, tool calls assembled from
/// their streamed pieces, finish reason and usage (cached prompt tokens included).
/// </summary>
internal sealed class OpenAIChatClientAdapter : IChatClient
{
    private readonly ChatClient _client;
    private readonly ChatClientMetadata _metadata;

    public OpenAIChatClientAdapter(ChatClient client, Uri endpoint, string model)
    {
        _client = client;
        _metadata = new ChatClientMetadata("openai", endpoint, model);
    }

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<AIChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var result = await _client.CompleteChatAsync(ToOpenAI(messages), ToOpenAI(options), cancellationToken).ConfigureAwait(false);
        var completion = result.Value;
        var message = new AIChatMessage(AIChatRole.Assistant, []);
        var text = string.Concat(completion.Content.Select(p => p.Text));
        if (text.Length > 0)
        {
            message.Contents.Add(new TextContent(text));
        }

        foreach (var call in completion.ToolCalls)
        {
            message.Contents.Add(FunctionCall(call.Id, call.FunctionName, call.FunctionArguments?.ToString() ?? ""));
        }

        return new ChatResponse(message)
        {
            ModelId = completion.Model,
            ResponseId = completion.Id,
            FinishReason = ToFinishReason(completion.FinishReason),
            Usage = ToUsage(completion.Usage),
        };
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<AIChatMessage> messages,
        ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var calls = new SortedDictionary<int, (string? Id, string? Name, StringBuilder Arguments)>();
        AIFinishReason? finish = null;
        string? model = null;
        await foreach (var update in _client.CompleteChatStreamingAsync(ToOpenAI(messages), ToOpenAI(options), cancellationToken).ConfigureAwait(false))
        {
            model ??= update.Model;
            foreach (var part in update.ContentUpdate)
            {
                if (!string.IsNullOrEmpty(part.Text))
                {
                    yield return new ChatResponseUpdate(AIChatRole.Assistant, part.Text) { ModelId = update.Model, ResponseId = update.CompletionId };
                }
            }

            foreach (var piece in update.ToolCallUpdates)
            {
                if (!calls.TryGetValue(piece.Index, out var call))
                {
                    call = (null, null, new StringBuilder());
                }

                call.Id ??= string.IsNullOrEmpty(piece.ToolCallId) ? null : piece.ToolCallId;
                call.Name ??= string.IsNullOrEmpty(piece.FunctionName) ? null : piece.FunctionName;
                if (piece.FunctionArgumentsUpdate is { } arguments)
                {
                    call.Arguments.Append(arguments.ToString());
                }

                calls[piece.Index] = call;
            }

            if (update.FinishReason is { } reason)
            {
                finish = ToFinishReason(reason);
            }

            if (update.Usage is { } usage)
            {
                yield return new ChatResponseUpdate(AIChatRole.Assistant, [new UsageContent(ToUsage(usage)!)]) { ModelId = update.Model };
            }
        }

        if (calls.Count > 0)
        {
            var contents = calls.Values.Select(c => (AIContent)FunctionCall(c.Id ?? "", c.Name ?? "", c.Arguments.ToString())).ToList();
            yield return new ChatResponseUpdate(AIChatRole.Assistant, contents) { ModelId = model };
        }

        if (finish is not null)
        {
            yield return new ChatResponseUpdate { Role = AIChatRole.Assistant, FinishReason = finish, ModelId = model };
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is not null ? null
        : serviceType == typeof(ChatClientMetadata) ? _metadata
        : serviceType.IsInstanceOfType(this) ? this
        : serviceType.IsInstanceOfType(_client) ? _client
        : null;

    public void Dispose()
    {
        // The ChatClient holds no resources of its own; the HttpClient belongs to the registry.
    }

    private static FunctionCallContent FunctionCall(string id, string name, string argumentsJson)
    {
        IDictionary<string, object?>? arguments = null;
        if (!string.IsNullOrWhiteSpace(argumentsJson))
        {
            try
            {
                arguments = JsonSerializer.Deserialize<Dictionary<string, object?>>(argumentsJson);
            }
            catch (JsonException)
            {
                // Models sometimes send malformed arguments; the raw text is kept below for the caller to show.
            }
        }

        return new FunctionCallContent(id, name, arguments) { RawRepresentation = argumentsJson };
    }

    private static List<OpenAIChatMessage> ToOpenAI(IEnumerable<AIChatMessage> messages)
    {
        var result = new List<OpenAIChatMessage>();
        foreach (var message in messages)
        {
            var text = string.Concat(message.Contents.OfType<TextContent>().Select(t => t.Text));
            if (message.Role == AIChatRole.System)
            {
                result.Add(new SystemChatMessage(text));
            }
            else if (message.Role == AIChatRole.Assistant)
            {
                var calls = message.Contents.OfType<FunctionCallContent>()
                    .Select(c => ChatToolCall.CreateFunctionToolCall(c.CallId, c.Name, BinaryData.FromString(c.RawRepresentation as string ?? JsonSerializer.Serialize(c.Arguments ?? new Dictionary<string, object?>()))))
                    .ToList();
                result.Add(calls.Count > 0 ? new AssistantChatMessage(calls) : new AssistantChatMessage(text));
            }
            else if (message.Role == AIChatRole.Tool)
            {
                foreach (var output in message.Contents.OfType<FunctionResultContent>())
                {
                    result.Add(new ToolChatMessage(output.CallId, output.Result?.ToString() ?? ""));
                }
            }
            else
            {
                result.Add(new UserChatMessage(text));
            }
        }

        return result;
    }

    private static ChatCompletionOptions ToOpenAI(ChatOptions? options)
    {
        var result = new ChatCompletionOptions();
        if (options is null)
        {
            return result;
        }

        result.MaxOutputTokenCount = options.MaxOutputTokens;
        result.Temperature = options.Temperature;
        result.TopP = options.TopP;
        foreach (var tool in options.Tools?.OfType<AIFunctionDeclaration>() ?? [])
        {
            result.Tools.Add(ChatTool.CreateFunctionTool(tool.Name, tool.Description, BinaryData.FromString(tool.JsonSchema.GetRawText())));
        }

        return result;
    }

    private static AIFinishReason? ToFinishReason(OpenAI.Chat.ChatFinishReason reason) => reason switch
    {
        OpenAI.Chat.ChatFinishReason.Stop => AIFinishReason.Stop,
        OpenAI.Chat.ChatFinishReason.Length => AIFinishReason.Length,
        OpenAI.Chat.ChatFinishReason.ToolCalls or OpenAI.Chat.ChatFinishReason.FunctionCall => AIFinishReason.ToolCalls,
        OpenAI.Chat.ChatFinishReason.ContentFilter => AIFinishReason.ContentFilter,
        _ => null,
    };

    private static UsageDetails? ToUsage(ChatTokenUsage? usage) => usage is null
        ? null
        : new UsageDetails
        {
            InputTokenCount = usage.InputTokenCount,
            OutputTokenCount = usage.OutputTokenCount,
            TotalTokenCount = usage.TotalTokenCount,
            CachedInputTokenCount = usage.InputTokenDetails?.CachedTokenCount,
        };
}
