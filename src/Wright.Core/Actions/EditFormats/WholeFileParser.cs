namespace Wright.Core.Actions.EditFormats;

/// <summary>
/// Reads whole-file answers the way Aider's <c>whole</c> format does: each fenced block is a
/// file's complete new content, named by the line before the fence (decorations stripped, a
/// bogus directory prefix dropped when the base name is a chat file), else by the last
/// <c>`file`</c> mention of a chat file, else by the only chat file. When several blocks name the
/// same file, the most reliably named one wins.
/// </summary>
internal static class WholeFileParser
{
    private enum NameSource
    {
        Block,
        Saw,
        Chat,
    }

    public static ParsedResponse Parse(string response, EditOptions options)
    {
        var chatFiles = options.InChatFiles;
        var lines = TextLines.SplitKeepEnds(response);
        var found = new List<(string File, NameSource Source, List<string> Lines)>();
        string? sawName = null;
        string? fileName = null;
        var source = NameSource.Block;
        var content = new List<string>();

        for (var i = 0; i < lines.Count; i++)
        {
            var line = lines[i];
            if (line.StartsWith(options.Fence.Open, StringComparison.Ordinal) || line.StartsWith(options.Fence.Close, StringComparison.Ordinal))
            {
                if (fileName is not null)
                {
                    found.Add((fileName, source, content));
                    sawName = null;
                    fileName = null;
                    content = [];
                    continue;
                }

                if (i > 0)
                {
                    source = NameSource.Block;
                    var name = lines[i - 1].Trim().Trim('*').TrimEnd(':').Trim('`').TrimStart('#').Trim();
                    if (name.Length > 250)
                    {
                        name = "";
                    }

                    if (name.Length > 0 && !chatFiles.Contains(name, StringComparer.Ordinal) && chatFiles.Contains(BaseName(name), StringComparer.Ordinal))
                    {
                        name = BaseName(name);
                    }

                    fileName = name.Length > 0 ? name : null;
                }

                if (fileName is null)
                {
                    if (sawName is not null)
                    {
                        fileName = sawName;
                        source = NameSource.Saw;
                    }
                    else if (chatFiles.Count == 1)
                    {
                        fileName = chatFiles[0];
                        source = NameSource.Chat;
                    }
                    else
                    {
                        throw EditErrors.Malformed($"No filename provided before {options.Fence.Open} in file listing: put the file's path alone on the line before the opening fence.");
                    }
                }
            }
            else if (fileName is not null)
            {
                content.Add(line);
            }
            else
            {
                foreach (var raw in line.Trim().Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
                {
                    var word = raw.TrimEnd('.', ':', ',', ';', '!');
                    foreach (var chatFile in chatFiles)
                    {
                        if (word == $"`{chatFile}`")
                        {
                            sawName = chatFile;
                        }
                    }
                }
            }
        }

        if (fileName is not null)
        {
            found.Add((fileName, source, content));
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        var edits = new List<ParsedEdit>();
        foreach (var preferred in new[] { NameSource.Block, NameSource.Saw, NameSource.Chat })
        {
            foreach (var (file, from, body) in found)
            {
                if (from == preferred && seen.Add(file))
                {
                    edits.Add(new WholeFileEdit(file, string.Concat(body)));
                }
            }
        }

        return new ParsedResponse(edits, [], []);
    }

    private static string BaseName(string path)
    {
        var cut = path.LastIndexOf('/');
        return cut < 0 ? path : path[(cut + 1)..];
    }
}
