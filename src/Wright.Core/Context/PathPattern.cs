using System.Text;
using System.Text.RegularExpressions;

namespace Wright.Core.Context;

/// <summary>
/// A .gitignore-style pattern as users write them in <c>.wright/config</c> excludes: <c>*</c> and
/// <c>?</c> within a name, <c>**</c> across folders, a trailing <c>/</c> for a folder and all below
/// it, a leading <c>/</c> (or any inner <c>/</c>) anchoring at the project root; a pattern without a
/// slash matches a name at any depth.
/// </summary>
public sealed class PathPattern
{
    private readonly Regex _regex;

    public PathPattern(string pattern)
    {
        Pattern = pattern;
        var text = pattern.Trim();
        var directory = text.EndsWith('/');
        text = text.Trim('/');
        var anchored = pattern.TrimStart().StartsWith('/') || text.Contains('/', StringComparison.Ordinal);
        var regex = new StringBuilder(anchored ? "^" : "^(?:.*/)?");
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '*' && i + 1 < text.Length && text[i + 1] == '*')
            {
                i++;
                if (i + 1 < text.Length && text[i + 1] == '/')
                {
                    i++;
                    regex.Append("(?:.*/)?");
                }
                else
                {
                    regex.Append(".*");
                }
            }
            else if (c == '*')
            {
                regex.Append("[^/]*");
            }
            else if (c == '?')
            {
                regex.Append("[^/]");
            }
            else
            {
                regex.Append(Regex.Escape(c.ToString()));
            }
        }

        // A folder pattern (or any pattern naming a folder) covers everything below it.
        regex.Append(directory ? "/.*$" : "(?:/.*)?$");
        // Interpreted, not compiled: a compiled regex is JIT-compiled inside its first match, which
        // on a loaded machine alone can outlast the timeout (a handful of exclude patterns per
        // prompt never repays compiling them). The timeout only guards against runaway backtracking.
        _regex = new Regex(regex.ToString(), RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
    }

    public string Pattern { get; }

    public bool IsMatch(string relativePath) => _regex.IsMatch(relativePath);
}
