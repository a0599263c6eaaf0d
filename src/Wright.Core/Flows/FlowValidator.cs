using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Wright.Core.Flows;

/// <summary>
/// Checks a template before it is saved or run and names every problem: missing fields, unknown
/// node types, duplicate nodes, edges to missing nodes, conditions without their true/false
/// branches, expressions that do not parse, variables no node defines, an <c>end</c> no path
/// reaches, and cycles a run could go round forever without waiting for the user.
/// </summary>
public static partial class FlowValidator
{
    /// <summary>Variables every run has: its initial input and the previous node's output.</summary>
    public static readonly IReadOnlyList<string> BuiltinVariables = ["input", "last"];

    public static bool IsValidName(string? name) => name is not null && NamePattern().IsMatch(name);

    public static IReadOnlyList<FlowProblem> Validate(FlowGraph graph)
    {
        var problems = new List<FlowProblem>();
        if (!IsValidName(graph.Name))
        {
            problems.Add(new FlowProblem(FlowErrorCodes.InvalidName, "The name is 1–64 characters of a-z, 0-9 and '-', starting with a letter or digit."));
        }

        if (graph.Nodes.Count == 0)
        {
            problems.Add(new FlowProblem(FlowErrorCodes.MissingField, "The template has no nodes."));
            return problems;
        }

        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var node in graph.Nodes)
        {
            if (string.IsNullOrWhiteSpace(node.Id))
            {
                problems.Add(new FlowProblem(FlowErrorCodes.MissingField, "A node has no id."));
                continue;
            }

            if (!ids.Add(node.Id))
            {
                problems.Add(new FlowProblem(FlowErrorCodes.DuplicateNode, $"Two nodes are called '{node.Id}'.", node.Id));
            }

            CheckFields(node, problems);
        }

        if (graph.Start is { } start && !ids.Contains(start))
        {
            problems.Add(new FlowProblem(FlowErrorCodes.UnknownNode, $"The start node '{start}' does not exist.", start));
        }

        foreach (var edge in graph.Edges)
        {
            var reference = new FlowEdgeRef(edge.From, edge.To);
            foreach (var end in new[] { edge.From, edge.To })
            {
                if (!ids.Contains(end ?? ""))
                {
                    problems.Add(new FlowProblem(FlowErrorCodes.UnknownNode, $"The edge {edge.From} → {edge.To} names a node '{end}' that does not exist.", null, reference));
                }
            }

            var from = graph.Node(edge.From);
            if (from?.Type == FlowNodeTypes.Condition && edge.When is not ("true" or "false"))
            {
                problems.Add(new FlowProblem(FlowErrorCodes.InvalidEdge, $"An edge leaving the condition '{edge.From}' needs when: \"true\" or when: \"false\".", edge.From, reference));
            }
            else if (from is not null && from.Type != FlowNodeTypes.Condition && edge.When is not null)
            {
                problems.Add(new FlowProblem(FlowErrorCodes.InvalidEdge, $"Only a condition's edges carry 'when'; '{edge.From}' is a {from.Type} node.", edge.From, reference));
            }

            if (from?.Type == FlowNodeTypes.End)
            {
                problems.Add(new FlowProblem(FlowErrorCodes.InvalidEdge, $"The end node '{edge.From}' cannot have an outgoing edge.", edge.From, reference));
            }
        }

        foreach (var node in graph.Nodes.Where(n => !string.IsNullOrWhiteSpace(n.Id)))
        {
            var outgoing = graph.EdgesFrom(node.Id).ToList();
            if (node.Type == FlowNodeTypes.Condition)
            {
                foreach (var branch in new[] { "true", "false" })
                {
                    var count = outgoing.Count(e => e.When == branch);
                    if (count != 1)
                    {
                        problems.Add(new FlowProblem(FlowErrorCodes.InvalidEdge, $"The condition '{node.Id}' needs exactly one edge with when: \"{branch}\" (it has {count}).", node.Id));
                    }
                }
            }
            else if (outgoing.Count > 1)
            {
                problems.Add(new FlowProblem(FlowErrorCodes.InvalidEdge, $"'{node.Id}' has {outgoing.Count} outgoing edges; only a condition may branch.", node.Id));
            }
        }

