using System.Globalization;
using System.Text;

namespace Wright.Core.Actions.EditFormats;

/// <summary>
/// Applies one V4A file section: chunks are placed in order after an optional scope line, their
/// context matched exactly, then ignoring trailing whitespace, then ignoring all surrounding
/// whitespace (the fuzz Aider and OpenAI's reference allow).
/// </summary>
internal static class PatchApplier
{
    public static EditFailure? Apply(int index, PatchFileEdit edit, StagedFiles files)
    {
        var content = files.Read(edit.Path);
        switch (edit.Operation)
        {
            case PatchOperation.Add:
                if (content is not null)
                {
                    return new EditFailure(index, edit.Path, "FileExists", $"FileExists: '*** Add File: {edit.Path}' but the file already exists: File already exists: {edit.Path}. Use '*** Update File:' to change it.");
                }

                files.Write(edit.Path, edit.NewContent ?? "");
                return null;

            case PatchOperation.Delete:
                if (content is null)
                {
                    return new EditFailure(index, edit.Path, "FileMissing", $"FileMissing: '*** Delete File: {edit.Path}' but there is no such file.");
                }

                files.Delete(edit.Path);
                return null;

            default:
                if (content is null)
                {
                    return new EditFailure(index, edit.Path, "FileMissing", $"FileMissing: '*** Update File: {edit.Path}' but there is no such file; use '*** Add File:' to create it.");
                }

                return Update(index, edit, content, files);
        }
    }

    private static EditFailure? Update(int index, PatchFileEdit edit, string content, StagedFiles files)
    {
        var finalNewline = content.Length == 0 || content.EndsWith('\n');
        var lines = TextLines.Split(content);
        var cursor = 0;
        foreach (var chunk in edit.Chunks)
        {
            if (chunk.Scope is { } scope)
            {
                var at = FindLine(lines, scope, cursor);
                if (at < 0)
                {
                    return NotFound(index, edit.Path, cursor, [scope], content);
                }

                cursor = at + 1;
            }

            var before = new List<string>();
            var after = new List<string>();
            var ops = new List<(char Op, string Text)>();
            foreach (var line in chunk.Lines)
            {
                var (op, text) = line.Length == 0 ? (' ', "") : (line[0], line[1..]);
                switch (op)
                {
                    case '-':
                        before.Add(text);
                        ops.Add(('-', text));
                        break;
                    case '+':
                        after.Add(text);
                        ops.Add(('+', text));
                        break;
                    case ' ':
                        before.Add(text);
                        after.Add(text);
                        ops.Add((' ', text));
                        break;
                    default:
                        // A context line the model forgot to indent by one space.
                        before.Add(line);
                        after.Add(line);
                        ops.Add((' ', line));
                        break;
                }
            }

            int start;
            if (before.Count == 0)
            {
                start = chunk.AtEndOfFile ? lines.Count : cursor;
            }
            else
            {
                start = FindBlock(lines, before, cursor, chunk.AtEndOfFile);
                if (start < 0)
                {
                    return NotFound(index, edit.Path, cursor, before, content);
                }
            }

            // Context lines keep the file's own text: a fuzzy match must not rewrite their whitespace.
            var replacement = new List<string>(after.Count);
            var position = start;
            foreach (var (op, text) in ops)
            {
                switch (op)
                {
                    case ' ':
                        replacement.Add(lines[position++]);
                        break;
                    case '-':
                        position++;
                        break;
                    default:
                        replacement.Add(text);
                        break;
                }
            }

            lines.RemoveRange(start, before.Count);
            lines.InsertRange(start, replacement);
            cursor = start + after.Count;
        }

        var updated = string.Join('\n', lines) + (finalNewline && lines.Count > 0 ? "\n" : "");
        if (edit.MoveTo is { } destination && destination != edit.Path)
        {
            if (files.Exists(destination))
            {
                return new EditFailure(index, edit.Path, "FileExists", $"FileExists: '*** Move to: {destination}' but that file already exists: File already exists: {destination}.");
            }

            files.Delete(edit.Path);
            files.Write(destination, updated);
            return null;
        }

        files.Write(edit.Path, updated);
        return null;
    }

    private static int FindLine(List<string> lines, string wanted, int from)
    {
        for (var pass = 0; pass < 2; pass++)
        {
            for (var i = from; i < lines.Count; i++)
            {
                if (pass == 0 ? lines[i] == wanted : lines[i].Trim() == wanted.Trim())
                {
                    return i;
                }
            }
        }

        return -1;
    }

    private static int FindBlock(List<string> lines, List<string> block, int from, bool atEnd)
    {
        Func<string, string>[] fuzz = [s => s, s => s.TrimEnd(), s => s.Trim()];
        foreach (var normalize in fuzz)
        {
            if (atEnd)
            {
                var end = lines.Count - block.Count;
                if (end >= from && Matches(lines, block, end, normalize))
                {
                    return end;
                }
            }

            for (var i = from; i + block.Count <= lines.Count; i++)
            {
                if (Matches(lines, block, i, normalize))
                {
                    return i;
                }
            }
        }

        return -1;
    }

    private static bool Matches(List<string> lines, List<string> block, int start, Func<string, string> normalize)
    {
        for (var k = 0; k < block.Count; k++)
        {
            if (normalize(lines[start + k]) != normalize(block[k]))
            {
                return false;
            }
        }

        return true;
    }

    private static EditFailure NotFound(int index, string path, int cursor, List<string> context, string content)
    {
        var detail = new StringBuilder();
        detail.Append(CultureInfo.InvariantCulture, $"PatchContextNotFound: Could not find patch context in {path} starting near line {cursor + 1}:\n```\n");
        foreach (var line in context)
        {
            detail.Append(line).Append('\n');
        }

        detail.Append("```\n");
        TextEdits.AppendClosest(detail, path, content, string.Join('\n', context));
        detail.Append("Context lines (' ' and '-') must match the file's lines in order.");
        return new EditFailure(index, path, "PatchContextNotFound", detail.ToString());
    }
}
