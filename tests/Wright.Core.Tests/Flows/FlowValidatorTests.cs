using System.Text.Json.Nodes;
using Wright.Core.Flows;

namespace Wright.Core.Tests.Flows;

/// <summary>Each bad template shape is named by its own problem code; good templates (and the built-in chat) have none.</summary>
public sealed class FlowValidatorTests
{
    private static FlowGraph Graph(string yaml)
    {
        var (graph, problem) = FlowTemplateText.Parse(yaml, FlowFormats.Yaml);
        problem.ShouldBeNull();
        return graph!;
    }

    private static IReadOnlyList<string> Codes(string yaml) => FlowValidator.Validate(Graph(yaml)).Select(p => p.Code).ToList();

    [Fact]
    public void DefaultTemplate_IsValid()
    {
        FlowValidator.Validate(FlowTemplates.Default).ShouldBeEmpty();
    }

    [Fact]
    public void ThreeNodeTemplate_IsValid()
    {
        Codes("""
            name: three
            nodes:
              - { id: ask, type: userInput, output: request }
              - { id: draft, type: llm, prompt: "Write {{request}}", output: draft }
              - { id: done, type: end }
            edges:
              - { from: ask, to: draft }
              - { from: draft, to: done }
            """).ShouldBeEmpty();
    }

    [Fact]
    public void UnknownNodeType_IsNamed()
    {
        var problems = FlowValidator.Validate(Graph("""
            name: t
            nodes: [{ id: a, type: teleport }, { id: e, type: end }]
            edges: [{ from: a, to: e }]
            """));
        problems.ShouldHaveSingleItem().Code.ShouldBe("unknown_node_type");
        problems[0].NodeId.ShouldBe("a");
    }

    [Fact]
    public void NoPathToAnEnd_IsUnreachableEnd()
    {
        Codes("""
            name: t
            nodes: [{ id: a, type: llm, prompt: hi }, { id: b, type: llm, prompt: hi }, { id: e, type: end }]
            edges: [{ from: a, to: b }]
            """).ShouldBe(["unreachable_end"]);
    }

    [Fact]
    public void CycleWithoutUserInput_IsNamed()
    {
        Codes("""
            name: t
            nodes:
              - { id: a, type: llm, prompt: hi, output: x }
              - { id: c, type: condition, expression: "x == 'ok'" }
              - { id: e, type: end }
            edges:
              - { from: a, to: c }
              - { from: c, to: e, when: "true" }
              - { from: c, to: a, when: "false" }
            """).ShouldBe(["cycle_without_input"]);
    }

    [Fact]
    public void CycleThroughUserInput_IsAllowed()
    {
        Codes("""
            name: t
            nodes:
              - { id: ask, type: userInput, output: x }
              - { id: c, type: condition, expression: "contains(x, 'stop')" }
              - { id: e, type: end }
            edges:
              - { from: ask, to: c }
              - { from: c, to: e, when: "true" }
              - { from: c, to: ask, when: "false" }
            """).ShouldBeEmpty();
    }

    [Fact]
    public void UnknownVariable_InAPromptOrExpression_IsNamed()
    {
        var problems = FlowValidator.Validate(Graph("""
            name: t
            nodes:
              - { id: a, type: llm, prompt: "Use {{nothing}}", output: x }
              - { id: c, type: condition, expression: "missing.exitCode == 0 && last != null" }
              - { id: e, type: end }
            edges:
              - { from: a, to: c }
              - { from: c, to: e, when: "true" }
              - { from: c, to: e, when: "false" }
            """));
        problems.Where(p => p.Code == "unknown_variable").Select(p => p.NodeId).ShouldBe(["a", "c"]);
        problems.Count.ShouldBe(2);
    }

