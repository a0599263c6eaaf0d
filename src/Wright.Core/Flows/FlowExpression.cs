using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Wright.Core.Flows;

/// <summary>
/// A condition node's expression: comparisons (<c>== != &lt; &lt;= &gt; &gt;=</c>), <c>&amp;&amp;</c>,
/// <c>||</c>, <c>!</c>, parentheses, <c>contains(a, b)</c>, string and number literals,
/// <c>true/false/null</c>, and variables with dotted paths (<c>tests.exitCode</c>, <c>last</c>).
/// It is parsed into a tree and evaluated over the run's variables: nothing else is reachable, so a
/// template cannot run code through it.
/// </summary>
public sealed class FlowExpression
{
    private const int MaxLength = 2000;
    private const int MaxDepth = 64;

    private readonly Expr _root;

    private FlowExpression(string text, Expr root)
    {
        Source = text;
        _root = root;
    }

    public string Source { get; }

    /// <summary>The variables the expression reads (the first segment of each path).</summary>
    public IReadOnlyList<string> Variables
    {
        get
        {
            var names = new List<string>();
            Collect(_root, names);
            return names.Distinct(StringComparer.Ordinal).ToList();
        }
    }

    /// <summary>Parses <paramref name="text"/>; throws <see cref="FormatException"/> with what is wrong.</summary>
    public static FlowExpression Parse(string text)
    {
        if (text.Length > MaxLength)
        {
            throw new FormatException($"The expression is longer than {MaxLength} characters.");
        }

        var parser = new Parser(Tokenize(text));
        var root = parser.ParseOr(0);
        parser.ExpectEnd();
        return new FlowExpression(text, root);
    }

    /// <summary>The expression's truth over <paramref name="variables"/> (null, false, 0 and "" are false; a missing variable is null).</summary>
    public bool Evaluate(IReadOnlyDictionary<string, JsonNode?> variables) => Truthy(Eval(_root, variables));

    internal static bool Truthy(object? value) => value switch
    {
        null => false,
        bool b => b,
        double d => d != 0 && !double.IsNaN(d),
        string s => s.Length > 0,
        _ => true,
    };

    private static void Collect(Expr expr, List<string> names)
    {
        switch (expr)
        {
            case Var v:
                names.Add(v.Path[0]);
                break;
            case Unary u:
                Collect(u.Operand, names);
                break;
            case Binary b:
                Collect(b.Left, names);
                Collect(b.Right, names);
                break;
            case Call c:
                foreach (var a in c.Arguments)
                {
                    Collect(a, names);
                }

                break;
        }
    }

    private static object? Eval(Expr expr, IReadOnlyDictionary<string, JsonNode?> variables) => expr switch
    {
        Literal l => l.Value,
        Var v => Lookup(v.Path, variables),
        Unary u => !Truthy(Eval(u.Operand, variables)),
        Binary { Op: "&&" } b => Truthy(Eval(b.Left, variables)) && Truthy(Eval(b.Right, variables)),
        Binary { Op: "||" } b => Truthy(Eval(b.Left, variables)) || Truthy(Eval(b.Right, variables)),
        Binary b => Compare(b.Op, Eval(b.Left, variables), Eval(b.Right, variables)),
        Call c => Contains(Eval(c.Arguments[0], variables), Eval(c.Arguments[1], variables)),
        _ => throw new InvalidOperationException("Unknown expression node."),
    };

    private static object? Lookup(IReadOnlyList<string> path, IReadOnlyDictionary<string, JsonNode?> variables)
    {
        if (!variables.TryGetValue(path[0], out var node))
        {
            return null;
        }

        for (var i = 1; i < path.Count && node is not null; i++)
        {
            node = node switch
            {
                JsonObject o => o.TryGetPropertyValue(path[i], out var child) ? child : null,
                JsonArray a when int.TryParse(path[i], NumberStyles.None, CultureInfo.InvariantCulture, out var index) && index < a.Count => a[index],
                JsonArray a when path[i] == "length" => JsonValue.Create(a.Count),
                JsonValue s when path[i] == "length" && s.TryGetValue<string>(out var str) => JsonValue.Create(str.Length),
                _ => null,
            };
        }

        return FromNode(node);
    }

