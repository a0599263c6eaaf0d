using System.Text.Json;
using System.Text.Json.Nodes;

namespace Wright.Core.Agents;

/// <summary>
/// The fields of a Claude Code hook payload that Wright uses; everything else is kept only in the
/// event log (with long strings cut). Every field but the event name is optional: older Claude Code
/// versions send much sparser payloads, and unknown fields are ignored.
/// </summary>
public sealed record HookPayload(
    string EventName,
    string? SessionId,
    string? WrightSessionId,
    string? Cwd,
    string? TranscriptPath,
    string? AgentTranscriptPath,
    string? Prompt,
    string? ToolName,
    string? NotificationType,
    string? Message,
    string? LastAssistantMessage,
    string? Error,
    string? QuestionText,
    string? TaskSubject,
    string LoggedPayload)
{
    /// <summary>The longest string value kept in the event log; tool inputs and outputs can hold whole files.</summary>
    public const int MaxLoggedString = 2_000;

    /// <summary>The notification types that mean the agent waits for the user.</summary>
    public static readonly IReadOnlySet<string> WaitingNotifications = new HashSet<string>(StringComparer.Ordinal) { "permission_prompt", "idle_prompt", "elicitation_dialog" };

    /// <summary>Tools whose use means the agent asks the user something and waits.</summary>
    public static readonly IReadOnlySet<string> AskingTools = new HashSet<string>(StringComparer.Ordinal) { "AskUserQuestion", "ExitPlanMode" };

    /// <summary>The field a hook may carry WRIGHT_SESSION_ID in (the X-Wright-Session-Id header is the usual way).</summary>
    public const string WrightSessionField = "wright_session_id";

    /// <summary>
    /// Reads a payload. <paramref name="eventName"/> (from the route) wins over <c>hook_event_name</c>;
    /// returns null with a reason when the body is not a JSON object.
    /// </summary>
    public static HookPayload? Parse(string eventName, ReadOnlySpan<byte> body, string? wrightSessionHeader, out string? problem)
    {
        JsonObject? root;
        try
        {
            root = JsonNode.Parse(body, documentOptions: new JsonDocumentOptions { MaxDepth = 64 }) as JsonObject;
        }
        catch (JsonException ex)
        {
            problem = $"The hook payload is not valid JSON: {ex.Message}";
            return null;
        }

        if (root is null)
        {
            problem = "The hook payload must be a JSON object.";
            return null;
        }

        problem = null;
        var toolName = Text(root, "tool_name");
        var toolInput = root["tool_input"] as JsonObject;
        return new HookPayload(
            eventName,
            Text(root, "session_id"),
            NonBlank(wrightSessionHeader) ?? Text(root, WrightSessionField),
            Text(root, "cwd"),
            Text(root, "transcript_path"),
            Text(root, "agent_transcript_path"),
            Text(root, "prompt"),
            toolName,
            Text(root, "notification_type"),
            Text(root, "message"),
            Text(root, "last_assistant_message"),
            Text(root, "error_details") ?? Text(root, "error"),
            toolInput is null ? null : QuestionOf(toolInput),
            Text(root, "task_subject"),
            Trimmed(root).ToJsonString());
    }

    /// <summary>What the hook means for the task.</summary>
    public HookSignal Signal => EventName switch
    {
        "UserPromptSubmit" => HookSignal.Prompt,
        "Notification" when NotificationType is { } type && WaitingNotifications.Contains(type) => HookSignal.Question,
        "PermissionRequest" or "Elicitation" => HookSignal.Question,
        "PreToolUse" when ToolName is { } tool && AskingTools.Contains(tool) => HookSignal.Question,
        "PostToolUse" or "PostToolUseFailure" or "PermissionDenied" or "ElicitationResult" => HookSignal.Resume,
        "SubagentStop" or "TaskCompleted" => HookSignal.Progress,
        "Stop" => HookSignal.Stop,
        "StopFailure" => HookSignal.StopFailure,
        "SessionEnd" => HookSignal.SessionEnd,
        _ => HookSignal.Activity,
    };

    /// <summary>What an AWAITING_INPUT task waits on: the notification type, or the tool that asks or needs permission.</summary>
    public string? WaitingOn => EventName switch
    {
        "Notification" => NotificationType,
        "PermissionRequest" => ToolName is null ? "permission" : $"permission:{ToolName}",
        "Elicitation" => "elicitation",
        _ => ToolName,
    };

    /// <summary>The text of the turn this hook records, if any.</summary>
    public string? TurnText => Signal switch
    {
        HookSignal.Prompt => Prompt,
        HookSignal.Question => QuestionText ?? Message ?? (ToolName is null ? null : $"Permission to use {ToolName}"),
        HookSignal.Stop => LastAssistantMessage,
        HookSignal.StopFailure => Error ?? LastAssistantMessage,
        HookSignal.Progress => TaskSubject ?? LastAssistantMessage,
        _ => null,
    };

    private static string? Text(JsonObject root, string name) =>
        root[name] is JsonValue value && value.TryGetValue<string>(out var text) ? NonBlank(text) : null;

    private static string? NonBlank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text;

    /// <summary>AskUserQuestion's first question, or ExitPlanMode's plan.</summary>
    private static string? QuestionOf(JsonObject input)
    {
        if (input["questions"] is JsonArray { Count: > 0 } questions && questions[0] is JsonObject first)
        {
            return Text(first, "question");
        }

        return Text(input, "question") ?? Text(input, "plan");
    }

    /// <summary>A copy of the payload with long strings cut, so the event log holds no whole files.</summary>
    private static JsonNode Trimmed(JsonNode node) => node switch
    {
        JsonObject obj => new JsonObject(obj.Select(p => KeyValuePair.Create(p.Key, p.Value is null ? null : Trimmed(p.Value)))),
        JsonArray array => new JsonArray(array.Select(item => item is null ? null : Trimmed(item)).ToArray()),
        JsonValue value when value.TryGetValue<string>(out var text) && text.Length > MaxLoggedString =>
            JsonValue.Create(string.Concat(text.AsSpan(0, MaxLoggedString), $"… ({text.Length - MaxLoggedString} more characters)")),
        _ => node.DeepClone(),
    };
}
