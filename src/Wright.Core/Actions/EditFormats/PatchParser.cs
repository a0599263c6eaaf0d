namespace Wright.Core.Actions.EditFormats;

/// <summary>
/// Reads the V4A patch format (OpenAI's <c>apply_patch</c>, Aider's <c>patch</c>):
/// <c>*** Begin Patch</c>, then <c>*** Add File:</c> / <c>*** Update File:</c> (optionally
/// <c>*** Move to:</c>) / <c>*** Delete File:</c> sections, <c>@@ scope</c> chunks of ' ', '-' and '+'
/// lines, and <c>*** End Patch</c>. Missing sentinels are tolerated with a warning.
/// </summary>
internal static class PatchParser
{
    private const string Begin = "*** Begin Patch";
    private const string End = "*** End Patch";
    private const string UpdateHeader = "*** Update File: ";
    private const string AddHeader = "*** Add File: ";
    private const string DeleteHeader = "*** Delete File: ";
    private const string MoveHeader = "*** Move to: ";
    private const string EndOfFile = "*** End of File";

    public const string MissingSentinelsWarning = "Patch format warning: Missing '*** Begin Patch'/'*** End Patch' sentinels.";

    public static ParsedResponse Parse(string response)
    {
        var lines = TextLines.Split(response);
        var warnings = new List<string>();
        var begin = lines.FindIndex(l => l.Trim() == Begin);
        int i;
        if (begin >= 0)
        {
            i = begin + 1;
        }
        else
        {
            warnings.Add(MissingSentinelsWarning);
            i = lines.FindIndex(IsFileHeader);
            if (i < 0)
            {
                throw EditErrors.Malformed("The answer has no patch: expected '*** Begin Patch' followed by '*** Add File:', '*** Update File:' or '*** Delete File:' sections.");
            }
        }

        var edits = new List<ParsedEdit>();
        while (i < lines.Count)
        {
            var line = lines[i];
            if (line.Trim() == End)
            {
                break;
            }

            if (line.StartsWith(DeleteHeader, StringComparison.Ordinal))
            {
                edits.Add(new PatchFileEdit(line[DeleteHeader.Length..].Trim(), PatchOperation.Delete, null, null, []));
                i++;
            }
            else if (line.StartsWith(AddHeader, StringComparison.Ordinal))
            {
                var path = line[AddHeader.Length..].Trim();
                var content = new List<string>();
                i++;
                while (i < lines.Count && !IsSectionEnd(lines[i]))
                {
                    if (!lines[i].StartsWith('+'))
                    {
                        throw EditErrors.Malformed($"Line {i + 1} of the patch is inside '*** Add File: {path}' but does not start with '+': every line of a new file starts with '+'.");
                    }

                    content.Add(lines[i][1..]);
                    i++;
                }

                edits.Add(new PatchFileEdit(path, PatchOperation.Add, null, content.Count == 0 ? "" : string.Join('\n', content) + "\n", []));
            }
            else if (line.StartsWith(UpdateHeader, StringComparison.Ordinal))
            {
                var path = line[UpdateHeader.Length..].Trim();
                i++;
                string? moveTo = null;
                if (i < lines.Count && lines[i].StartsWith(MoveHeader, StringComparison.Ordinal))
                {
                    moveTo = lines[i][MoveHeader.Length..].Trim();
                    i++;
                }

                var chunks = new List<PatchChunk>();
                string? scope = null;
                var body = new List<string>();
                var started = false;
                while (i < lines.Count && !IsSectionEnd(lines[i]))
                {
                    var text = lines[i];
                    if (text.StartsWith("@@", StringComparison.Ordinal))
                    {
                        if (started && body.Count > 0)
                        {
                            chunks.Add(new PatchChunk(scope, body, false));
                        }

                        var named = text[2..].Trim();
                        scope = named.Length == 0 ? null : named;
                        body = [];
                        started = true;
                    }
                    else if (text.Trim() == EndOfFile)
                    {
                        chunks.Add(new PatchChunk(scope, body, true));
                        scope = null;
                        body = [];
                        started = false;
                    }
                    else
                    {
                        started = true;
                        body.Add(text);
                    }

                    i++;
                }

                if (body.Count > 0)
                {
                    chunks.Add(new PatchChunk(scope, body, false));
                }

                edits.Add(new PatchFileEdit(path, PatchOperation.Update, moveTo, null, chunks));
            }
            else if (line.Trim().Length == 0 || line.StartsWith("```", StringComparison.Ordinal))
            {
                i++;
            }
            else
            {
                throw EditErrors.Malformed($"Line {i + 1} of the patch is not part of any file section: '{line}'. Expected '*** Add File:', '*** Update File:', '*** Delete File:' or '*** End Patch'.");
            }
        }

        return new ParsedResponse(edits, [], warnings);
    }

    private static bool IsFileHeader(string line) =>
        line.StartsWith(UpdateHeader, StringComparison.Ordinal) || line.StartsWith(AddHeader, StringComparison.Ordinal) || line.StartsWith(DeleteHeader, StringComparison.Ordinal);

    private static bool IsSectionEnd(string line) => IsFileHeader(line) || line.Trim() == End;
}
