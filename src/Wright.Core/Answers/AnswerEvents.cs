using Wright.Core.Conversations;

namespace Wright.Core.Answers;

/// <summary>Payload of <c>message.created</c>: the assistant message being streamed and, for a new prompt, the user message stored before it.</summary>
public sealed record MessageCreatedData(Guid SessionId, Message Message, Message? UserMessage);

/// <summary>Payload of <c>delta</c>: text to append to the message.</summary>
public sealed record DeltaData(Guid MessageId, string Text);

/// <summary>Payload of <c>toolCall</c>: a complete tool call of the message.</summary>
public sealed record ToolCallData(Guid MessageId, ToolCall ToolCall);

/// <summary>
/// Payload of <c>usage</c>: the provider call's tokens as reported and its cost from the catalog;
/// <see cref="Unpriced"/> (and a null cost) when the catalog has no price for the model.
/// </summary>
public sealed record UsageData(Guid MessageId, string Provider, string Model, long InputTokens, long OutputTokens, long CacheReadTokens, long CacheWriteTokens, decimal? Cost, string Currency, long? TtftMs)
{
    public bool Unpriced { get; init; }
}

/// <summary>Payload of <c>message.completed</c> (status complete, cancelled or interrupted) and of <c>error</c> (status error, with the code).</summary>
public sealed record MessageEndedData(Message Message, string? Code, string? Detail);