    [Fact]
    public void DuplicateNodes_AndEdgesToMissingNodes_AreNamed()
    {
        var problems = FlowValidator.Validate(Graph("""
            name: t
            nodes: [{ id: a, type: userInput }, { id: a, type: end }]
            edges: [{ from: a, to: ghost }]
            """));
        problems.Select(p => p.Code).ShouldBe(["duplicate_node", "unknown_node"], ignoreOrder: true);
        problems.Single(p => p.Code == "unknown_node").Edge.ShouldBe(new FlowEdgeRef("a", "ghost"));
    }

    [Fact]
    public void MissingFields_AreNamed()
    {
        var problems = FlowValidator.Validate(Graph("""
            name: t
            nodes:
              - { id: a, type: llm }
              - { id: b, type: action, action: command }
              - { id: c, type: condition }
              - { id: d, type: action }
              - { id: e, type: end }
            edges: [{ from: a, to: b }, { from: b, to: e }]
            """));
        problems.Where(p => p.Code == "missing_field").Select(p => p.NodeId).ShouldBe(["a", "b", "c", "d"]);
    }

    [Fact]
    public void ConditionBranches_AndWhenOnOtherEdges_AreChecked()
    {
        Codes("""
            name: t
            nodes:
              - { id: a, type: userInput, output: x }
              - { id: c, type: condition, expression: "x == 1" }
              - { id: e, type: end }
            edges:
              - { from: a, to: c, when: "true" }
              - { from: c, to: e, when: "true" }
            """).ShouldBe(["invalid_edge", "invalid_edge"]);
    }

    [Fact]
    public void AnExpressionThatDoesNotParse_IsInvalidExpression()
    {
        Codes("""
            name: t
            nodes:
              - { id: c, type: condition, expression: "input == (" }
              - { id: e, type: end }
            edges: [{ from: c, to: e, when: "true" }, { from: c, to: e, when: "false" }]
            """).ShouldBe(["invalid_expression"]);
    }

    [Fact]
    public void BadYaml_AndBadJson_AreNamed()
    {
        FlowTemplateText.Parse("nodes: [unclosed", FlowFormats.Yaml).Problem!.Code.ShouldBe("invalid_yaml");
        FlowTemplateText.Parse("{ \"nodes\": ", FlowFormats.Json).Problem!.Code.ShouldBe("invalid_json");
        FlowTemplateText.Parse("nodes: 12", FlowFormats.Yaml).Problem!.Code.ShouldBe("invalid_yaml");
    }

    [Fact]
    public void Yaml_RoundTrips_ThroughTheWriter()
    {
        var yaml = FlowTemplateText.ToYaml(FlowTemplates.Default);
        var (graph, problem) = FlowTemplateText.Parse(yaml, FlowFormats.Yaml);
        problem.ShouldBeNull();
        FlowTemplateText.ToJson(graph!).ShouldBe(FlowTemplateText.ToJson(FlowTemplates.Default));
    }

    [Theory]
    [InlineData("tests.exitCode == 0", true)]
    [InlineData("tests.exitCode != 0 || !ok", false)]
    [InlineData("contains(last, 'PASS') && count >= 3", true)]
    [InlineData("count < 3", false)]
    [InlineData("contains(files, 'a.txt')", true)]
    [InlineData("missing == null && !missing", true)]
    [InlineData("name == 'wright' && (count > 10 || ok)", true)]
    public void Expressions_Evaluate_OverTheVariables(string expression, bool expected)
    {
        var variables = new Dictionary<string, JsonNode?>
        {
            ["tests"] = new JsonObject { ["exitCode"] = 0 },
            ["ok"] = true,
            ["last"] = "3 PASS",
            ["count"] = 3,
            ["files"] = new JsonArray("a.txt", "b.txt"),
            ["name"] = "wright",
        };
        FlowExpression.Parse(expression).Evaluate(variables).ShouldBe(expected);
    }

    [Theory]
    [InlineData("a ==")]
    [InlineData("exec('rm')")]
    [InlineData("a = 1")]
    [InlineData("'open")]
    public void BadExpressions_AreRefused(string expression)
    {
        Should.Throw<FormatException>(() => FlowExpression.Parse(expression));
    }
}
