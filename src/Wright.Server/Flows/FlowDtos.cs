using System.Text.Json.Nodes;
using Wright.Core.Flows;

namespace Wright.Server.Flows;

/// <summary>A template in a list.</summary>
public sealed record FlowSummaryDto(string Name, string? Description, string Source, bool Valid);

/// <summary>A template: where it lives, its text and format, its parsed graph and its problems.</summary>
public sealed record FlowTemplateDto(string Name, string Source, string Format, string Text, FlowGraph? Graph, IReadOnlyList<FlowProblem> Problems)
{
    public static FlowTemplateDto From(FlowTemplate template) => new(template.Name, template.Source, template.Format, template.Text, template.Graph, template.Problems);
}

/// <summary>A template as a client sends it: <c>graph</c>, or <c>text</c> with its <c>format</c> (yaml by default).</summary>
public sealed record FlowTemplateRequest(JsonNode? Graph, string? Text, string? Format)
{
    public FlowTemplateInput ToInput() => new(Graph, Text, Format);
}

/// <summary>The result of checking a template.</summary>
public sealed record FlowValidationDto(bool Valid, IReadOnlyList<FlowProblem> Problems);

/// <summary>Starts a run of <c>flow</c>, with the run's initial <c>input</c> variable.</summary>
public sealed record StartFlowRunRequest(string? Flow, string? Input);

/// <summary>The answer to a paused run's userInput node.</summary>
public sealed record FlowInputRequest(string? Content);

/// <summary>A node boundary of a run.</summary>
public sealed record FlowCheckpointDto(long Seq, string NodeId, string Phase, DateTimeOffset At, string? Commit, long? DurationMs, decimal CostUsd, JsonNode? Inputs, JsonNode? Outputs)
{
    public static FlowCheckpointDto From(FlowCheckpoint c) => new(c.Seq, c.NodeId, c.Phase, c.At, c.Commit, c.DurationMs, c.CostUsd(), c.Inputs, c.Outputs);
}

/// <summary>How a run ended badly.</summary>
public sealed record FlowRunErrorDto(string Code, string? Detail);

/// <summary>A FlowRun as the API shows it; <see cref="Checkpoints"/> only on the single-run read.</summary>
public sealed record FlowRunDto(
    Guid Id,
    Guid SessionId,
    string Flow,
    string State,
    string? CurrentNodeId,
    string? PausedNodeId,
    string? PausedPrompt,
    JsonObject Variables,
    DateTimeOffset StartedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? EndedAt,
    FlowRunErrorDto? Error,
    decimal CostUsd,
    bool Unpriced,
    IReadOnlyList<FlowCheckpointDto>? Checkpoints)
{
    public static FlowRunDto From(FlowRun run, IReadOnlyList<FlowCheckpoint>? checkpoints = null) => new(
        run.Id,
        run.SessionId,
        run.Flow,
        run.State,
        run.CurrentNodeId,
        run.PausedNodeId,
        run.State == FlowRunStates.Paused ? run.PausedPrompt : null,
        run.Variables,
        run.StartedAt,
        run.UpdatedAt,
        run.EndedAt,
        run.ErrorCode is { } code ? new FlowRunErrorDto(code, run.ErrorDetail) : null,
        run.Cost,
        run.Unpriced,
        checkpoints?.Select(FlowCheckpointDto.From).ToList());
}

/// <summary>The seed's <c>session.flowState</c>: the run a session is paused in, and where.</summary>
public sealed record SessionFlowStateDto(Guid RunId, Guid RequestId, DateTimeOffset? PausedAt, string? PausedNodeId);

internal static class FlowCheckpointExtensions
{
    public static decimal CostUsd(this FlowCheckpoint checkpoint) => checkpoint.Cost;
}
