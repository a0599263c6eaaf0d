using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Wright.Core.Terminals;

/// <summary>
/// Wright's own tmux server on a private socket under the data directory. Each terminal is a tmux
/// session running the user's shell; the tmux server is a daemon, so the shells outlive Wright,
/// and tmux repaints full-screen programs for a client that attaches later. The configuration
/// takes every tmux feature out of the user's way: no status line, no prefix key, no key bindings,
/// and no alternate screen on the outer terminal (so the browser's terminal keeps its scrollback).
/// </summary>
public sealed class TmuxServer
{
    private static readonly string Configuration = string.Join('\n',
        "set -g status off",
        "set -g prefix None",
        "set -g prefix2 None",
        "unbind-key -a -T prefix",
        "unbind-key -a -T root",
        "unbind-key -a -T copy-mode",
        "unbind-key -a -T copy-mode-vi",
        "set -g mouse off",
        "set -sg escape-time 0",
        "set -g default-terminal tmux-256color",
        "set -ga terminal-overrides ',*:smcup@:rmcup@'",
        "set -ga terminal-features ',xterm-256color:RGB'",
        "set -g window-size latest",
        "set -g remain-on-exit off",
        "set -g destroy-unattached off",
        "set -g detach-on-destroy on",
        "set -g set-titles off",
        "set -g visual-bell off",
        "set -g focus-events on",
        "set -sg exit-empty on",
        "");

    private readonly string _executable;

    private TmuxServer(string executable, string directory, string socket, string configFile, int historyLines)
    {
        _executable = executable;
        Directory = directory;
        Socket = socket;
        ConfigFile = configFile;
        HistoryLines = historyLines;
    }

    /// <summary>Where terminal files live (the tmux configuration, exit codes).</summary>
    public string Directory { get; }

    public string Socket { get; }

    public string ConfigFile { get; }

    public int HistoryLines { get; }

    /// <summary>The tmux server for <paramref name="terminalsDir"/>, or null when tmux is off or missing.</summary>
    public static TmuxServer? Find(string? configured, string terminalsDir, int historyLines)
    {
        if (string.Equals(configured, "off", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var executable = string.IsNullOrWhiteSpace(configured) ? FindOnPath("tmux") : configured;
        if (executable is null || !File.Exists(executable))
        {
            return null;
        }

        System.IO.Directory.CreateDirectory(terminalsDir);

        // A Unix socket path is limited to 107 bytes; a deep data directory gets a short one in /tmp
        // named after it, so the same data directory always finds the same tmux server.
        var socket = Path.Combine(terminalsDir, "tmux.sock");
        if (Encoding.UTF8.GetByteCount(socket) > 100)
        {
            var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(terminalsDir)))[..16];
            var shortDir = Path.Combine(Path.GetTempPath(), $"wright-tmux-{System.Environment.UserName}");
            System.IO.Directory.CreateDirectory(shortDir);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(shortDir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }

            socket = Path.Combine(shortDir, hash + ".sock");
        }

        var configFile = Path.Combine(terminalsDir, "tmux.conf");
        var text = Configuration + $"set -g history-limit {Math.Max(historyLines, 2000).ToString(CultureInfo.InvariantCulture)}\n";
        if (!File.Exists(configFile) || File.ReadAllText(configFile) != text)
        {
            File.WriteAllText(configFile, text);
        }

        return new TmuxServer(executable, terminalsDir, socket, configFile, historyLines);
    }

    /// <summary>The session name of a terminal: fixed, so a restarted server finds its shells.</summary>
    public static string SessionOf(Guid terminalId) => "w" + terminalId.ToString("N");

    /// <summary>The file the wrapper writes the shell's exit code to.</summary>
    public string ExitFileOf(Guid terminalId) => Path.Combine(Directory, terminalId.ToString("N") + ".exit");

    /// <summary>Starts a detached session that runs <paramref name="shell"/> in <paramref name="cwd"/> and records its exit code.</summary>
    public Task CreateSessionAsync(Guid terminalId, string shell, string cwd, int cols, int rows, CancellationToken cancellationToken) =>
        CreateSessionAsync(terminalId, [shell], cwd, cols, rows, cancellationToken);

    /// <summary>Starts a detached session that runs <paramref name="command"/> (a program and its arguments) in <paramref name="cwd"/> and records its exit code.</summary>
    public async Task CreateSessionAsync(Guid terminalId, IReadOnlyList<string> command, string cwd, int cols, int rows, CancellationToken cancellationToken)
    {
        var exitFile = ExitFileOf(terminalId);
        File.Delete(exitFile);

        // sh waits for the shell and writes its status where Wright finds it after a restart; tmux
        // itself forgets a pane's status once the session is gone.
        var result = await RunAsync(
            [
                "new-session", "-d", "-s", SessionOf(terminalId), "-x", Text(cols), "-y", Text(rows), "-c", cwd, "--",
                "/bin/sh", "-c", "f=\"$1\"; shift; \"$@\"; printf '%s' \"$?\" > \"$f\"", "wright-terminal", exitFile, .. command,
            ],
            cancellationToken).ConfigureAwait(false);
        if (result.ExitCode != 0)
        {
            throw new IOException($"tmux could not start the terminal: {result.Error.Trim()}");
        }
    }

    public async Task<bool> HasSessionAsync(Guid terminalId, CancellationToken cancellationToken) =>
        (await RunAsync(["has-session", "-t", "=" + SessionOf(terminalId)], cancellationToken).ConfigureAwait(false)).ExitCode == 0;

