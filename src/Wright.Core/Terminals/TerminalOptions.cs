namespace Wright.Core.Terminals;

/// <summary>Settings of the terminals (configuration section <c>Wright:Terminals</c>).</summary>
public sealed class TerminalOptions
{
    public const string Section = "Wright:Terminals";

    /// <summary>
    /// The tmux executable (key <c>Wright:Terminals:Tmux</c>): empty finds <c>tmux</c> on PATH, "off"
    /// (or a path that does not exist) uses the server's own PTYs, whose shells end with the server.
    /// </summary>
    public string? Tmux { get; set; }

    /// <summary>Lines of scrollback tmux keeps per terminal and sends on reattach (key <c>Wright:Terminals:ScrollbackLines</c>).</summary>
    public int ScrollbackLines { get; set; } = 10_000;

    /// <summary>Output a PTY-hosted terminal keeps for reattach, in bytes; also each slow client's bound (key <c>Wright:Terminals:BufferBytes</c>).</summary>
    public int BufferBytes { get; set; } = 1024 * 1024;

    /// <summary>The shell used when a request names none: $SHELL, else /bin/bash, else /bin/sh.</summary>
    public static string DefaultShell()
    {
        var shell = Environment.GetEnvironmentVariable("SHELL");
        if (!string.IsNullOrWhiteSpace(shell) && File.Exists(shell))
        {
            return shell;
        }

        return File.Exists("/bin/bash") ? "/bin/bash" : "/bin/sh";
    }
}
