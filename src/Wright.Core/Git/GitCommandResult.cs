namespace Wright.Core.Git;

/// <summary>What one git invocation printed and how it exited.</summary>
public sealed record GitCommandResult(int ExitCode, string StandardOutput, string StandardError)
{
    public bool Succeeded => ExitCode == 0;
}

/// <summary>Output of a git invocation kept up to a size cap; <see cref="Truncated"/> when git had more to say.</summary>
public sealed record GitCappedResult(string Output, bool Truncated);