    /// <summary>The names of every session the tmux server runs (none when it does not run).</summary>
    public async Task<IReadOnlySet<string>> ListSessionsAsync(CancellationToken cancellationToken)
    {
        var result = await RunAsync(["list-sessions", "-F", "#{session_name}"], cancellationToken).ConfigureAwait(false);
        return result.ExitCode == 0
            ? result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal)
            : new HashSet<string>();
    }

    public async Task KillSessionAsync(Guid terminalId, CancellationToken cancellationToken) =>
        await RunAsync(["kill-session", "-t", "=" + SessionOf(terminalId)], cancellationToken).ConfigureAwait(false);

    /// <summary>The pid of the process running in the terminal's pane (the sh wrapper around the shell), or null.</summary>
    public async Task<int?> PanePidAsync(Guid terminalId, CancellationToken cancellationToken)
    {
        var result = await RunAsync(["display-message", "-p", "-t", "=" + SessionOf(terminalId) + ":", "#{pane_pid}"], cancellationToken).ConfigureAwait(false);
        return result.ExitCode == 0 && int.TryParse(result.Output.Trim(), CultureInfo.InvariantCulture, out var pid) ? pid : null;
    }

    /// <summary>
    /// The terminal's scrollback above its visible screen (up to <see cref="HistoryLines"/> lines,
    /// with colours, wrapped lines joined) as bytes for a fresh terminal: each line, then enough
    /// blank lines to push them all into that terminal's scrollback before tmux paints the screen.
    /// </summary>
    public async Task<byte[]> ScrollbackAsync(Guid terminalId, int rows, CancellationToken cancellationToken)
    {
        var target = "=" + SessionOf(terminalId) + ":";
        var size = await RunAsync(["display-message", "-p", "-t", target, "#{history_size}"], cancellationToken).ConfigureAwait(false);
        if (size.ExitCode != 0 || !int.TryParse(size.Output.Trim(), CultureInfo.InvariantCulture, out var historySize) || historySize == 0)
        {
            return [];
        }

        var start = -Math.Min(historySize, HistoryLines);
        var capture = await RunAsync(["capture-pane", "-p", "-e", "-J", "-S", Text(start), "-E", "-1", "-t", target], cancellationToken).ConfigureAwait(false);
        if (capture.ExitCode != 0)
        {
            return [];
        }

        var text = new StringBuilder(capture.Output.Length + (rows * 2) + 16);
        foreach (var line in capture.Output.TrimEnd('\n').Split('\n'))
        {
            text.Append(line).Append("\u001b[0m\r\n");
        }

        text.Insert(0, "\u001b[0m");
        text.Append('\n', rows);
        return Encoding.UTF8.GetBytes(text.ToString());
    }

    /// <summary>The last <paramref name="lines"/> lines of the terminal as plain text (no colours).</summary>
    public async Task<string> RecentTextAsync(Guid terminalId, int lines, CancellationToken cancellationToken)
    {
        var capture = await RunAsync(["capture-pane", "-p", "-J", "-S", Text(-lines), "-t", "=" + SessionOf(terminalId) + ":"], cancellationToken).ConfigureAwait(false);
        return capture.ExitCode == 0 ? capture.Output : "";
    }

    /// <summary>Starts a tmux client attached to the terminal's session, inside a PTY of Wright's own.</summary>
    public PtyProcess Attach(Guid terminalId, int cols, int rows)
    {
        var environment = Environment();
        environment["TERM"] = "xterm-256color";
        environment["COLORTERM"] = "truecolor";
        return PtyProcess.Start(_executable, ["-u", "-S", Socket, "-f", ConfigFile, "attach-session", "-t", "=" + SessionOf(terminalId)], environment, Directory, cols, rows);
    }

    /// <summary>Stops the tmux server and every shell in it (tests and `kill-server` semantics).</summary>
    public async Task KillServerAsync(CancellationToken cancellationToken) =>
        await RunAsync(["kill-server"], cancellationToken).ConfigureAwait(false);

    /// <summary>The environment tmux (and so every shell it starts) gets: Wright's own, without its secrets and without a parent tmux.</summary>
    internal static Dictionary<string, string> Environment()
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (System.Collections.DictionaryEntry entry in System.Environment.GetEnvironmentVariables())
        {
            var key = (string)entry.Key;
            if (key.StartsWith("WRIGHT_", StringComparison.Ordinal) || key.StartsWith("Wright__", StringComparison.Ordinal) || key is "TMUX" or "TMUX_PANE")
            {
                continue;
            }

            environment[key] = (string?)entry.Value ?? "";
        }

        environment.TryAdd("LANG", "C.UTF-8");
        return environment;
    }

    private async Task<(int ExitCode, string Output, string Error)> RunAsync(IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(_executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = Directory,
        };
        start.ArgumentList.Add("-u");
        start.ArgumentList.Add("-S");
        start.ArgumentList.Add(Socket);
        start.ArgumentList.Add("-f");
        start.ArgumentList.Add(ConfigFile);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment.Clear();
        foreach (var (key, value) in Environment())
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start) ?? throw new IOException("tmux did not start.");
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        return (process.ExitCode, await output.ConfigureAwait(false), await error.ConfigureAwait(false));
    }

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string? FindOnPath(string name)
    {
        foreach (var dir in (System.Environment.GetEnvironmentVariable("PATH") ?? "/usr/local/bin:/usr/bin:/bin").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}
