using System.Text.RegularExpressions;

namespace Wright.Core.Actions.EditFormats;

/// <summary>
/// Reads SEARCH/REPLACE blocks the way Aider's <c>diff</c> format does: a file name on one of the
/// three lines before <c>&lt;&lt;&lt;&lt;&lt;&lt;&lt; SEARCH</c> (inside or above a fence, decorated or
/// fuzzily spelled), reused by later blocks that name none; markers of 5 to 9 characters; and
/// shell-language fences that are not followed by a block kept as suggested commands.
/// </summary>
internal static partial class SearchReplaceParser
{
    public const string MissingFilename = "Bad/missing filename. The filename must be alone on the line before the opening fence {0}";

    private static readonly string[] ShellFences =
        ["```bash", "```sh", "```shell", "```cmd", "```batch", "```powershell", "```ps1", "```zsh", "```fish", "```ksh", "```csh", "```tcsh"];

    public static ParsedResponse Parse(string response, EditOptions options)
    {
        var lines = TextLines.SplitKeepEnds(response);
        var edits = new List<ParsedEdit>();
        var commands = new List<string>();
        string? currentFile = null;
        var i = 0;
        while (i < lines.Count)
        {
            var line = lines[i];
            var trimmed = line.Trim();
            var nextIsBlock = (i + 1 < lines.Count && Head().IsMatch(lines[i + 1].Trim()))
                || (i + 2 < lines.Count && Head().IsMatch(lines[i + 2].Trim()));
            if (ShellFences.Any(f => trimmed.StartsWith(f, StringComparison.Ordinal)) && !nextIsBlock)
            {
                var command = new List<string>();
                i++;
                while (i < lines.Count && !lines[i].Trim().StartsWith("```", StringComparison.Ordinal))
                {
                    command.Add(lines[i]);
                    i++;
                }

                i++;
                commands.Add(string.Concat(command).TrimEnd('\r', '\n'));
                continue;
            }

            if (!Head().IsMatch(trimmed))
            {
                i++;
                continue;
            }

            // An empty SEARCH makes a new file: its name is taken as written, never matched to a chat file.
            var isNewFile = i + 1 < lines.Count && Divider().IsMatch(lines[i + 1].Trim());
            var file = FindFilename(lines.GetRange(Math.Max(0, i - 3), i - Math.Max(0, i - 3)), options.Fence, isNewFile ? null : options.InChatFiles);
            file ??= currentFile ?? throw EditErrors.Malformed(string.Format(System.Globalization.CultureInfo.InvariantCulture, MissingFilename, options.Fence.Open));
            currentFile = file;

            i++;
            var search = new List<string>();
            while (i < lines.Count && !Divider().IsMatch(lines[i].Trim()))
            {
                search.Add(lines[i]);
                i++;
            }

            if (i >= lines.Count)
            {
                throw EditErrors.Malformed($"Expected `=======` after the SEARCH section of the block for {file}.");
            }

            i++;
            var replace = new List<string>();
            while (i < lines.Count && !Updated().IsMatch(lines[i].Trim()) && !Divider().IsMatch(lines[i].Trim()))
            {
                replace.Add(lines[i]);
                i++;
            }

            if (i >= lines.Count)
            {
                throw EditErrors.Malformed($"Expected `>>>>>>> REPLACE` or `=======` to end the block for {file}.");
            }

            edits.Add(new SearchReplaceEdit(file, string.Concat(search), string.Concat(replace)));
            i++;
        }

        return new ParsedResponse(edits, commands, []);
    }

    /// <summary>
    /// The file named by the (up to three) lines before a block: the last plain line, skipping
    /// fence lines; matched exactly, then by base name, then fuzzily against the chat's files;
    /// otherwise taken as written when it looks like a file name.
    /// </summary>
    public static string? FindFilename(IReadOnlyList<string> lines, (string Open, string Close) fence, IReadOnlyList<string>? validNames)
    {
        var names = new List<string>();
        foreach (var raw in lines.Reverse().Take(3))
        {
            var line = raw.TrimEnd('\r', '\n');
            if (StripFilename(line, fence.Open) is { Length: > 0 } name)
            {
                names.Add(name);
            }

            if (!line.StartsWith(fence.Open, StringComparison.Ordinal) && !line.StartsWith("```", StringComparison.Ordinal))
            {
                break;
            }
        }

        if (names.Count == 0)
        {
            return null;
        }

        if (validNames is { Count: > 0 })
        {
            foreach (var name in names)
            {
                if (validNames.Contains(name, StringComparer.Ordinal))
                {
                    return name;
                }
            }

            foreach (var name in names)
            {
                foreach (var valid in validNames)
                {
                    if (name == BaseName(valid))
                    {
                        return valid;
                    }
                }
            }

            foreach (var name in names)
            {
                if (Similarity.ClosestMatch(name, validNames, 0.8) is { } close)
                {
                    return close;
                }
            }
        }

        return names.FirstOrDefault(n => n.Contains('.', StringComparison.Ordinal)) ?? names[0];
    }

    /// <summary>A file name from a line such as <c>### `src/app.ts`:</c> or <c>```src/app.ts</c>; null for fences and "...".</summary>
    public static string? StripFilename(string line, string fenceOpen)
    {
        var name = line.Trim();
        if (name == "...")
        {
            return null;
        }

        foreach (var fence in new[] { fenceOpen, "```" })
        {
            if (name.StartsWith(fence, StringComparison.Ordinal))
            {
                var candidate = name[fence.Length..];
                return candidate.Length > 0 && (candidate.Contains('.', StringComparison.Ordinal) || candidate.Contains('/', StringComparison.Ordinal)) ? candidate : null;
            }
        }

        name = name.TrimEnd(':').TrimStart('#').Trim().Trim('`').Trim('*');
        return name;
    }

    /// <summary>The last segment of a path written with '/' or '\'.</summary>
    private static string BaseName(string path)
    {
        var cut = path.LastIndexOfAny(['/', '\\']);
        return cut < 0 ? path : path[(cut + 1)..];
    }

    [GeneratedRegex(@"^<{5,9} SEARCH>?\s*$", RegexOptions.CultureInvariant)]
    public static partial Regex Head();

    [GeneratedRegex(@"^={5,9}\s*$", RegexOptions.CultureInvariant)]
    public static partial Regex Divider();

    [GeneratedRegex(@"^>{5,9} REPLACE\s*$", RegexOptions.CultureInvariant)]
    public static partial Regex Updated();
}
