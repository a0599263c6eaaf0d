using Microsoft.Extensions.Options;
using Wright.Core.Actions;

namespace Wright.Core.Engine;

/// <summary>How the agent loop is bounded (configuration section <c>Engine</c>).</summary>
public sealed class EngineOptions
{
    /// <summary>Provider calls one answer may make before it is stopped with <c>max_steps</c>.</summary>
    public int MaxSteps { get; set; } = 25;

    /// <summary>USD one answer may spend across its provider calls before it is stopped with <c>cost_budget</c>.</summary>
    public decimal MaxCostPerAnswer { get; set; } = 2.00m;

    /// <summary>How often the same failing call (or the same error) may occur before the run is stopped as <c>stuck</c>.</summary>
    public int StuckRepeats { get; set; } = 3;

    /// <summary>Most tokens a prompt's context takes, whatever the model's window (smaller is faster and cheaper).</summary>
    public int MaxContextTokens { get; set; } = 24_000;

    /// <summary>The context window assumed for a model the catalog does not know.</summary>
    public int DefaultContextWindow { get; set; } = 32_000;

    /// <summary>How long <c>run_command</c> may run.</summary>
    public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>How long an <c>ask</c> approval waits for the user before the command is denied.</summary>
    public TimeSpan ApprovalTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>The approval policy of projects whose <c>.wright/config</c> sets none.</summary>
    public CommandApprovalPolicy DefaultCommandApproval { get; set; } = CommandApprovalPolicy.Ask;

    /// <summary>Characters of a tool result sent back to the model; longer results are cut and say so.</summary>
    public int MaxToolResultChars { get; set; } = 32 * 1024;

    /// <summary>Anthropic requests carry <c>cache_control</c> breakpoints on their stable prefix (system prompt, earlier turns, the request so far).</summary>
    public bool PromptCaching { get; set; } = true;

    /// <summary>How earlier turns are summarized when the conversation no longer fits the model's window (section <c>Engine:Summarization</c>).</summary>
    public SummarizationOptions Summarization { get; set; } = new();
}

/// <summary>History summarization: when a prompt's earlier turns take more than their share of the window, the older ones are sent as a model's summary.</summary>
public sealed class SummarizationOptions
{
    /// <summary>Summarize at all; off, a long conversation is sent whole and may overflow the window.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The model that writes summaries (<c>provider/model</c>); empty uses the session's model.</summary>
    public string? Model { get; set; }

    /// <summary>The share of the window left after the system prompt, the new prompt, the tools and the output that earlier turns may take; the rest is the prompt's Context.</summary>
    public double HistoryShare { get; set; } = 0.5;

    /// <summary>Most tokens a summary may take (the summary call's output limit).</summary>
    public int MaxSummaryTokens { get; set; } = 1024;
}

/// <summary>Checks <see cref="EngineOptions"/> at start-up and names every bad setting.</summary>
internal sealed class EngineOptionsValidation : IValidateOptions<EngineOptions>
{
    public ValidateOptionsResult Validate(string? name, EngineOptions options)
    {
        var problems = new List<string>();
        if (options.MaxSteps is < 1 or > 1000)
        {
            problems.Add($"Engine:MaxSteps must be between 1 and 1000 (got {options.MaxSteps}).");
        }

        if (options.MaxCostPerAnswer <= 0)
        {
            problems.Add($"Engine:MaxCostPerAnswer must be positive (got {options.MaxCostPerAnswer}).");
        }

        if (options.StuckRepeats < 2)
        {
            problems.Add($"Engine:StuckRepeats must be at least 2 (got {options.StuckRepeats}).");
        }

        if (options.MaxContextTokens < 1000)
        {
            problems.Add($"Engine:MaxContextTokens must be at least 1000 (got {options.MaxContextTokens}).");
        }

        if (options.DefaultContextWindow < 4000)
        {
            problems.Add($"Engine:DefaultContextWindow must be at least 4000 (got {options.DefaultContextWindow}).");
        }

        if (options.CommandTimeout <= TimeSpan.Zero)
        {
            problems.Add($"Engine:CommandTimeout must be positive (got {options.CommandTimeout}).");
        }

        if (options.ApprovalTimeout <= TimeSpan.Zero)
        {
            problems.Add($"Engine:ApprovalTimeout must be positive (got {options.ApprovalTimeout}).");
        }

        if (options.MaxToolResultChars < 1000)
        {
            problems.Add($"Engine:MaxToolResultChars must be at least 1000 (got {options.MaxToolResultChars}).");
        }

        if (options.Summarization.HistoryShare is <= 0 or >= 1)
        {
            problems.Add($"Engine:Summarization:HistoryShare must be between 0 and 1, exclusive (got {options.Summarization.HistoryShare}).");
        }

        if (options.Summarization.MaxSummaryTokens is < 64 or > 32_000)
        {
            problems.Add($"Engine:Summarization:MaxSummaryTokens must be between 64 and 32000 (got {options.Summarization.MaxSummaryTokens}).");
        }

        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