    internal static object? FromNode(JsonNode? node)
    {
        if (node is not JsonValue value)
        {
            return node;
        }

        return value.GetValueKind() switch
        {
            JsonValueKind.String => value.GetValue<string>(),
            JsonValueKind.Number => double.Parse(value.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture),
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => null,
        };
    }

    private static bool Compare(string op, object? left, object? right)
    {
        if (op is "==" or "!=")
        {
            var equal = Equal(left, right);
            return op == "==" ? equal : !equal;
        }

        int order;
        if (ToNumber(left) is { } l && ToNumber(right) is { } r)
        {
            order = l.CompareTo(r);
        }
        else if (left is not null && right is not null)
        {
            order = string.CompareOrdinal(Text(left), Text(right));
        }
        else
        {
            return false;
        }

        return op switch
        {
            "<" => order < 0,
            "<=" => order <= 0,
            ">" => order > 0,
            _ => order >= 0,
        };
    }

    private static bool Equal(object? left, object? right)
    {
        if (left is null || right is null)
        {
            return left is null && right is null;
        }

        if (left is double or bool || right is double or bool)
        {
            if (ToNumber(left) is { } l && ToNumber(right) is { } r)
            {
                return l == r;
            }
        }

        return Text(left) == Text(right);
    }

    private static double? ToNumber(object? value) => value switch
    {
        double d => d,
        bool b => b ? 1 : 0,
        string s when double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => d,
        _ => null,
    };

    internal static string Text(object? value) => value switch
    {
        null => "",
        string s => s,
        bool b => b ? "true" : "false",
        double d => d.ToString(CultureInfo.InvariantCulture),
        JsonNode n => n.ToJsonString(),
        _ => value.ToString() ?? "",
    };

    private static bool Contains(object? haystack, object? needle) => haystack switch
    {
        null => false,
        JsonArray array => array.Any(item => Equal(FromNode(item), needle)),
        JsonObject obj => obj.ContainsKey(Text(needle)),
        _ => Text(haystack).Contains(Text(needle), StringComparison.Ordinal),
    };

    private static List<Token> Tokenize(string text)
    {
        var tokens = new List<Token>();
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
                continue;
            }

