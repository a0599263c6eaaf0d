using System.Diagnostics;

namespace Wright.Core.Hosting;

/// <summary>How Wright stops a child process it started (git, ripgrep, a command): the whole tree, without racing its own exit.</summary>
public static class ChildProcesses
{
    /// <summary>
    /// Kills the process and its descendants. A process that exited between the caller's check (or
    /// its timeout) and the kill makes <see cref="Process.Kill(bool)"/> throw; there is then nothing
    /// left to stop, so that one exception is swallowed.
    /// </summary>
    public static void KillTree(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // It exited on its own between the check and the kill.
        }
    }
}
