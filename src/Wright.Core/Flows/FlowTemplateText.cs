using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Wright.Core.Flows;

/// <summary>
/// Reads and writes a template's text. YAML is read into the same JSON tree as JSON (so both
/// formats share one shape and one deserializer), and written back from it.
/// </summary>
public static class FlowTemplateText
{
    public const int MaxChars = 256 * 1024;

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
        WriteIndented = true,
    };

    /// <summary>The graph of <paramref name="text"/>, or the problem that stops it being read.</summary>
    public static (FlowGraph? Graph, FlowProblem? Problem) Parse(string text, string format)
    {
        var yaml = format != FlowFormats.Json;
        if (text.Length > MaxChars)
        {
            return (null, new FlowProblem(yaml ? FlowErrorCodes.InvalidYaml : FlowErrorCodes.InvalidJson, $"The template is longer than {MaxChars} characters."));
        }

        JsonNode? tree;
        try
        {
            tree = yaml ? FromYaml(text) : JsonNode.Parse(text);
        }
        catch (YamlException ex)
        {
            return (null, new FlowProblem(FlowErrorCodes.InvalidYaml, $"The YAML cannot be read at line {ex.Start.Line}, column {ex.Start.Column}: {ex.Message}"));
        }
        catch (JsonException ex)
        {
            return (null, new FlowProblem(FlowErrorCodes.InvalidJson, $"The JSON cannot be read: {ex.Message}"));
        }

        return FromTree(tree, yaml);
    }

    /// <summary>The graph of a JSON tree (a request's <c>graph</c>), or the problem that stops it being read.</summary>
    public static (FlowGraph? Graph, FlowProblem? Problem) FromTree(JsonNode? tree, bool yaml = false)
    {
        var code = yaml ? FlowErrorCodes.InvalidYaml : FlowErrorCodes.InvalidJson;
        if (tree is not JsonObject)
        {
            return (null, new FlowProblem(code, "A template is an object with nodes and edges."));
        }

        try
        {
            var graph = tree.Deserialize<FlowGraph>(Json);
            return graph is null
                ? (null, new FlowProblem(code, "A template is an object with nodes and edges."))
                : (graph with { Nodes = graph.Nodes ?? [], Edges = graph.Edges ?? [] }, null);
        }
        catch (JsonException ex)
        {
            return (null, new FlowProblem(code, $"The template does not have the expected shape{(ex.Path is { } path ? $" at {path}" : "")}: a field has the wrong type."));
        }
    }

    /// <summary>The graph as YAML.</summary>
    public static string ToYaml(FlowGraph graph)
    {
        var tree = JsonSerializer.SerializeToNode(graph, Json)!;
        var stream = new YamlStream(new YamlDocument(ToYamlNode(tree)));
        using var writer = new StringWriter(CultureInfo.InvariantCulture);
        stream.Save(writer, assignAnchors: false);
        var text = writer.ToString();
        return text.EndsWith("...\n", StringComparison.Ordinal) ? text[..^4] : text;
    }

    public static string ToJson(FlowGraph graph) => JsonSerializer.Serialize(graph, Json);

    private static JsonNode? FromYaml(string text)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        return stream.Documents.Count == 0 ? null : ToJsonNode(stream.Documents[0].RootNode, 0);
    }

    private static JsonNode? ToJsonNode(YamlNode node, int depth)
    {
        if (depth > 64)
        {
            throw new YamlException(node.Start, node.End, "The YAML is nested too deeply.");
        }

        switch (node)
        {
            case YamlMappingNode map:
                var obj = new JsonObject();
                foreach (var (key, value) in map.Children)
                {
                    obj[((YamlScalarNode)key).Value ?? ""] = ToJsonNode(value, depth + 1);
                }

                return obj;
            case YamlSequenceNode seq:
                var array = new JsonArray();
                foreach (var item in seq.Children)
                {
                    array.Add(ToJsonNode(item, depth + 1));
                }

                return array;
            case YamlScalarNode scalar:
                return Scalar(scalar);
            default:
                throw new YamlException(node.Start, node.End, "Aliases are not supported in templates.");
        }
    }

    private static JsonNode? Scalar(YamlScalarNode scalar)
    {
        var value = scalar.Value ?? "";
        if (scalar.Style is ScalarStyle.SingleQuoted or ScalarStyle.DoubleQuoted or ScalarStyle.Literal or ScalarStyle.Folded)
        {
            return JsonValue.Create(value);
        }

        switch (value)
        {
            case "" or "~" or "null" or "Null" or "NULL":
                return null;
            case "true" or "True" or "TRUE":
                return JsonValue.Create(true);
            case "false" or "False" or "FALSE":
                return JsonValue.Create(false);
        }

        if (long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer))
        {
            return JsonValue.Create(integer);
        }

        if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && char.IsDigit(value[^1]))
        {
            return JsonValue.Create(number);
        }

        return JsonValue.Create(value);
    }

    private static YamlNode ToYamlNode(JsonNode? node) => node switch
    {
        JsonObject obj => new YamlMappingNode(obj.Where(p => p.Value is not null).Select(p => new KeyValuePair<YamlNode, YamlNode>(new YamlScalarNode(p.Key), ToYamlNode(p.Value)))),
        JsonArray array => new YamlSequenceNode(array.Select(ToYamlNode)),
        JsonValue value when value.GetValueKind() == JsonValueKind.String => StringScalar(value.GetValue<string>()),
        null => new YamlScalarNode("null"),
        _ => new YamlScalarNode(node.ToJsonString()),
    };

    /// <summary>A string that would read back as another type (true, 12, null) or spans lines is quoted.</summary>
    private static YamlScalarNode StringScalar(string value)
    {
        var plain = Scalar(new YamlScalarNode(value));
        var style = value.Contains('\n', StringComparison.Ordinal) ? ScalarStyle.Literal
            : plain is JsonValue v && v.GetValueKind() == JsonValueKind.String && v.GetValue<string>() == value ? ScalarStyle.Any
            : ScalarStyle.DoubleQuoted;
        return new YamlScalarNode(value) { Style = style };
    }
}
