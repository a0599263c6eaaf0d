using System.Text.Json;
using Microsoft.Extensions.AI;

namespace Wright.Core.Engine;

/// <summary>The native tools Wright declares to models, by name; never rename one (models and stored tool calls use them).</summary>
public static class AgentTools
{
    public const string ReadFile = "read_file";
    public const string ListFiles = "list_files";
    public const string Search = "search";
    public const string WriteFile = "write_file";
    public const string EditFile = "edit_file";
    public const string DeleteFile = "delete_file";
    public const string MoveFile = "move_file";
    public const string RunCommand = "run_command";
    public const string StopCommand = "stop_command";
    public const string Scaffold = "scaffold";

    /// <summary>Tools whose calls change files; an answer's calls of these are staged and committed as one ActionRun.</summary>
    public static readonly IReadOnlySet<string> FileChanging = new HashSet<string>(StringComparer.Ordinal) { WriteFile, EditFile, DeleteFile, MoveFile };

    /// <summary>The declarations sent with every request (name, description, JSON schema of the arguments).</summary>
    public static IReadOnlyList<AITool> Declarations { get; } =
    [
        Declare(ReadFile, "Read a text file of the project. Ignored, binary and secret files cannot be read. Optionally a range of lines.", """
            {"type":"object","properties":{"path":{"type":"string","description":"Path relative to the project root"},"offset":{"type":"integer","description":"First line to return (1-based)"},"limit":{"type":"integer","description":"Number of lines to return"}},"required":["path"]}
            """),
        Declare(ListFiles, "List the project's files (those git does not ignore), optionally under a directory.", """
            {"type":"object","properties":{"path":{"type":"string","description":"Directory relative to the project root; empty for all"}}}
            """),
        Declare(Search, "Search the project's files for text (or a regular expression); returns path:line:text matches.", """
            {"type":"object","properties":{"pattern":{"type":"string"},"path":{"type":"string","description":"Directory or file to search in; empty for the whole project"},"regex":{"type":"boolean","description":"Treat pattern as a regular expression (default: plain text)"}},"required":["pattern"]}
            """),
        Declare(WriteFile, "Create a file or replace its whole content.", """
            {"type":"object","properties":{"path":{"type":"string"},"content":{"type":"string"}},"required":["path","content"]}
            """),
        Declare(EditFile, "Replace the one exact occurrence of old_text in a file by new_text. old_text must match exactly (whitespace included) and occur once.", """
            {"type":"object","properties":{"path":{"type":"string"},"old_text":{"type":"string"},"new_text":{"type":"string"}},"required":["path","old_text","new_text"]}
            """),
        Declare(DeleteFile, "Delete a file.", """
            {"type":"object","properties":{"path":{"type":"string"}},"required":["path"]}
            """),
        Declare(MoveFile, "Move or rename a file; the destination must not exist.", """
            {"type":"object","properties":{"path":{"type":"string"},"destination":{"type":"string"}},"required":["path","destination"]}
            """),
        Declare(RunCommand, "Run a program in the project directory (no shell: the program and its arguments as a list), for example {\"program\":\"dotnet\",\"args\":[\"test\"]}. Returns its exit code and output. With background true it starts a program that keeps running (a dev server, a watcher) and returns at once with its id, the ports it listens on and its first output; the user sees it in the preview. Stop it with stop_command.", """
            {"type":"object","properties":{"program":{"type":"string"},"args":{"type":"array","items":{"type":"string"}},"timeout_seconds":{"type":"integer"},"background":{"type":"boolean","description":"Keep it running after this call (dev servers, watchers); default false"}},"required":["program"]}
            """),
        Declare(StopCommand, "Stop a program started with run_command background (and everything it started). Returns how it ended and its last output.", """
            {"type":"object","properties":{"id":{"type":"string","description":"The id run_command returned"}},"required":["id"]}
            """),
        Declare(Scaffold, "Create a small working project skeleton from a built-in template (dotnet-console, node-api, python-cli, static-site) in an empty directory, committed at once; then edit its files. Without a template, the description picks one.", """
            {"type":"object","properties":{"name":{"type":"string","description":"Project name (letters, digits, '-', '_', '.')"},"description":{"type":"string","description":"One line saying what the project is"},"template":{"type":"string","enum":["dotnet-console","node-api","python-cli","static-site"]},"directory":{"type":"string","description":"Directory relative to the project root; empty for the root"}},"required":["name","description"]}
            """),
    ];

    private static AIFunctionDeclaration Declare(string name, string description, string schema)
    {
        using var document = JsonDocument.Parse(schema);
        return AIFunctionFactory.CreateDeclaration(name, description, document.RootElement.Clone());
    }
}

/// <summary>The arguments of a tool call, read leniently (models send numbers as strings and the like).</summary>
internal sealed class ToolArguments
{
    private readonly JsonElement _root;

    private ToolArguments(JsonElement root)
    {
        _root = root;
    }

    /// <summary>Parses the call's JSON arguments; a <see cref="ToolError"/> when they are not a JSON object.</summary>
    public static ToolArguments Parse(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(string.IsNullOrWhiteSpace(json) ? "{}" : json);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new ToolError("invalid_arguments", "The arguments must be a JSON object.");
            }

            return new ToolArguments(document.RootElement.Clone());
        }
        catch (JsonException ex)
        {
            throw new ToolError("invalid_arguments", $"The arguments are not valid JSON: {ex.Message}");
        }
    }

    public string Required(string name) =>
        String(name) ?? throw new ToolError("invalid_arguments", $"The argument '{name}' is required.");

    public string? String(string name) =>
        _root.TryGetProperty(name, out var value) ? value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Null or JsonValueKind.Undefined => null,
            _ => value.GetRawText(),
        } : null;

    public int? Int(string name) =>
        _root.TryGetProperty(name, out var value) && (value.ValueKind == JsonValueKind.Number ? value.TryGetInt32(out var n) : int.TryParse(value.GetString(), out n)) ? n : null;

    public bool Bool(string name) =>
        _root.TryGetProperty(name, out var value) && (value.ValueKind == JsonValueKind.True || (value.ValueKind == JsonValueKind.String && value.GetString() == "true"));

    public IReadOnlyList<string> Strings(string name) =>
        _root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Array
            ? value.EnumerateArray().Select(v => v.ValueKind == JsonValueKind.String ? v.GetString()! : v.GetRawText()).ToList()
            : [];
}

/// <summary>A tool call that failed in a way the model can fix: the message goes back to it as the call's result.</summary>
internal sealed class ToolError(string code, string message) : Exception(message)
{
    public string Code { get; } = code;
}
