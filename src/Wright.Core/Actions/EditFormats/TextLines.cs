namespace Wright.Core.Actions.EditFormats;

/// <summary>Line helpers shared by the edit formats: lines keep their endings so texts rejoin exactly.</summary>
internal static class TextLines
{
    /// <summary>Splits after each <c>\n</c>, <c>\r\n</c> or lone <c>\r</c>, keeping the ending on its line.</summary>
    public static List<string> SplitKeepEnds(string text)
    {
        var lines = new List<string>();
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\n' || c == '\r')
            {
                if (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n')
                {
                    i++;
                }

                lines.Add(text[start..(i + 1)]);
                start = i + 1;
            }
        }

        if (start < text.Length)
        {
            lines.Add(text[start..]);
        }

        return lines;
    }

    /// <summary>Lines without their endings (a trailing newline does not make an extra empty line).</summary>
    public static List<string> Split(string text) => SplitKeepEnds(text).Select(TrimEnding).ToList();

    public static string TrimEnding(string line) => line.TrimEnd('\r', '\n');

    /// <summary>The text with a final newline (an empty text stays empty).</summary>
    public static string EnsureFinalNewline(string text) => text.Length == 0 || text.EndsWith('\n') ? text : text + "\n";

    public static int CountOccurrences(string text, string part)
    {
        if (part.Length == 0)
        {
            return 0;
        }

        var count = 0;
        var index = 0;
        while ((index = text.IndexOf(part, index, StringComparison.Ordinal)) >= 0)
        {
            count++;
            index += part.Length;
        }

        return count;
    }

    /// <summary>Leading whitespace length, as Python's <c>len(s) - len(s.lstrip())</c> counts it.</summary>
    public static int LeadingWhitespace(string line)
    {
        var i = 0;
        while (i < line.Length && char.IsWhiteSpace(line[i]))
        {
            i++;
        }

        return i;
    }

    public static bool IsBlank(string line) => string.IsNullOrWhiteSpace(line);
}
