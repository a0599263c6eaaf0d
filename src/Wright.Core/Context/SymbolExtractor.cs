using System.Text.RegularExpressions;

namespace Wright.Core.Context;

/// <summary>A top-level symbol a file defines: its name and the line that defines it.</summary>
public sealed record SymbolDefinition(string Name, int Line, string Text);

/// <summary>What one file defines and which identifiers it uses (with how often).</summary>
public sealed record FileSymbols(string Path, IReadOnlyList<SymbolDefinition> Definitions, IReadOnlyDictionary<string, int> References);

/// <summary>
/// A light, regex-based extractor of definitions for C#, TypeScript/JavaScript, Python, Go,
/// Rust and Java, and of identifier references for any text. It does not parse: it finds the
/// lines that declare types, functions, methods and top-level constants, which is what a
/// repository map shows, at a fraction of a parser's cost and with no tokenizer packages.
/// </summary>
public static partial class SymbolExtractor
{
    private const int MaxLineLength = 400;

    private static readonly HashSet<string> Keywords = new(StringComparer.Ordinal)
    {
        "abstract", "async", "await", "base", "bool", "break", "case", "catch", "class", "const", "continue", "def", "default", "delete",
        "do", "double", "elif", "else", "enum", "export", "extends", "false", "final", "finally", "float", "for", "foreach", "from", "func",
        "function", "get", "if", "impl", "implements", "import", "in", "int", "interface", "internal", "is", "lambda", "let", "long", "match",
        "mod", "namespace", "new", "nil", "none", "None", "not", "null", "object", "or", "and", "override", "package", "pass", "private",
        "protected", "pub", "public", "raise", "readonly", "record", "return", "sealed", "self", "set", "static", "string", "struct", "super",
        "switch", "this", "throw", "trait", "true", "True", "False", "try", "type", "typeof", "use", "using", "var", "virtual", "void",
        "while", "with", "yield", "fn", "mut", "const", "println", "print", "console", "log", "value", "var",
    };

    public static string? LanguageOf(string path) => Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".cs" => "csharp",
        ".ts" or ".tsx" or ".js" or ".jsx" or ".mjs" or ".cjs" => "typescript",
        ".py" => "python",
        ".go" => "go",
        ".rs" => "rust",
        ".java" => "java",
        _ => null,
    };

    public static FileSymbols Extract(string path, string text)
    {
        var definitions = new List<SymbolDefinition>();
        var language = LanguageOf(path);
        if (language is not null)
        {
            var lineNumber = 0;
            foreach (var line in text.AsSpan().EnumerateLines())
            {
                lineNumber++;
                if (line.Length == 0 || line.Length > MaxLineLength)
                {
                    continue;
                }

                var lineText = line.ToString();
                if (DefinitionOf(language, lineText) is { } name && !Keywords.Contains(name))
                {
                    definitions.Add(new SymbolDefinition(name, lineNumber, lineText.TrimEnd()));
                }
            }
        }

        var references = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var match in Identifier().EnumerateMatches(text))
        {
            var identifier = text.Substring(match.Index, match.Length);
            if (!Keywords.Contains(identifier))
            {
                references[identifier] = references.GetValueOrDefault(identifier) + 1;
            }
        }

        return new FileSymbols(path, definitions, references);
    }

    private static string? DefinitionOf(string language, string line)
    {
        var match = language switch
        {
            "csharp" => CSharpType().Match(line) is { Success: true } t ? t : CSharpMember().Match(line),
            "java" => JavaType().Match(line) is { Success: true } t ? t : JavaMethod().Match(line),
            "typescript" => TypeScript().Match(line),
            "python" => Python().Match(line),
            "go" => Go().Match(line),
            "rust" => Rust().Match(line),
            _ => Match.Empty,
        };
        return match.Success ? match.Groups["name"].Value : null;
    }

    [GeneratedRegex(@"^\s*(?:(?:public|internal|private|protected|static|sealed|abstract|partial|readonly|file|unsafe|new)\s+)*(?:class|interface|struct|record(?:\s+struct|\s+class)?|enum|delegate\s+\S+)\s+(?<name>[A-Za-z_]\w*)", RegexOptions.CultureInvariant)]
    private static partial Regex CSharpType();

    [GeneratedRegex(@"^\s{0,8}(?:(?:public|internal|private|protected|static|virtual|override|abstract|async|sealed|extern|new|required|readonly|partial)\s+)+[\w<>\[\],.?() ]+?\s+(?<name>[A-Za-z_]\w*)\s*(?:<[^>]*>)?\s*(?:\(|\{|=>)", RegexOptions.CultureInvariant)]
    private static partial Regex CSharpMember();

    [GeneratedRegex(@"^\s*(?:(?:public|private|protected|static|final|abstract|sealed)\s+)*(?:class|interface|enum|record)\s+(?<name>[A-Za-z_]\w*)", RegexOptions.CultureInvariant)]
    private static partial Regex JavaType();

    [GeneratedRegex(@"^\s{0,8}(?:(?:public|private|protected|static|final|abstract|synchronized|default)\s+)+[\w<>\[\],.? ]+?\s+(?<name>[A-Za-z_]\w*)\s*\(", RegexOptions.CultureInvariant)]
    private static partial Regex JavaMethod();

    [GeneratedRegex(@"^(?:export\s+)?(?:default\s+)?(?:declare\s+)?(?:abstract\s+)?(?:async\s+)?(?:function\*?\s+(?<name>[A-Za-z_$][\w$]*)|class\s+(?<name>[A-Za-z_$][\w$]*)|interface\s+(?<name>[A-Za-z_$][\w$]*)|type\s+(?<name>[A-Za-z_$][\w$]*)\s*(?:<[^=]*>)?\s*=|enum\s+(?<name>[A-Za-z_$][\w$]*)|(?:const|let|var)\s+(?<name>[A-Za-z_$][\w$]*)\s*(?::[^=]+)?=)|^\s{2,4}(?:(?:public|private|protected|static|async|readonly|get|set)\s+)*(?<name>[A-Za-z_$][\w$]*)\s*\([^)]*\)\s*(?::\s*[^{]+)?\{", RegexOptions.CultureInvariant)]
    private static partial Regex TypeScript();

    [GeneratedRegex(@"^(?:\s{0,4})(?:async\s+)?(?:def|class)\s+(?<name>[A-Za-z_]\w*)|^(?<name>[A-Z][A-Z0-9_]+)\s*(?::[^=]+)?=", RegexOptions.CultureInvariant)]
    private static partial Regex Python();

    [GeneratedRegex(@"^func\s+(?:\([^)]*\)\s*)?(?<name>[A-Za-z_]\w*)|^type\s+(?<name>[A-Za-z_]\w*)|^(?:var|const)\s+(?<name>[A-Za-z_]\w*)", RegexOptions.CultureInvariant)]
    private static partial Regex Go();

    [GeneratedRegex(@"^\s{0,4}(?:pub(?:\([\w:]+\))?\s+)?(?:async\s+)?(?:unsafe\s+)?(?:fn|struct|enum|trait|type|mod|const|static|union)\s+(?<name>[A-Za-z_]\w*)|^impl(?:<[^>]*>)?\s+(?:[\w:<>]+\s+for\s+)?(?<name>[A-Za-z_]\w*)", RegexOptions.CultureInvariant)]
    private static partial Regex Rust();

    [GeneratedRegex(@"\b[A-Za-z_][A-Za-z0-9_]{2,}\b", RegexOptions.CultureInvariant)]
    private static partial Regex Identifier();
}
