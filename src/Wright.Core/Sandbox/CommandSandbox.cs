using System.Diagnostics;
using System.Globalization;
using Wright.Core.Actions;
using Wright.Core.Errors;

namespace Wright.Core.Sandbox;

/// <summary>A project's sandbox setting (<c>sandbox</c> in <c>.wright/config</c>).</summary>
public enum SandboxPolicy
{
    /// <summary>Sandboxed where bubblewrap works, unconfined elsewhere (the default).</summary>
    On,

    Off,

    /// <summary>Sandboxed, or not run at all.</summary>
    Required,
}

/// <summary>Settings of the sandbox (configuration section <c>Wright:Sandbox</c>).</summary>
public sealed class SandboxOptions
{
    public const string Section = "Wright:Sandbox";

    /// <summary>The bubblewrap executable (key <c>Wright:Sandbox:Bwrap</c>): empty finds <c>bwrap</c> on PATH; "off" or a missing path means no sandbox.</summary>
    public string? Bwrap { get; set; }

    /// <summary>Wright's data directory, hidden from commands (set by the host).</summary>
    public string? DataDir { get; set; }

    /// <summary>Largest data segment (RLIMIT_DATA) of a sandboxed command, in bytes; 0 for none (key <c>Wright:Sandbox:MemoryBytes</c>).</summary>
    public long MemoryBytes { get; set; } = 4L * 1024 * 1024 * 1024;

    /// <summary>The account's secrets no command sees, relative to its home directory.</summary>
    public IReadOnlyList<string> HiddenInHome { get; set; } =
    [
        ".ssh", ".aws", ".config/gh", ".netrc", ".gnupg", ".git-credentials", ".docker", ".kube", ".azure",
        ".config/gcloud", ".npmrc", ".pypirc", ".cargo/credentials", ".cargo/credentials.toml", ".wright",
    ];
}

/// <summary>How a command runs: the process to start and whether it is confined.</summary>
public sealed record SandboxedStart(ProcessStartInfo StartInfo, bool Sandboxed);

/// <summary>
/// Confines the model's commands with bubblewrap: the whole file system read-only, the project
/// read-write, a private /tmp, Wright's data directory and the account's secrets replaced by empty
/// ones, new namespaces (no network unless the project allows it), a new session (no TIOCSTI into
/// the server's terminal), and a memory limit. The environment is scrubbed of secrets either way.
/// </summary>
public sealed class CommandSandbox
{
    private readonly SandboxOptions _options;
    private readonly Lazy<string?> _bwrap;

    public CommandSandbox(SandboxOptions options)
    {
        _options = options;
        _bwrap = new Lazy<string?>(() => Probe(options.Bwrap));
    }

    /// <summary>Finds bubblewrap on PATH, hides only the account's secrets (no data directory known).</summary>
    public static CommandSandbox Default { get; } = new(new SandboxOptions());

    /// <summary>True when bubblewrap is installed and can create a sandbox here.</summary>
    public bool IsAvailable => _bwrap.Value is not null;

    /// <summary>
    /// The process for <paramref name="command"/> in <paramref name="projectRoot"/> under the
    /// project's policy; <c>sandbox_unavailable</c> when the project requires a sandbox and there is none.
    /// </summary>
    public async Task<SandboxedStart> PrepareAsync(CommandAction command, string projectRoot, CancellationToken cancellationToken)
    {
        var config = await ProjectConfig.LoadAsync(projectRoot, cancellationToken).ConfigureAwait(false);
        var policy = config.Sandbox ?? SandboxPolicy.On;
        var bwrap = policy == SandboxPolicy.Off ? null : _bwrap.Value;
        if (policy == SandboxPolicy.Required && bwrap is null)
        {
            throw new WrightException(
                ErrorKind.Unavailable,
                ErrorCodes.SandboxUnavailable,
                $"The project requires a sandbox for commands ({ProjectConfig.RelativePath}: \"sandbox\": \"required\") and bubblewrap is not available here; install bubblewrap (bwrap) or change the setting. '{command.Display}' did not run.");
        }

        var start = new ProcessStartInfo(bwrap ?? command.Executable)
        {
            WorkingDirectory = projectRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var name in start.Environment.Keys.Where(CommandHandler.IsSecretVariable).ToList())
        {
            start.Environment.Remove(name);
        }

        if (bwrap is null)
        {
            foreach (var argument in command.Arguments)
            {
                start.ArgumentList.Add(argument);
            }

            return new SandboxedStart(start, false);
        }

        foreach (var argument in BwrapArguments(projectRoot, config.Network ?? true))
        {
            start.ArgumentList.Add(argument);
        }

        if (_options.MemoryBytes > 0)
        {
            // bubblewrap sets no resource limits; a shell sets the limit and becomes the command.
            start.ArgumentList.Add("/bin/sh");
            start.ArgumentList.Add("-c");
            start.ArgumentList.Add($"ulimit -d {(_options.MemoryBytes / 1024).ToString(CultureInfo.InvariantCulture)} && exec \"$@\"");
            start.ArgumentList.Add("wright-sandbox");
        }

        start.ArgumentList.Add(command.Executable);
        foreach (var argument in command.Arguments)
        {
            start.ArgumentList.Add(argument);
        }

        return new SandboxedStart(start, true);
    }

