using Microsoft.Extensions.Options;

namespace Wright.Core.Agents;

/// <summary>Settings of the agent monitor (configuration section <c>Agents</c>).</summary>
public sealed class AgentsOptions
{
    public const string Section = "Agents";

    /// <summary>
    /// Directories whose transcripts Wright may read (a hook names its transcript; only files under
    /// these are read). Empty means the server user's <c>~/.claude</c>.
    /// </summary>
    public List<string> TranscriptRoots { get; set; } = [];

    /// <summary>An agent PROCESSING without a sign of life for this long is shown as stale.</summary>
    public TimeSpan StaleAfter { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>An open task without a sign of life for this long is closed as timed out (Stop never fires on an interrupt).</summary>
    public TimeSpan InterruptTimeout { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>How often the monitor looks for silent agents.</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Delays between reads of a transcript that did not yet hold the response a Stop announced.</summary>
    public List<TimeSpan> TranscriptRetryDelays { get; set; } = [TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(400), TimeSpan.FromMilliseconds(800), TimeSpan.FromMilliseconds(1600)];

    /// <summary>
    /// Whether the server tells its own desktop (<c>notify-send</c>, when installed) that an agent
    /// needs input or finished. Meant for a server on the developer's machine; skipped cleanly
    /// where there is no <c>notify-send</c>.
    /// </summary>
    public bool DesktopNotifications { get; set; } = true;

    /// <summary>The transcript roots in effect.</summary>
    public IReadOnlyList<string> EffectiveTranscriptRoots =>
        TranscriptRoots.Count > 0 ? TranscriptRoots : [Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".claude")];
}

/// <summary>Checks <see cref="AgentsOptions"/> at start-up and names every bad setting.</summary>
internal sealed class AgentsOptionsValidation : IValidateOptions<AgentsOptions>
{
    public ValidateOptionsResult Validate(string? name, AgentsOptions options)
    {
        var problems = new List<string>();
        if (options.StaleAfter <= TimeSpan.Zero)
        {
            problems.Add("Agents:StaleAfter must be positive.");
        }

        if (options.InterruptTimeout <= TimeSpan.Zero)
        {
            problems.Add("Agents:InterruptTimeout must be positive.");
        }

        if (options.SweepInterval <= TimeSpan.Zero)
        {
            problems.Add("Agents:SweepInterval must be positive.");
        }

        if (options.TranscriptRoots.Any(r => !Path.IsPathFullyQualified(r)))
        {
            problems.Add("Agents:TranscriptRoots must be absolute paths.");
        }

        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
