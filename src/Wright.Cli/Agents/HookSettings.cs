using System.Text.Json.Nodes;

namespace Wright.Cli.Agents;

/// <summary>
/// Wright's hooks in Claude Code's settings format: HTTP hooks (no process per hook) for every
/// event that takes them, and a `wright hook` command hook (asynchronous, so it never delays the
/// agent) for SessionStart, where Claude Code refuses HTTP hooks. Wright's entries are recognised
/// by their marker (the X-Wright-Session-Id header, the <c>#wright-hook</c> comment), so an
/// install replaces them and an uninstall removes them and nothing else.
/// </summary>
internal static class HookSettings
{
    public const string CommandMarker = "#wright-hook";

    /// <summary>The events sent as HTTP hooks.</summary>
    public static readonly IReadOnlyList<string> HttpEvents =
    [
        "UserPromptSubmit", "PreToolUse", "PostToolUse", "PostToolUseFailure", "PermissionRequest", "PermissionDenied",
        "Notification", "Stop", "StopFailure", "SubagentStop", "TaskCompleted", "Elicitation", "ElicitationResult", "PreCompact", "SessionEnd",
    ];

    /// <summary>The events sent by `wright hook` (Claude Code skips HTTP hooks for them).</summary>
    public static readonly IReadOnlyList<string> CommandEvents = ["SessionStart"];

    private static readonly HashSet<string> ToolEvents = new(StringComparer.Ordinal) { "PreToolUse", "PostToolUse", "PostToolUseFailure", "PermissionRequest", "PermissionDenied" };

    /// <param name="url">The server.</param>
    /// <param name="authorization">The Authorization header value: <c>Bearer TOKEN</c>, or <c>Bearer $WRIGHT_TOKEN</c> to take it from the agent's environment.</param>
    /// <param name="hookCommand">The command line that runs `wright hook` (quoted for the shell), without the event.</param>
    public static JsonObject Hooks(string url, string authorization, string hookCommand)
    {
        var hooks = new JsonObject();
        var endpoint = url.TrimEnd('/') + "/api/hooks/";
        foreach (var name in HttpEvents)
        {
            var allowed = new JsonArray(AgentClient.SessionVariable);
            if (authorization.Contains('$', StringComparison.Ordinal))
            {
                allowed.Add(AgentClient.TokenVariable);
            }

            var hook = new JsonObject
            {
                ["type"] = "http",
                ["url"] = endpoint + name,
                ["timeout"] = 2,
                ["headers"] = new JsonObject { ["Authorization"] = authorization, ["X-Wright-Session-Id"] = "$" + AgentClient.SessionVariable },
                ["allowedEnvVars"] = allowed,
            };
            hooks[name] = new JsonArray(Entry(name, hook));
        }

        foreach (var name in CommandEvents)
        {
            var hook = new JsonObject
            {
                ["type"] = "command",
                ["command"] = $"{hookCommand} hook {name} --url {Quote(url)} {CommandMarker}",
                ["timeout"] = 5,
                ["async"] = true,
            };
            hooks[name] = new JsonArray(Entry(name, hook));
        }

        return hooks;
    }

    /// <summary>Adds Wright's hooks to a settings document, replacing earlier ones of Wright's and keeping everyone else's.</summary>
    public static void Merge(JsonObject settings, JsonObject wrightHooks)
    {
        Remove(settings);
        if (settings["hooks"] is not JsonObject hooks)
        {
            hooks = new JsonObject();
            settings["hooks"] = hooks;
        }

        foreach (var (name, entries) in wrightHooks)
        {
            if (hooks[name] is not JsonArray existing)
            {
                existing = new JsonArray();
                hooks[name] = existing;
            }

            foreach (var entry in ((JsonArray)entries!).ToList())
            {
                existing.Add(entry!.DeepClone());
            }
        }
    }

    /// <summary>Removes Wright's hooks (and the entries and events they leave empty); true when there were any.</summary>
    public static bool Remove(JsonObject settings)
    {
        if (settings["hooks"] is not JsonObject hooks)
        {
            return false;
        }

        var removed = false;
        foreach (var name in hooks.Select(p => p.Key).ToList())
        {
            if (hooks[name] is not JsonArray entries)
            {
                continue;
            }

            foreach (var entry in entries.OfType<JsonObject>().ToList())
            {
                if (entry["hooks"] is not JsonArray list)
                {
                    continue;
                }

                foreach (var hook in list.OfType<JsonObject>().Where(IsWrights).ToList())
                {
                    list.Remove(hook);
                    removed = true;
                }

                if (list.Count == 0)
                {
                    entries.Remove(entry);
                }
            }

            if (entries.Count == 0)
            {
                hooks.Remove(name);
            }
        }

        if (hooks.Count == 0)
        {
            settings.Remove("hooks");
        }

        return removed;
    }

    private static bool IsWrights(JsonObject hook) =>
        (hook["headers"] as JsonObject)?.ContainsKey("X-Wright-Session-Id") == true
        || (hook["command"]?.GetValueKind() == System.Text.Json.JsonValueKind.String && hook["command"]!.GetValue<string>().EndsWith(CommandMarker, StringComparison.Ordinal));

    private static JsonObject Entry(string name, JsonObject hook)
    {
        var entry = new JsonObject();
        if (ToolEvents.Contains(name))
        {
            entry["matcher"] = "*";
        }

        entry["hooks"] = new JsonArray(hook);
        return entry;
    }

    /// <summary>Quotes a word for the POSIX shell that runs command hooks.</summary>
    public static string Quote(string word) => "'" + word.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    /// <summary>
    /// The command line a command hook runs: wright-hook (NativeAOT, published beside wright:
    /// starts about as fast as curl) when it is there, else this `wright` again (the native host,
    /// or `dotnet wright.dll`), whose `hook` command does the same work after the runtime's start.
    /// </summary>
    public static string SelfCommand()
    {
        var native = Path.Combine(AppContext.BaseDirectory, "wright-hook");
        if (File.Exists(native))
        {
            return Quote(native);
        }

        var process = Environment.ProcessPath ?? "wright";
        var dll = typeof(HookSettings).Assembly.Location;
        return Path.GetFileNameWithoutExtension(process) == "dotnet" && dll.Length > 0 ? $"{Quote(process)} {Quote(dll)}" : Quote(process);
    }
}
