using System.Text.Json;
using System.Text.Json.Nodes;
using Wright.Core.Errors;
using Wright.Core.Workspace;

namespace Wright.Core.Actions;

/// <summary>
/// A project's own Wright settings, in <c>.wright/config</c> in the repository so they travel
/// with it. The file is JSON (comments and trailing commas allowed): the runtime already reads
/// JSON, and a YAML parser would be a dependency for three settings.
/// </summary>
/// <param name="CommandApproval">How commands of actions are approved (<c>auto</c>, <c>ask</c>, <c>deny</c>); null leaves Wright's default.</param>
/// <param name="Exclude">Paths never read into a model's context, as .gitignore-style patterns (<c>*.log</c>, <c>secrets/</c>, <c>data/**/*.csv</c>).</param>
/// <param name="MaxContextFileBytes">Files larger than this are never read into context; null leaves Wright's default.</param>
/// <param name="Sandbox">Whether the model's commands run in the sandbox (<c>on</c>, <c>off</c>, <c>required</c>); null means on where bubblewrap works.</param>
/// <param name="Network">Whether sandboxed commands may use the network; null means they may.</param>
public sealed record ProjectConfig(CommandApprovalPolicy? CommandApproval, IReadOnlyList<string> Exclude, long? MaxContextFileBytes, Sandbox.SandboxPolicy? Sandbox = null, bool? Network = null)
{
    public const string RelativePath = ".wright/config";

    public static readonly ProjectConfig Default = new(null, [], null);

    public static readonly IReadOnlyList<string> Keys = ["commandApproval", "exclude", "maxContextFileBytes", "sandbox", "network"];

    internal static readonly JsonDocumentOptions ReadOptions = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

    /// <summary>The settings of the project at <paramref name="projectRoot"/>; the defaults when it has no config file.</summary>
    public static async Task<ProjectConfig> LoadAsync(string projectRoot, CancellationToken cancellationToken)
    {
        var jailed = PathJail.Resolve(projectRoot, RelativePath);
        if (!File.Exists(jailed.RealPath))
        {
            return Default;
        }

        return Parse(await File.ReadAllTextAsync(jailed.RealPath, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>Reads settings from JSON; <c>config_invalid</c> lists every problem, each naming its key.</summary>
    public static ProjectConfig Parse(string json) => FromNode(ParseObject(json));

    internal static JsonObject ParseObject(string json)
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            return [];
        }

        try
        {
            return JsonNode.Parse(json, documentOptions: ReadOptions) as JsonObject
                ?? throw Invalid([$"{RelativePath} must hold a JSON object of settings ({string.Join(", ", Keys)})."]);
        }
        catch (JsonException ex)
        {
            throw Invalid([$"{RelativePath} is not valid JSON: {ex.Message}"]);
        }
    }

    internal static ProjectConfig FromNode(JsonObject root)
    {
        var problems = new List<string>();
        CommandApprovalPolicy? approval = null;
        var exclude = new List<string>();
        long? maxBytes = null;
        Sandbox.SandboxPolicy? sandbox = null;
        bool? network = null;
        foreach (var (key, value) in root)
        {
            switch (key)
            {
                case "commandApproval":
                    if (value is JsonValue v && v.TryGetValue<string>(out var text) && Enum.TryParse<CommandApprovalPolicy>(text, ignoreCase: true, out var policy) && text.All(char.IsAsciiLetter))
                    {
                        approval = policy;
                    }
                    else
                    {
                        problems.Add("commandApproval must be \"auto\", \"ask\" or \"deny\".");
                    }

                    break;
                case "exclude":
                    if (value is JsonArray array && array.All(e => e is JsonValue ev && ev.TryGetValue<string>(out var s) && s.Length > 0))
                    {
                        exclude.AddRange(array.Select(e => e!.GetValue<string>()));
                    }
                    else
                    {
                        problems.Add("exclude must be a list of non-empty path patterns, for example [\"*.log\", \"secrets/\"].");
                    }

                    break;
                case "maxContextFileBytes":
                    if (value is JsonValue n && n.TryGetValue<long>(out var bytes) && bytes > 0)
                    {
                        maxBytes = bytes;
                    }
                    else
                    {
                        problems.Add("maxContextFileBytes must be a positive whole number of bytes.");
                    }

                    break;
                case "sandbox":
                    if (value is JsonValue sv && sv.TryGetValue<string>(out var mode) && Enum.TryParse<Sandbox.SandboxPolicy>(mode, ignoreCase: true, out var parsed) && mode.All(char.IsAsciiLetter))
                    {
                        sandbox = parsed;
                    }
                    else
                    {
                        problems.Add("sandbox must be \"on\", \"off\" or \"required\".");
                    }

                    break;
                case "network":
                    if (value is JsonValue nv && nv.TryGetValue<bool>(out var allowed))
                    {
                        network = allowed;
                    }
                    else
                    {
                        problems.Add("network must be true or false.");
                    }

                    break;
                default:
                    problems.Add($"'{key}' is not a setting; the settings are {string.Join(", ", Keys)}.");
                    break;
            }
        }

        if (problems.Count > 0)
        {
            throw Invalid(problems);
        }

        return new ProjectConfig(approval, exclude, maxBytes, sandbox, network);
    }

    private static WrightException Invalid(IReadOnlyList<string> problems) =>
        WrightException.Invalid(ActionErrorCodes.ConfigInvalid, $"{RelativePath} is invalid: {string.Join(" ", problems)}");
}

/// <summary>CONFIG: changes settings in <c>.wright/config</c>, checked against the known settings before anything is written.</summary>
public sealed class ConfigHandler : IActionHandler
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public bool CanHandle(WrightAction action) => action is ConfigAction;

    public Task ValidateAsync(WrightAction action, ActionRunContext context, CancellationToken cancellationToken)
    {
        var config = (ConfigAction)action;
        var path = context.Normalize(ProjectConfig.RelativePath);
        var root = ProjectConfig.ParseObject(context.Files.Read(path) ?? "");
        foreach (var (key, value) in config.Settings)
        {
            if (value is null)
            {
                root.Remove(key);
            }
            else
            {
                root[key] = value.DeepClone();
            }
        }

        ProjectConfig.FromNode(root);
        context.Files.Write(path, root.ToJsonString(Indented) + "\n");
        context.RecordStagedPaths([path]);
        return Task.CompletedTask;
    }

    public async Task ExecuteAsync(WrightAction action, ActionRunContext context, CancellationToken cancellationToken)
    {
        await context.WriteStagedAsync(context.StagedPathsOfCurrentAction, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The config file is part of the working tree, so the safety point restores it.</summary>
    public Task RollbackAsync(WrightAction action, ActionRunContext context, CancellationToken cancellationToken) => Task.CompletedTask;
}
