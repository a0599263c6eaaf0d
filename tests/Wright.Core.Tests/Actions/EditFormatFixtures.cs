using System.Text.Json;
using Wright.Core.Actions.EditFormats;

namespace Wright.Core.Tests.Actions;

/// <summary>
/// The shared edit-format conformance cases (extracted from Aider's test suite): found beside the
/// repository in <c>../shared/fixtures/edit-formats</c>, as CI checks it out.
/// </summary>
internal static class EditFormatFixtures
{
    public static readonly string[] Files = ["aider-cases.json", "aider-cases-derived.json"];

    private static readonly Lazy<IReadOnlyDictionary<string, JsonElement>> All = new(Load);

    public static IReadOnlyDictionary<string, JsonElement> Cases => All.Value;

    public static string Directory
    {
        get
        {
            var directory = new DirectoryInfo(AppContext.BaseDirectory);
            while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Wright.slnx")))
            {
                directory = directory.Parent;
            }

            if (directory?.Parent is null)
            {
                throw new InvalidOperationException($"Cannot find Wright.slnx above {AppContext.BaseDirectory}; the conformance fixtures live in ../shared/fixtures/edit-formats next to the repository.");
            }

            var fixtures = Path.Combine(directory.Parent.FullName, "shared", "fixtures", "edit-formats");
            if (!Files.All(f => File.Exists(Path.Combine(fixtures, f))))
            {
                throw new InvalidOperationException($"The edit-format conformance fixtures are missing: expected {string.Join(" and ", Files)} in {fixtures}. Check out the shared/ directory beside the repository (CI clones it there).");
            }

            return fixtures;
        }
    }

    public static EditFormat FormatOf(JsonElement c) => c.GetProperty("format").GetString() switch
    {
        "diff" => EditFormat.SearchReplace,
        "whole" => EditFormat.Whole,
        "udiff" => EditFormat.UnifiedDiff,
        "patch" => EditFormat.Patch,
        var other => throw new InvalidOperationException($"Unknown format '{other}'."),
    };

    public static string? String(JsonElement c, string name) =>
        c.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    public static bool Bool(JsonElement c, string name) =>
        c.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.True;

    public static bool Has(JsonElement c, string name) =>
        c.TryGetProperty(name, out var value) && value.ValueKind is not JsonValueKind.Null and not JsonValueKind.Undefined;

    public static Dictionary<string, string> FileMap(JsonElement c, string name)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        if (c.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in value.EnumerateObject())
            {
                map[property.Name] = property.Value.GetString()!;
            }
        }

        return map;
    }

    public static List<string> StringList(JsonElement c, string name) =>
        c.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Array
            ? value.EnumerateArray().Select(e => e.GetString()!).ToList()
            : [];

    public static EditOptions OptionsOf(JsonElement c)
    {
        var fence = c.TryGetProperty("fence", out var f) && f.ValueKind == JsonValueKind.Array
            ? (f[0].GetString()!, f[1].GetString()!)
            : ("```", "```");
        Func<string, bool>? confirm = c.TryGetProperty("user_confirms", out var u) && u.ValueKind is JsonValueKind.True or JsonValueKind.False
            ? _ => u.GetBoolean()
            : null;
        return new EditOptions { InChatFiles = StringList(c, "in_chat_files"), Fence = fence, ConfirmOutsideChat = confirm };
    }

    private static IReadOnlyDictionary<string, JsonElement> Load()
    {
        var cases = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var file in Files)
        {
            using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(Directory, file)));
            foreach (var c in document.RootElement.EnumerateArray())
            {
                cases.Add(c.GetProperty("name").GetString()!, c.Clone());
            }
        }

        return cases;
    }
}
