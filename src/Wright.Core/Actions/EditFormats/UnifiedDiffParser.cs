namespace Wright.Core.Actions.EditFormats;

/// <summary>
/// Reads unified diffs from <c>```diff</c> fences as Aider's <c>udiff</c> format does: line
/// numbers are ignored (<c>@@ … @@</c> only separates hunks), several files may share one fence,
/// <c>a/</c> <c>b/</c> prefixes are dropped, and a hunk without any <c>-</c> or <c>+</c> line is dropped.
/// </summary>
internal static class UnifiedDiffParser
{
    public static ParsedResponse Parse(string response)
    {
        var content = TextLines.EnsureFinalNewline(response);
        var lines = TextLines.SplitKeepEnds(content);
        var edits = new List<ParsedEdit>();
        var i = 0;
        while (i < lines.Count)
        {
            if (lines[i].StartsWith("```diff", StringComparison.Ordinal))
            {
                i = ReadFence(lines, i + 1, edits);
            }
            else
            {
                i++;
            }
        }

        return new ParsedResponse(edits, [], []);
    }

    private static int ReadFence(List<string> lines, int start, List<ParsedEdit> edits)
    {
        var end = start;
        while (end < lines.Count && !lines[end].StartsWith("```", StringComparison.Ordinal))
        {
            end++;
        }

        var block = lines.GetRange(start, end - start);
        block.Add("@@ @@");
        string? file = null;
        if (block.Count >= 2 && block[0].StartsWith("--- ", StringComparison.Ordinal) && block[1].StartsWith("+++ ", StringComparison.Ordinal))
        {
            var before = block[0][4..].Trim();
            var after = block[1][4..].Trim();
            file = (before.StartsWith("a/", StringComparison.Ordinal) || before == "/dev/null") && after.StartsWith("b/", StringComparison.Ordinal)
                ? after[2..]
                : after;
            block = block.GetRange(2, block.Count - 2);
        }

        var hunk = new List<string>();
        var keeper = false;
        foreach (var line in block)
        {
            hunk.Add(line);
            if (line.Length < 2)
            {
                continue;
            }

            if (line.StartsWith("+++ ", StringComparison.Ordinal) && hunk.Count >= 2 && hunk[^2].StartsWith("--- ", StringComparison.Ordinal))
            {
                var drop = hunk.Count >= 3 && hunk[^3] == "\n" ? 3 : 2;
                hunk.RemoveRange(hunk.Count - drop, drop);
                Add(edits, file, hunk);
                hunk = [];
                keeper = false;
                file = line[4..].Trim();
                continue;
            }

            var op = line[0];
            if (op is '-' or '+')
            {
                keeper = true;
                continue;
            }

            if (op != '@')
            {
                continue;
            }

            if (!keeper)
            {
                hunk = [];
                continue;
            }

            hunk.RemoveAt(hunk.Count - 1);
            Add(edits, file, hunk);
            hunk = [];
            keeper = false;
        }

        return end + 1;
    }

    private static void Add(List<ParsedEdit> edits, string? file, List<string> hunk)
    {
        if (file is null && hunk.Count == 0)
        {
            return;
        }

        if (file is null)
        {
            throw EditErrors.Malformed("A unified diff hunk has no file: start each file's diff with '--- path' and '+++ path' lines.");
        }

        edits.Add(new UnifiedDiffHunk(file, hunk.ToList()));
    }
}