    /// <summary>
    /// The command line of an interactive shell in the project's sandbox, for a sandboxed terminal:
    /// the same confinement as a command (and the project's network setting), but started in
    /// <paramref name="cwd"/> and kept in the terminal's session so job control works.
    /// <c>sandbox_unavailable</c> when bubblewrap does not work here: a sandbox that was asked for
    /// is never silently dropped.
    /// </summary>
    public async Task<IReadOnlyList<string>> ShellCommandAsync(string projectRoot, string cwd, string shell, CancellationToken cancellationToken)
    {
        var config = await ProjectConfig.LoadAsync(projectRoot, cancellationToken).ConfigureAwait(false);
        var bwrap = _bwrap.Value ?? throw new WrightException(
            ErrorKind.Unavailable,
            ErrorCodes.SandboxUnavailable,
            "A sandboxed terminal needs bubblewrap (bwrap), which is not available here; install it or open a plain terminal.");
        var command = new List<string> { bwrap };
        foreach (var name in System.Environment.GetEnvironmentVariables().Keys.Cast<string>().Where(CommandHandler.IsSecretVariable))
        {
            command.AddRange(["--unsetenv", name]);
        }

        command.AddRange(BwrapArguments(projectRoot, config.Network ?? true, cwd, newSession: false));
        command.Add(shell);
        return command;
    }

    private List<string> BwrapArguments(string projectRoot, bool network) => BwrapArguments(projectRoot, network, projectRoot, newSession: true);

    private List<string> BwrapArguments(string projectRoot, bool network, string chdir, bool newSession)
    {
        var arguments = new List<string>
        {
            "--ro-bind", "/", "/",
            "--dev", "/dev",
            "--proc", "/proc",
            "--tmpfs", "/tmp",
            "--tmpfs", "/var/tmp",
            "--tmpfs", "/dev/shm",
        };

        // Later mounts cover earlier ones: the secrets and the data directory are hidden first,
        // then the project is bound writable (it may live inside the data directory).
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        var hidden = new List<string>();
        if (!string.IsNullOrEmpty(home))
        {
            hidden.AddRange(_options.HiddenInHome.Select(p => Path.Combine(home, p)));
        }

        if (!string.IsNullOrEmpty(_options.DataDir))
        {
            hidden.Add(Path.GetFullPath(_options.DataDir));
        }

        foreach (var path in hidden.Where(p => !IsInside(projectRoot, p)))
        {
            if (Directory.Exists(path))
            {
                arguments.AddRange(["--tmpfs", path]);
            }
            else if (File.Exists(path))
            {
                arguments.AddRange(["--ro-bind", "/dev/null", path]);
            }
        }

        arguments.AddRange(["--bind", projectRoot, projectRoot, "--chdir", chdir]);
        // No --die-with-parent: its signal fires when the *thread* that started bwrap ends, and
        // .NET retires pool threads at will. A timeout kills the whole process tree instead.
        arguments.Add("--unshare-all");
        if (newSession)
        {
            // A command gets no controlling terminal (no TIOCSTI into the server's); a terminal's
            // shell keeps its own PTY, which is all it could write into.
            arguments.Add("--new-session");
        }

        if (network)
        {
            arguments.Add("--share-net");
        }

        arguments.Add("--");
        return arguments;
    }

    /// <summary>True when <paramref name="path"/> is <paramref name="root"/> or inside it (hiding it would hide the project).</summary>
    private static bool IsInside(string path, string root) =>
        path == root || path.StartsWith(root.TrimEnd('/') + "/", StringComparison.Ordinal);

    /// <summary>The bwrap to use, or null: it must exist and succeed at making a sandbox (user namespaces may be off).</summary>
    private static string? Probe(string? configured)
    {
        if (string.Equals(configured, "off", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var executable = string.IsNullOrWhiteSpace(configured)
            ? (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin").Split(':', StringSplitOptions.RemoveEmptyEntries).Select(d => Path.Combine(d, "bwrap")).FirstOrDefault(File.Exists)
            : configured;
        if (executable is null || !File.Exists(executable))
        {
            return null;
        }

        try
        {
            var probe = new ProcessStartInfo(executable) { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
            foreach (var argument in new[] { "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--unshare-all", "--", "true" })
            {
                probe.ArgumentList.Add(argument);
            }

            using var process = Process.Start(probe)!;
            process.StandardOutput.ReadToEnd();
            process.StandardError.ReadToEnd();
            return process.WaitForExit(10_000) && process.ExitCode == 0 ? executable : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // Not executable: the same as not installed.
            return null;
        }
    }
}
