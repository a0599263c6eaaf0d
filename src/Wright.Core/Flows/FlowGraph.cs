using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Wright.Core.Flows;

/// <summary>
/// A flow template: named nodes joined by edges, run by a FlowRun from <see cref="Start"/> (default:
/// the first node). The same shape is written in YAML or JSON; <see cref="Layout"/> holds editor
/// positions only and the engine ignores it.
/// </summary>
public sealed record FlowGraph
{
    public string Name { get; init; } = "";

    public string? Description { get; init; }

    public string? Start { get; init; }

    public IReadOnlyList<FlowNode> Nodes { get; init; } = [];

    public IReadOnlyList<FlowEdge> Edges { get; init; } = [];

    public JsonObject? Layout { get; init; }

    /// <summary>The node a run begins at: <see cref="Start"/>, else the first node.</summary>
    [JsonIgnore]
    public string? StartNodeId => Start ?? Nodes.FirstOrDefault()?.Id;

    public FlowNode? Node(string? id) => id is null ? null : Nodes.FirstOrDefault(n => n.Id == id);

    public IEnumerable<FlowEdge> EdgesFrom(string id) => Edges.Where(e => e.From == id);
}

/// <summary>
/// One node. Which fields matter depends on <see cref="Type"/>: <c>userInput</c> (prompt, output),
/// <c>llm</c> (model, prompt template, tools, output), <c>action</c> (action = command with command,
/// or edits with from; output), <c>condition</c> (expression), <c>end</c>.
/// </summary>
public sealed record FlowNode
{
    public string Id { get; init; } = "";

    public string Type { get; init; } = "";

    public string? Prompt { get; init; }

    public string? Output { get; init; }

    public string? Model { get; init; }

    public bool? Tools { get; init; }

    public string? Action { get; init; }

    public string? Command { get; init; }

    public string? From { get; init; }

    public string? Expression { get; init; }
}

/// <summary>An edge; <see cref="When"/> (<c>true</c> or <c>false</c>) picks a condition node's branch.</summary>
public sealed record FlowEdge
{
    public string From { get; init; } = "";

    public string To { get; init; } = "";

    public string? When { get; init; }
}

/// <summary>The node types; never rename one.</summary>
public static class FlowNodeTypes
{
    public const string UserInput = "userInput";
    public const string Llm = "llm";
    public const string Action = "action";
    public const string Condition = "condition";
    public const string End = "end";

    public static readonly IReadOnlyList<string> All = [UserInput, Llm, Action, Condition, End];
}

/// <summary>What an <c>action</c> node does.</summary>
public static class FlowActionKinds
{
    public const string Command = "command";
    public const string Edits = "edits";
}

/// <summary>One thing wrong with a template, with a stable code and, where it applies, the node or edge.</summary>
public sealed record FlowProblem(string Code, string Message, string? NodeId = null, FlowEdgeRef? Edge = null);

/// <summary>An edge named in a problem.</summary>
public sealed record FlowEdgeRef(string From, string To);

/// <summary>Where a template comes from.</summary>
public static class FlowSources
{
    public const string Builtin = "builtin";
    public const string Project = "project";
    public const string User = "user";
}

/// <summary>The text formats of a template.</summary>
public static class FlowFormats
{
    public const string Yaml = "yaml";
    public const string Json = "json";
}

/// <summary>The stable codes of template problems and flow errors; never rename one.</summary>
public static class FlowErrorCodes
{
    public const string FlowNotFound = "flow_not_found";
    public const string FlowInvalid = "flow_invalid";
    public const string FlowBuiltinReadonly = "flow_builtin_readonly";
    public const string FlowNameInvalid = "flow_name_invalid";
    public const string FlowRunNotFound = "flow_run_not_found";
    public const string FlowRunActive = "flow_run_active";
    public const string FlowRunNotPaused = "flow_run_not_paused";
    public const string FlowNodeFailed = "flow_node_failed";
    public const string FlowRunAbandoned = "flow_run_abandoned";

    public const string UnknownNodeType = "unknown_node_type";
    public const string UnreachableEnd = "unreachable_end";
    public const string CycleWithoutInput = "cycle_without_input";
    public const string UnknownVariable = "unknown_variable";
    public const string DuplicateNode = "duplicate_node";
    public const string UnknownNode = "unknown_node";
    public const string MissingField = "missing_field";
    public const string InvalidYaml = "invalid_yaml";
    public const string InvalidJson = "invalid_json";
    public const string InvalidExpression = "invalid_expression";
    public const string InvalidEdge = "invalid_edge";
    public const string InvalidName = "invalid_name";
}
