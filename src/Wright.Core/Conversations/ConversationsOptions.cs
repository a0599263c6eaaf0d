using Microsoft.Extensions.Options;

namespace Wright.Core.Conversations;

/// <summary>How answers are streamed and saved (configuration section <c>Conversations</c>).</summary>
public sealed class ConversationsOptions
{
    /// <summary>
    /// How often the text of a streaming answer is saved. Zero saves every piece before it is sent
    /// to clients (what a client has seen then survives a crash), at the price of a write per piece.
    /// </summary>
    public TimeSpan FlushInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>After the last client of a streaming answer leaves, how long to wait for one to come back before the provider call is cancelled.</summary>
    public TimeSpan DisconnectGracePeriod { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a finished answer's event log stays in memory for clients that reconnect late.</summary>
    public TimeSpan FinishedStreamLinger { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Answers one user may stream at once.</summary>
    public int MaxConcurrentStreamsPerUser { get; set; } = 4;

    /// <summary>Messages one user may send per minute.</summary>
    public int MaxRequestsPerMinutePerUser { get; set; } = 60;

    /// <summary>Longest message content accepted, in characters.</summary>
    public int MaxContentChars { get; set; } = 200_000;
}

/// <summary>Checks <see cref="ConversationsOptions"/> at start-up and names every bad setting.</summary>
internal sealed class ConversationsOptionsValidation : IValidateOptions<ConversationsOptions>
{
    public ValidateOptionsResult Validate(string? name, ConversationsOptions options)
    {
        var problems = new List<string>();
        if (options.FlushInterval < TimeSpan.Zero)
        {
            problems.Add($"Conversations:FlushInterval must not be negative (got {options.FlushInterval}).");
        }

        if (options.DisconnectGracePeriod < TimeSpan.Zero)
        {
            problems.Add($"Conversations:DisconnectGracePeriod must not be negative (got {options.DisconnectGracePeriod}).");
        }

        if (options.FinishedStreamLinger < TimeSpan.Zero)
        {
            problems.Add($"Conversations:FinishedStreamLinger must not be negative (got {options.FinishedStreamLinger}).");
        }

        if (options.MaxConcurrentStreamsPerUser < 1)
        {
            problems.Add($"Conversations:MaxConcurrentStreamsPerUser must be positive (got {options.MaxConcurrentStreamsPerUser}).");
        }

        if (options.MaxRequestsPerMinutePerUser < 1)
        {
            problems.Add($"Conversations:MaxRequestsPerMinutePerUser must be positive (got {options.MaxRequestsPerMinutePerUser}).");
        }

        if (options.MaxContentChars < 1)
        {
            problems.Add($"Conversations:MaxContentChars must be positive (got {options.MaxContentChars}).");
        }

        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