            if (char.IsDigit(c) || (c == '-' && i + 1 < text.Length && char.IsDigit(text[i + 1]) && (tokens.Count == 0 || tokens[^1].Kind is TokenKind.Operator or TokenKind.Open or TokenKind.Comma)))
            {
                var start = i++;
                while (i < text.Length && (char.IsDigit(text[i]) || text[i] == '.'))
                {
                    i++;
                }

                var number = text[start..i];
                if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out _))
                {
                    throw new FormatException($"'{number}' is not a number.");
                }

                tokens.Add(new Token(TokenKind.Number, number));
                continue;
            }

            if (char.IsLetter(c) || c == '_')
            {
                var start = i++;
                while (i < text.Length && (char.IsLetterOrDigit(text[i]) || text[i] is '_' or '.'))
                {
                    i++;
                }

                tokens.Add(new Token(TokenKind.Name, text[start..i].TrimEnd('.')));
                continue;
            }

            if (c is '"' or '\'')
            {
                var quote = c;
                var value = new StringBuilder();
                i++;
                while (true)
                {
                    if (i >= text.Length)
                    {
                        throw new FormatException("A string is not closed.");
                    }

                    if (text[i] == '\\' && i + 1 < text.Length)
                    {
                        value.Append(text[i + 1]);
                        i += 2;
                        continue;
                    }

                    if (text[i] == quote)
                    {
                        i++;
                        break;
                    }

                    value.Append(text[i++]);
                }

                tokens.Add(new Token(TokenKind.String, value.ToString()));
                continue;
            }

            var two = i + 1 < text.Length ? text.Substring(i, 2) : "";
            if (two is "==" or "!=" or "<=" or ">=" or "&&" or "||")
            {
                tokens.Add(new Token(TokenKind.Operator, two));
                i += 2;
                continue;
            }

            switch (c)
            {
                case '<' or '>' or '!':
                    tokens.Add(new Token(TokenKind.Operator, c.ToString()));
                    break;
                case '(':
                    tokens.Add(new Token(TokenKind.Open, "("));
                    break;
                case ')':
                    tokens.Add(new Token(TokenKind.Close, ")"));
                    break;
                case ',':
                    tokens.Add(new Token(TokenKind.Comma, ","));
                    break;
                default:
                    throw new FormatException($"Unexpected '{c}' at position {i + 1}.");
            }

            i++;
        }

        return tokens;
    }

    private enum TokenKind
    {
        Name,
        Number,
        String,
        Operator,
        Open,
        Close,
        Comma,
    }

    private sealed record Token(TokenKind Kind, string Text);

    private abstract record Expr;

    private sealed record Literal(object? Value) : Expr;

    private sealed record Var(IReadOnlyList<string> Path) : Expr;

    private sealed record Unary(Expr Operand) : Expr;

    private sealed record Binary(string Op, Expr Left, Expr Right) : Expr;

    private sealed record Call(string Name, IReadOnlyList<Expr> Arguments) : Expr;

    private sealed class Parser(List<Token> tokens)
    {
        private int _at;

        public void ExpectEnd()
        {
            if (_at < tokens.Count)
            {
                throw new FormatException($"Unexpected '{tokens[_at].Text}'.");
            }
        }

        public Expr ParseOr(int depth)
        {
            Guard(depth);
            var left = ParseAnd(depth + 1);
            while (Accept("||"))
            {
                left = new Binary("||", left, ParseAnd(depth + 1));
            }

            return left;
        }

        private Expr ParseAnd(int depth)
        {
            var left = ParseComparison(depth + 1);
            while (Accept("&&"))
            {
                left = new Binary("&&", left, ParseComparison(depth + 1));
            }

            return left;
        }

        private Expr ParseComparison(int depth)
        {
            var left = ParseUnary(depth + 1);
            if (_at < tokens.Count && tokens[_at] is { Kind: TokenKind.Operator, Text: "==" or "!=" or "<" or "<=" or ">" or ">=" } op)
            {
                _at++;
                return new Binary(op.Text, left, ParseUnary(depth + 1));
            }

            return left;
        }

        private Expr ParseUnary(int depth)
        {
            Guard(depth);
            if (Accept("!"))
            {
                return new Unary(ParseUnary(depth + 1));
            }

            return ParsePrimary(depth + 1);
        }

        private Expr ParsePrimary(int depth)
        {
            if (_at >= tokens.Count)
            {
                throw new FormatException("The expression ends too early.");
            }

            var token = tokens[_at++];
            switch (token.Kind)
            {
                case TokenKind.Number:
                    return new Literal(double.Parse(token.Text, NumberStyles.Float, CultureInfo.InvariantCulture));
                case TokenKind.String:
                    return new Literal(token.Text);
                case TokenKind.Open:
                    var inner = ParseOr(depth + 1);
                    Expect(TokenKind.Close, ")");
                    return inner;
                case TokenKind.Name when token.Text is "true" or "false":
                    return new Literal(token.Text == "true");
                case TokenKind.Name when token.Text == "null":
                    return new Literal(null);
                case TokenKind.Name when _at < tokens.Count && tokens[_at].Kind == TokenKind.Open:
                    if (token.Text != "contains")
                    {
                        throw new FormatException($"Unknown function '{token.Text}' (only contains(a, b) exists).");
                    }

                    _at++;
                    var first = ParseOr(depth + 1);
                    Expect(TokenKind.Comma, ",");
                    var second = ParseOr(depth + 1);
                    Expect(TokenKind.Close, ")");
                    return new Call(token.Text, [first, second]);
                case TokenKind.Name:
                    return new Var(token.Text.Split('.'));
                default:
                    throw new FormatException($"Unexpected '{token.Text}'.");
            }
        }

        private bool Accept(string op)
        {
            if (_at < tokens.Count && tokens[_at].Kind == TokenKind.Operator && tokens[_at].Text == op)
            {
                _at++;
                return true;
            }

            return false;
        }

        private void Expect(TokenKind kind, string text)
        {
            if (_at >= tokens.Count || tokens[_at].Kind != kind)
            {
                throw new FormatException($"Expected '{text}'.");
            }

            _at++;
        }

        private static void Guard(int depth)
        {
            if (depth > MaxDepth)
            {
                throw new FormatException("The expression is nested too deeply.");
            }
        }
    }
}
