using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Wright.Cli.Agents;

/// <summary>`wright hooks install`, `wright start` and `wright agents`: Claude Code on Wright's agent board.</summary>
internal static class AgentCommands
{
    public const int Failed = 1;

    public static Command CreateHooks()
    {
        var user = new Option<bool>("--user") { Description = "Install into ~/.claude/settings.json (the default)." };
        var project = new Option<string?>("--project") { Description = "Install into DIR/.claude/settings.local.json (kept out of git)." };
        var uninstall = new Option<bool>("--uninstall") { Description = "Remove Wright's hooks, and only them." };
        var url = new Option<string?>("--url") { Description = "The Wright server (default: $WRIGHT_URL)." };
        var token = new Option<string?>("--token") { Description = "A token with the hooks scope (default: $WRIGHT_TOKEN; create one with `wright token create NAME --scope hooks`)." };
        var tokenFromEnv = new Option<bool>("--token-from-env") { Description = "Write $WRIGHT_TOKEN into the settings instead of the token: the agent must then run with WRIGHT_TOKEN set." };
        var login = new Option<string?>("--login") { Description = "Without a token: log in as this user (password from standard input, see --password-stdin) and create a hooks-scoped token." };
        var passwordStdin = new Option<bool>("--password-stdin") { Description = "With --login: read the password from the first line of standard input." };
        var install = new Command("install", "Merge Wright's hooks into Claude Code's settings (idempotent; other hooks are kept; a backup is written).") { user, project, uninstall, url, token, tokenFromEnv, login, passwordStdin };
        install.SetAction(async (parse, cancellationToken) =>
        {
            var dir = parse.GetValue(project);
            var file = dir is null
                ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".claude", "settings.json")
                : Path.Combine(Path.GetFullPath(dir), ".claude", "settings.local.json");
            JsonObject settings;
            string? original = null;
            try
            {
                original = File.Exists(file) ? await File.ReadAllTextAsync(file, cancellationToken) : null;
                settings = original is null || original.Trim().Length == 0 ? new JsonObject() : JsonNode.Parse(original, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true }) as JsonObject
                    ?? throw new JsonException("the file does not hold a JSON object");
            }
            catch (JsonException ex)
            {
                await Console.Error.WriteLineAsync($"wright: {file} is not valid JSON ({ex.Message}); nothing was changed.");
                return Failed;
            }

            if (parse.GetValue(uninstall))
            {
                if (!HookSettings.Remove(settings))
                {
                    await Console.Out.WriteLineAsync($"No Wright hooks in {file}.");
                    return 0;
                }

                await WriteSettingsAsync(file, original, settings, cancellationToken);
                await Console.Out.WriteLineAsync($"Removed Wright's hooks from {file}.");
                return 0;
            }

            var server = parse.GetValue(url) ?? AgentClient.NonEmpty(Environment.GetEnvironmentVariable(AgentClient.UrlVariable));
            var secret = parse.GetValue(token) ?? AgentClient.NonEmpty(Environment.GetEnvironmentVariable(AgentClient.TokenVariable));
            if (server is null || !Uri.TryCreate(server, UriKind.Absolute, out var serverUri) || serverUri.Scheme is not ("http" or "https"))
            {
                await Console.Error.WriteLineAsync("wright: give the server's http(s) URL with --url or WRIGHT_URL.");
                return Commands.WrightCommandLine.UsageError;
            }

            if (secret is null && parse.GetValue(login) is { } userName)
            {
                if (!parse.GetValue(passwordStdin))
                {
                    await Console.Error.WriteLineAsync("wright: --login needs --password-stdin (passwords never go on the command line).");
                    return Commands.WrightCommandLine.UsageError;
                }

                var password = await Console.In.ReadLineAsync(cancellationToken) ?? "";
                var (created, problem) = await CreateHooksTokenAsync(server, userName, password, cancellationToken);
                if (created is null)
                {
                    await Console.Error.WriteLineAsync($"wright: could not create a hooks token as {userName}: {problem}");
                    return Failed;
                }

                secret = created;
                await Console.Error.WriteLineAsync($"Created a hooks-scoped token for {userName} (kept in {AgentClient.DefaultTokenFile}; revoke it under Settings → Tokens).");
            }

            if (secret is null)
            {
                await Console.Error.WriteLineAsync("wright: give a token with the hooks scope with --token or WRIGHT_TOKEN, or let Wright create one with --login USER --password-stdin (or: wright token create claude-hooks --scope hooks).");
                return Commands.WrightCommandLine.UsageError;
            }

            // The command hook reads the token from a file only its user can read, never from its command line.
            await WriteSecretFileAsync(AgentClient.DefaultTokenFile, secret, cancellationToken);
            var authorization = parse.GetValue(tokenFromEnv) ? "Bearer $" + AgentClient.TokenVariable : "Bearer " + secret;
            HookSettings.Merge(settings, HookSettings.Hooks(server, authorization, HookSettings.SelfCommand()));
            await WriteSettingsAsync(file, original, settings, cancellationToken);
            if (dir is not null)
            {
                await KeepOutOfGitAsync(Path.GetFullPath(dir), cancellationToken);
            }

            await Console.Out.WriteLineAsync($"Installed Wright's hooks in {file} (server {server}).");
            return 0;
        });

        var hooks = new Command("hooks", "Claude Code hooks that report to Wright's agent board.");
        hooks.Subcommands.Add(install);
        return hooks;
    }

    public static Command CreateStart()
    {
        var name = new Option<string?>("--name") { Description = "A name for the agent on the board." };
        var url = new Option<string?>("--url") { Description = "The Wright server (default: $WRIGHT_URL)." };
        var token = new Option<string?>("--token") { Description = "A token with the hooks scope (default: $WRIGHT_TOKEN)." };
        var command = new Argument<string[]>("command") { Description = "The agent and its arguments, after -- (default: claude).", Arity = ArgumentArity.ZeroOrMore };
        var start = new Command("start", "Launch a coding agent (Claude Code by default) registered on Wright's board: wright start [--name N] [-- claude args…].") { name, url, token, command };
        start.SetAction((parse, cancellationToken) => StartAsync(
            parse.GetValue(name),
            parse.GetValue(url) ?? AgentClient.NonEmpty(Environment.GetEnvironmentVariable(AgentClient.UrlVariable)),
            parse.GetValue(token) ?? AgentClient.NonEmpty(Environment.GetEnvironmentVariable(AgentClient.TokenVariable)),
            parse.GetValue(command) ?? [],
            cancellationToken));
        return start;
    }

    public static Command CreateAgents()
    {
        var state = new Option<string?>("--state") { Description = "Only agents in this state (idle, commanded, processing, awaitingInput, complete)." };
        var url = new Option<string?>("--url") { Description = "The Wright server (default: $WRIGHT_URL)." };
        var token = new Option<string?>("--token") { Description = "A token with the api scope (default: $WRIGHT_TOKEN)." };
        var json = new Option<bool>("--json") { Description = "Print the API's JSON." };
        var agents = new Command("agents", "List your agents and their states.") { state, url, token, json };
        agents.SetAction(async (parse, cancellationToken) =>
        {
            var server = parse.GetValue(url) ?? AgentClient.NonEmpty(Environment.GetEnvironmentVariable(AgentClient.UrlVariable));
            var secret = parse.GetValue(token) ?? AgentClient.NonEmpty(Environment.GetEnvironmentVariable(AgentClient.TokenVariable));
            if (server is null || secret is null)
            {
                await Console.Error.WriteLineAsync("wright: give the server with --url or WRIGHT_URL and a token with --token or WRIGHT_TOKEN.");
                return Commands.WrightCommandLine.UsageError;
            }

            using var client = AgentClient.Create(server, secret, TimeSpan.FromSeconds(30));
            var query = parse.GetValue(state) is { } s ? $"?state={Uri.EscapeDataString(s)}&limit=500" : "?limit=500";
            HttpResponseMessage response;
            try
            {
                response = await client.GetAsync(new Uri("api/agents" + query, UriKind.Relative), cancellationToken);
            }
            catch (HttpRequestException ex)
            {
                await Console.Error.WriteLineAsync($"wright: cannot reach {server}: {ex.Message}");
                return Failed;
            }

            using (response)
            {
                if (!response.IsSuccessStatusCode)
                {
                    await Console.Error.WriteLineAsync($"wright: {await AgentClient.DescribeAsync(response, cancellationToken)}");
                    return Failed;
                }

                var page = await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
                if (parse.GetValue(json))
                {
                    await Console.Out.WriteLineAsync(page.GetRawText());
                    return 0;
                }

                await Console.Out.WriteLineAsync($"{"AGENT",-20} {"PROJECT",-20} {"STATE",-15} {"TOKENS",10} {"COST",10}  COMMAND");
                foreach (var agent in page.GetProperty("items").EnumerateArray())
                {
                    var usage = agent.GetProperty("usage");
                    var tokens = usage.GetProperty("inputTokens").GetInt64() + usage.GetProperty("outputTokens").GetInt64() + usage.GetProperty("cacheReadTokens").GetInt64() + usage.GetProperty("cacheWriteTokens").GetInt64();
                    var label = agent.GetProperty("name").GetString() ?? agent.GetProperty("id").GetString()![..8];
                    var stateText = agent.GetProperty("state").GetString() + (agent.GetProperty("stale").GetBoolean() ? " (stale)" : agent.GetProperty("ended").GetBoolean() ? " (ended)" : "");
                    var commandText = agent.GetProperty("command").GetString() ?? "";
                    await Console.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                        $"{Cut(label, 20),-20} {Cut(agent.GetProperty("project").GetProperty("name").GetString()!, 20),-20} {stateText,-15} {tokens,10} {usage.GetProperty("cost").GetDecimal(),10:0.0000}  {Cut(commandText.ReplaceLineEndings(" "), 60)}"));
                }
            }

            return 0;
        });
        return agents;
    }

    private static async Task<int> StartAsync(string? name, string? url, string? token, string[] command, CancellationToken cancellationToken)
    {
        if (url is null || token is null)
        {
            await Console.Error.WriteLineAsync("wright: give the server with --url or WRIGHT_URL and a hooks token with --token or WRIGHT_TOKEN.");
            return Commands.WrightCommandLine.UsageError;
        }

        var sessionUuid = Guid.NewGuid();
        var cwd = Directory.GetCurrentDirectory();
        var root = await GitAsync(cwd, "rev-parse", "--show-toplevel") ?? cwd;
        var branch = await GitAsync(cwd, "rev-parse", "--abbrev-ref", "HEAD");
        var remote = await GitAsync(cwd, "remote", "get-url", "origin");
        var pane = AgentClient.NonEmpty(Environment.GetEnvironmentVariable("TMUX_PANE")) ?? AgentClient.NonEmpty(Environment.GetEnvironmentVariable("ITERM_SESSION_ID"));

        // More than a hook's budget: a cold server answers its first request slower, and this wait
        // is once per session, before the agent starts.
        using var client = AgentClient.Create(url, token, TimeSpan.FromSeconds(5));
        var registered = await TryPostAsync(client, "api/agents", new { sessionUuid, projectPath = root, projectName = Path.GetFileName(root), branch, remote, terminalPane = pane, name }, cancellationToken);
        if (registered is not null)
        {
            await Console.Error.WriteLineAsync($"wright: could not register the agent ({registered}); starting it anyway.");
        }

        var program = command.Length > 0 ? command[0] : "claude";
        var start = new ProcessStartInfo(program) { UseShellExecute = false };
        foreach (var argument in command.Skip(1))
        {
            start.ArgumentList.Add(argument);
        }

        if (Path.GetFileName(program) == "claude")
        {
            // Wright's hooks for this session only: the user's settings stay as they are.
            var settings = new JsonObject { ["hooks"] = HookSettings.Hooks(url, "Bearer $" + AgentClient.TokenVariable, HookSettings.SelfCommand()) };
            start.ArgumentList.Add("--settings");
            start.ArgumentList.Add(settings.ToJsonString());
        }

        start.Environment[AgentClient.UrlVariable] = url;
        start.Environment[AgentClient.TokenVariable] = token;
        start.Environment[AgentClient.SessionVariable] = sessionUuid.ToString();

        int exitCode;
        using (var forwarding = new SignalForwarding())
        {
            Process process;
            try
            {
                process = Process.Start(start)!;
            }
            catch (System.ComponentModel.Win32Exception ex)
            {
                await Console.Error.WriteLineAsync($"wright: cannot start {program}: {ex.Message}");
                await TryPostAsync(client, $"api/agents/sessions/{sessionUuid}/end", new { exitCode = 127 }, CancellationToken.None);
                return 127;
            }

            using (process)
            {
                forwarding.Forward(process.Id);
                await process.WaitForExitAsync(CancellationToken.None);
                exitCode = process.ExitCode;
            }
        }

        await TryPostAsync(client, $"api/agents/sessions/{sessionUuid}/end", new { exitCode }, CancellationToken.None);
        return exitCode;
    }

    /// <summary>Posts within the client's budget; null when it worked, else why not.</summary>
    /// <summary>
    /// Logs in as <paramref name="userName"/> and creates a token with the hooks scope only (the
    /// login's own tokens are never kept): the token or, when it failed, why.
    /// </summary>
    private static async Task<(string? Token, string? Problem)> CreateHooksTokenAsync(string server, string userName, string password, CancellationToken cancellationToken)
    {
        try
        {
            using var anonymous = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = new Uri(server.TrimEnd('/') + "/"), Timeout = TimeSpan.FromSeconds(30) };
            using var loginResponse = await anonymous.PostAsJsonAsync(new Uri("api/auth/login", UriKind.Relative), new { userName, password }, AgentClient.Json, cancellationToken);
            if (!loginResponse.IsSuccessStatusCode)
            {
                return (null, await AgentClient.DescribeAsync(loginResponse, cancellationToken));
            }

            var access = (await loginResponse.Content.ReadFromJsonAsync<JsonElement>(cancellationToken)).GetProperty("accessToken").GetString()!;
            using var client = AgentClient.Create(server, access, TimeSpan.FromSeconds(30));
            using var created = await client.PostAsJsonAsync(new Uri("api/tokens", UriKind.Relative), new { name = $"claude-hooks-{Environment.MachineName}", scopes = new[] { "hooks" } }, AgentClient.Json, cancellationToken);
            return created.IsSuccessStatusCode
                ? ((await created.Content.ReadFromJsonAsync<JsonElement>(cancellationToken)).GetProperty("token").GetString(), null)
                : (null, await AgentClient.DescribeAsync(created, cancellationToken));
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return (null, ex is TaskCanceledException ? "the server did not answer in time" : ex.Message);
        }
    }

    private static async Task<string?> TryPostAsync(HttpClient client, string path, object body, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await client.PostAsJsonAsync(new Uri(path, UriKind.Relative), body, AgentClient.Json, cancellationToken);
            return response.IsSuccessStatusCode ? null : await AgentClient.DescribeAsync(response, cancellationToken);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return ex is TaskCanceledException ? "the server did not answer in time" : ex.Message;
        }
    }

    private static async Task<string?> GitAsync(string cwd, params string[] arguments)
    {
        var start = new ProcessStartInfo("git") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = cwd };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        try
        {
            using var git = Process.Start(start)!;
            var output = await git.StandardOutput.ReadToEndAsync();
            await git.WaitForExitAsync();
            return git.ExitCode == 0 ? AgentClient.NonEmpty(output) : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // No git: the project is the current directory, without branch or remote.
            return null;
        }
    }

    private static async Task WriteSettingsAsync(string file, string? original, JsonObject settings, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        if (original is not null)
        {
            await File.WriteAllTextAsync(file + ".wright-backup", original, cancellationToken);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(file + ".wright-backup", UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
        }

        var temp = file + ".wright-tmp";
        await File.WriteAllTextAsync(temp, settings.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n", cancellationToken);
        if (!OperatingSystem.IsWindows())
        {
            // The settings may hold the token: only their user may read them.
            File.SetUnixFileMode(temp, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        File.Move(temp, file, overwrite: true);
    }

    private static async Task WriteSecretFileAsync(string file, string secret, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        await File.WriteAllTextAsync(file, secret + "\n", cancellationToken);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }

    /// <summary>Makes sure git ignores .claude/settings.local.json and its backup (they hold the token): through .git/info/exclude when nothing ignores them yet.</summary>
    private static async Task KeepOutOfGitAsync(string dir, CancellationToken cancellationToken)
    {
        // The settings and their backup: both may hold the token.
        const string Entry = ".claude/settings.local.json*";
        var gitDir = Path.Combine(dir, ".git");
        if (!Directory.Exists(gitDir)
            || (await IgnoredAsync(dir, ".claude/settings.local.json") && await IgnoredAsync(dir, ".claude/settings.local.json.wright-backup")))
        {
            return;
        }

        var exclude = Path.Combine(gitDir, "info", "exclude");
        Directory.CreateDirectory(Path.GetDirectoryName(exclude)!);
        var text = File.Exists(exclude) ? await File.ReadAllTextAsync(exclude, cancellationToken) : "";
        if (!text.Split('\n').Any(l => l.Trim() == Entry))
        {
            await File.AppendAllTextAsync(exclude, (text.Length == 0 || text.EndsWith('\n') ? "" : "\n") + Entry + "\n", cancellationToken);
        }
    }

    private static async Task<bool> IgnoredAsync(string dir, string entry)
    {
        var start = new ProcessStartInfo("git") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = dir };
        foreach (var argument in new[] { "check-ignore", "-q", "--no-index", entry })
        {
            start.ArgumentList.Add(argument);
        }

        try
        {
            using var git = Process.Start(start)!;
            await git.WaitForExitAsync();
            return git.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }

    private static string Cut(string text, int width) => text.Length <= width ? text : string.Concat(text.AsSpan(0, width - 1), "…");

    /// <summary>
    /// Passes SIGTERM, SIGHUP and SIGQUIT on to the agent, and keeps wright alive through SIGINT:
    /// Ctrl+C reaches the agent from the terminal itself (Claude Code decides what it means), and
    /// wright must outlive the agent to report its end.
    /// </summary>
    private sealed class SignalForwarding : IDisposable
    {
        private readonly List<PosixSignalRegistration> _registrations = [];
        private readonly Lock _gate = new();
        private int _pid;
        private int _pending;

        public SignalForwarding()
        {
            foreach (var (signal, number) in new[] { (PosixSignal.SIGTERM, 15), (PosixSignal.SIGHUP, 1), (PosixSignal.SIGQUIT, 3), (PosixSignal.SIGINT, 2) })
            {
                _registrations.Add(PosixSignalRegistration.Create(signal, context =>
                {
                    context.Cancel = true;
                    if (number == 2)
                    {
                        return;
                    }

                    lock (_gate)
                    {
                        // A signal that arrives while the agent is starting is kept and sent as soon as it has a pid.
                        if (_pid > 0)
                        {
                            _ = Kill(_pid, number);
                        }
                        else
                        {
                            _pending = number;
                        }
                    }
                }));
            }
        }

        public void Forward(int pid)
        {
            lock (_gate)
            {
                _pid = pid;
                if (_pending != 0)
                {
                    _ = Kill(pid, _pending);
                    _pending = 0;
                }
            }
        }

        public void Dispose()
        {
            foreach (var registration in _registrations)
            {
                registration.Dispose();
            }
        }

        [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
        private static extern int Kill(int pid, int signal);
    }
}
