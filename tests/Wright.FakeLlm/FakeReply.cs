namespace Wright.FakeLlm;

/// <summary>How a scripted reply ends after its chunks.</summary>
public enum FakeEnding
{
    /// <summary>Finish reason, usage and the protocol's end marker.</summary>
    Complete,

    /// <summary>An error event in the stream (Anthropic <c>event: error</c> with <c>overloaded_error</c>; OpenAI a <c>data: {"error":…}</c> chunk).</summary>
    ErrorEvent,

    /// <summary>The connection is aborted without an end marker.</summary>
    Drop,

    /// <summary>Nothing more is written until the client gives up.</summary>
    Stall,
}

/// <summary>One tool call of a scripted reply; <paramref name="ArgumentsJson"/> is sent in a few pieces.</summary>
public sealed record FakeToolCall(string Id, string Name, string ArgumentsJson);

/// <summary>Token counts a scripted reply reports.</summary>
public sealed record FakeUsage(int InputTokens, int OutputTokens, int CacheReadTokens = 0, int CacheWriteTokens = 0);

/// <summary>
/// What the fake answers to one request. A reply is rendered in the wire format of the request it
/// answers (OpenAI Chat Completions or Anthropic Messages, streamed or not), unless it is a raw
/// replay of recorded bytes.
/// </summary>
public sealed record FakeReply
{
    /// <summary>HTTP status; anything but 200 answers with an error body of the protocol and no stream.</summary>
    public int Status { get; init; } = 200;

    /// <summary>Extra response headers (retry-after, x-should-retry…).</summary>
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();

    /// <summary>Error type and message of a non-200 reply or an error event.</summary>
    public string ErrorType { get; init; } = "overloaded_error";

    public string ErrorMessage { get; init; } = "Overloaded";

    /// <summary>Text pieces, one stream chunk each.</summary>
    public IReadOnlyList<string> Chunks { get; init; } = [];

    /// <summary>Makes chunk <c>i</c>'s text when it is written (for latency probes); overrides <see cref="Chunks"/> with <see cref="ChunkCount"/> chunks.</summary>
    public Func<int, string>? ChunkFactory { get; init; }

    public int ChunkCount { get; init; }

    /// <summary>Pause before each chunk.</summary>
    public TimeSpan ChunkDelay { get; init; }

    public IReadOnlyList<FakeToolCall> ToolCalls { get; init; } = [];

    public FakeUsage Usage { get; init; } = new(10, 5);

    public string Model { get; init; } = "fake-model";

    public FakeEnding Ending { get; init; } = FakeEnding.Complete;

    /// <summary>Holds the response before its headers until the client gives up.</summary>
    public bool StallBeforeHeaders { get; init; }

    /// <summary>Bytes written verbatim as the body (a recorded stream), with <see cref="ReplayContentType"/>.</summary>
    public byte[]? Replay { get; init; }

    public string ReplayContentType { get; init; } = "text/event-stream";

    /// <summary>Number of chunks to write before <see cref="Ending"/> when replaying (null: the whole recording).</summary>
    public int? ReplayBytesBeforeEnding { get; init; }

    public int TotalChunks => ChunkFactory is null ? Chunks.Count : ChunkCount;

    public string ChunkAt(int index) => ChunkFactory is { } factory ? factory(index) : Chunks[index];

    /// <summary>A text answer in <paramref name="chunks"/> pieces.</summary>
    public static FakeReply Text(params string[] chunks) => new() { Chunks = chunks };

    /// <summary><paramref name="count"/> chunks of <c>"w{i} "</c>.</summary>
    public static FakeReply Words(int count) => new() { ChunkFactory = i => $"w{i} ", ChunkCount = count };

    /// <summary>A recorded stream file written byte for byte.</summary>
    public static FakeReply ReplayFile(string path) => new() { Replay = File.ReadAllBytes(path) };

    public static FakeReply WithStatus(int status, string errorType, string message, params (string Name, string Value)[] headers) => new()
    {
        Status = status,
        ErrorType = errorType,
        ErrorMessage = message,
        Headers = headers.ToDictionary(h => h.Name, h => h.Value, StringComparer.OrdinalIgnoreCase),
    };

    /// <summary>429 with <c>retry-after</c> in seconds.</summary>
    public static FakeReply RateLimited(int retryAfterSeconds) =>
        WithStatus(429, "rate_limit_error", "Rate limited", ("retry-after", retryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)));

    /// <summary>Anthropic's 529 before the stream, with <c>x-should-retry: true</c>.</summary>
    public static FakeReply Overloaded() => WithStatus(529, "overloaded_error", "Overloaded", ("x-should-retry", "true"));

    public static FakeReply ServerError() => WithStatus(500, "api_error", "Internal server error");
}