        CheckVariables(graph, problems);
        if (problems.Any(p => p.Code is FlowErrorCodes.UnknownNode or FlowErrorCodes.DuplicateNode))
        {
            return problems;
        }

        CheckReachability(graph, problems);
        CheckCycles(graph, problems);
        return problems;
    }

    /// <summary>The names inside <c>{{…}}</c> in a template string (first path segment).</summary>
    public static IEnumerable<string> TemplateVariables(string? text) =>
        text is null ? [] : Placeholder().Matches(text).Select(m => m.Groups[1].Value.Split('.')[0]);

    /// <summary>Fills <c>{{name}}</c> and <c>{{name.path}}</c> from the variables: strings as they are, other values as JSON, missing ones empty.</summary>
    public static string Render(string? text, IReadOnlyDictionary<string, JsonNode?> variables) =>
        text is null ? "" : Placeholder().Replace(text, m =>
        {
            var path = m.Groups[1].Value.Split('.');
            if (!variables.TryGetValue(path[0], out var node))
            {
                return "";
            }

            for (var i = 1; i < path.Length && node is not null; i++)
            {
                node = node is JsonObject o && o.TryGetPropertyValue(path[i], out var child) ? child : null;
            }

            return FlowExpression.Text(FlowExpression.FromNode(node));
        });

    private static void CheckFields(FlowNode node, List<FlowProblem> problems)
    {
        void Require(string? value, string field)
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                problems.Add(new FlowProblem(FlowErrorCodes.MissingField, $"The {node.Type} node '{node.Id}' needs '{field}'.", node.Id));
            }
        }

        switch (node.Type)
        {
            case FlowNodeTypes.UserInput or FlowNodeTypes.End:
                break;
            case FlowNodeTypes.Llm:
                Require(node.Prompt, "prompt");
                break;
            case FlowNodeTypes.Action when node.Action == FlowActionKinds.Command:
                Require(node.Command, "command");
                break;
            case FlowNodeTypes.Action when node.Action == FlowActionKinds.Edits:
                Require(node.From, "from");
                break;
            case FlowNodeTypes.Action:
                problems.Add(new FlowProblem(FlowErrorCodes.MissingField, $"The action node '{node.Id}' needs 'action': \"command\" or \"edits\".", node.Id));
                break;
            case FlowNodeTypes.Condition:
                Require(node.Expression, "expression");
                if (!string.IsNullOrWhiteSpace(node.Expression))
                {
                    try
                    {
                        FlowExpression.Parse(node.Expression);
                    }
                    catch (FormatException ex)
                    {
                        problems.Add(new FlowProblem(FlowErrorCodes.InvalidExpression, $"The expression of '{node.Id}' cannot be read: {ex.Message}", node.Id));
                    }
                }

                break;
            default:
                problems.Add(new FlowProblem(FlowErrorCodes.UnknownNodeType, $"'{node.Id}' has the type '{node.Type}'; the types are {string.Join(", ", FlowNodeTypes.All)}.", node.Id));
                break;
        }
    }

    private static void CheckVariables(FlowGraph graph, List<FlowProblem> problems)
    {
        var defined = new HashSet<string>(BuiltinVariables, StringComparer.Ordinal);
        foreach (var node in graph.Nodes)
        {
            if (node.Output is { Length: > 0 } output)
            {
                defined.Add(output);
            }
        }

        foreach (var node in graph.Nodes)
        {
            var used = new List<string>();
            used.AddRange(TemplateVariables(node.Prompt).Where(_ => node.Type == FlowNodeTypes.Llm));
            used.AddRange(TemplateVariables(node.Command));
            if (node.Type == FlowNodeTypes.Action && node.Action == FlowActionKinds.Edits && node.From is { Length: > 0 } from)
            {
                used.Add(from);
            }

            if (node.Type == FlowNodeTypes.Condition && node.Expression is { Length: > 0 } text)
            {
                try
                {
                    used.AddRange(FlowExpression.Parse(text).Variables);
                }
                catch (FormatException)
                {
                    // Reported as invalid_expression already.
                }
            }

            foreach (var name in used.Distinct(StringComparer.Ordinal).Where(n => !defined.Contains(n)))
            {
                problems.Add(new FlowProblem(FlowErrorCodes.UnknownVariable, $"'{node.Id}' uses the variable '{name}', which no node's output defines.", node.Id));
            }
        }
    }

    /// <summary>A run must be able to finish or wait: some <c>end</c>, or a <c>userInput</c> on a cycle (a conversation), is reachable from the start.</summary>
    private static void CheckReachability(FlowGraph graph, List<FlowProblem> problems)
    {
        var start = graph.StartNodeId!;
        var reachable = Reach(graph, start);
        if (reachable.Any(id => graph.Node(id)?.Type == FlowNodeTypes.End))
        {
            return;
        }

        var conversation = reachable.Any(id => graph.Node(id)?.Type == FlowNodeTypes.UserInput && graph.EdgesFrom(id).Any(e => Reach(graph, e.To).Contains(id)));
        if (!conversation)
        {
            problems.Add(new FlowProblem(FlowErrorCodes.UnreachableEnd, $"No path leads from the start node '{start}' to an end node."));
        }
    }

    /// <summary>Every strongly connected part of the graph (a cycle) must contain a userInput node, else a run could loop forever without the user.</summary>
    private static void CheckCycles(FlowGraph graph, List<FlowProblem> problems)
    {
        var reported = new HashSet<string>(StringComparer.Ordinal);
        foreach (var node in graph.Nodes)
        {
            if (reported.Contains(node.Id))
            {
                continue;
            }

            // The nodes on a cycle through this one: reachable from it and reaching it back.
            var from = Reach(graph, node.Id, includeStart: false);
            if (!from.Contains(node.Id))
            {
                continue;
            }

            var cycle = graph.Nodes.Where(n => from.Contains(n.Id) && Reach(graph, n.Id, includeStart: false).Contains(node.Id)).Select(n => n.Id).ToList();
            reported.UnionWith(cycle);
            if (!cycle.Any(id => graph.Node(id)?.Type == FlowNodeTypes.UserInput))
            {
                problems.Add(new FlowProblem(FlowErrorCodes.CycleWithoutInput, $"The nodes {string.Join(" → ", cycle)} form a cycle with no userInput node, so a run could go round forever.", node.Id));
            }
        }
    }

    private static HashSet<string> Reach(FlowGraph graph, string start, bool includeStart = true)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var queue = new Queue<string>();
        if (includeStart)
        {
            seen.Add(start);
            queue.Enqueue(start);
        }
        else
        {
            foreach (var edge in graph.EdgesFrom(start))
            {
                if (seen.Add(edge.To))
                {
                    queue.Enqueue(edge.To);
                }
            }
        }

        while (queue.TryDequeue(out var id))
        {
            foreach (var edge in graph.EdgesFrom(id))
            {
                if (seen.Add(edge.To))
                {
                    queue.Enqueue(edge.To);
                }
            }
        }

        return seen;
    }

    [GeneratedRegex(@"^[a-z0-9][a-z0-9-]{0,63}$", RegexOptions.CultureInvariant)]
    private static partial Regex NamePattern();

    [GeneratedRegex(@"\{\{\s*([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*)\s*\}\}", RegexOptions.CultureInvariant)]
    private static partial Regex Placeholder();
}
