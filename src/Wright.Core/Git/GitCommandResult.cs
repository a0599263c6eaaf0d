namespace Wright.Core.Git;

/// <summary>What one git invocation printed and how it exited.</summary>
public sealed record GitCommandResult(int ExitCode, string StandardOutput, string StandardError)
{
    public bool Succeeded => ExitCode == 0;
}
