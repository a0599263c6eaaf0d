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

        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
