using System.Globalization;
using System.Text.Json;

namespace Wright.Core.Agents;

/// <summary>The usage one transcript line reports: one model response, or part of one.</summary>
public sealed record TranscriptUsageLine(string Key, string? Model, long InputTokens, long OutputTokens, long CacheReadTokens, long CacheWriteTokens, DateTimeOffset? At, string? GitBranch)
{
    public long TotalTokens => InputTokens + OutputTokens + CacheReadTokens + CacheWriteTokens;
}

/// <summary>
/// Reads usage from Claude Code transcript lines. One API response is written as several lines
/// sharing <c>message.id</c> and <c>requestId</c> (one per content block, the usage growing): they
/// are one response, keyed on that pair (or <c>message.id</c> alone when a line has no request id),
/// and the largest usage of a key wins.
/// </summary>
public static class TranscriptUsage
{
    /// <summary>The usage lines among <paramref name="lines"/>, one per key (the largest).</summary>
    public static IReadOnlyList<TranscriptUsageLine> Collect(IEnumerable<string> lines)
    {
        var byKey = new Dictionary<string, TranscriptUsageLine>(StringComparer.Ordinal);
        foreach (var line in lines)
        {
            if (Parse(line) is not { } usage)
            {
                continue;
            }

            if (!byKey.TryGetValue(usage.Key, out var known) || usage.TotalTokens > known.TotalTokens)
            {
                byKey[usage.Key] = usage;
            }
        }

        return byKey.Values.ToList();
    }

    /// <summary>The usage of one line, or null when it reports none (a user line, a summary, a line that is not JSON).</summary>
    public static TranscriptUsageLine? Parse(string line)
    {
        if (string.IsNullOrWhiteSpace(line) || !line.Contains("\"usage\"", StringComparison.Ordinal))
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(line);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("message", out var message) || message.ValueKind != JsonValueKind.Object
                || !message.TryGetProperty("usage", out var usage) || usage.ValueKind != JsonValueKind.Object
                || String(message, "id") is not { } messageId)
            {
                return null;
            }

            var requestId = String(root, "requestId");
            var key = requestId is null ? messageId : $"{messageId}|{requestId}";
            DateTimeOffset? at = String(root, "timestamp") is { } stamp && DateTimeOffset.TryParse(stamp, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed) ? parsed : null;
            return new TranscriptUsageLine(
                key,
                String(message, "model"),
                Number(usage, "input_tokens"),
                Number(usage, "output_tokens"),
                Number(usage, "cache_read_input_tokens"),
                Number(usage, "cache_creation_input_tokens"),
                at,
                String(root, "gitBranch"));
        }
        catch (JsonException)
        {
            // A line cut short or not JSON is not usage; the transcript is the agent's, not ours to judge.
            return null;
        }
    }

    private static string? String(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text ? text : null;

    private static long Number(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number) && number > 0 ? number : 0;
}
