using System.Text;

namespace Wright.Core.Context;

/// <summary>A definition with its relevance to the current prompt.</summary>
public sealed record RankedDefinition(string Path, SymbolDefinition Definition, double Rank);

/// <summary>Files and definitions ranked for one prompt, best first.</summary>
public sealed record RepoMapRanking(IReadOnlyList<RankedDefinition> Definitions, IReadOnlyDictionary<string, double> FileRanks);

/// <summary>
/// The repository map: which files define which symbols, ranked by how relevant they are to the
/// prompt, as Aider ranks its map. Files are nodes; a file that uses an identifier another file
/// defines gets an edge to it, weighted by how often it uses it (square-rooted), ten times for
/// identifiers the prompt mentions and for long specific names, a tenth for private or very common
/// ones, fifty times when the user has the using file open. PageRank personalized to the files the
/// user mentioned or has open (and files named like, or defining, a word of the prompt) then says which
/// definitions matter, and the map shows as many of them as the token budget allows.
/// </summary>
public static class RepoMap
{
    private const double Damping = 0.85;
    private const int MaxIterations = 50;
    private const double Tolerance = 1e-8;

    /// <summary>Identifiers defined in more files than this make no edges.</summary>
    private const int MaxDefiners = 20;

    public static RepoMapRanking Rank(
        IReadOnlyList<FileSymbols> files,
        IReadOnlySet<string> chatFiles,
        IReadOnlySet<string> mentionedFiles,
        IReadOnlySet<string> mentionedIdentifiers)
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < files.Count; i++)
        {
            index[files[i].Path] = i;
        }

        var definers = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        for (var i = 0; i < files.Count; i++)
        {
            foreach (var name in files[i].Definitions.Select(d => d.Name).Distinct(StringComparer.Ordinal))
            {
                if (!definers.TryGetValue(name, out var list))
                {
                    definers[name] = list = [];
                }

                list.Add(i);
            }
        }

        // Edges: referencer → definer, one per identifier, with Aider's weighting.
        var edges = new List<(int From, int To, string Identifier, double Weight)>();
        for (var i = 0; i < files.Count; i++)
        {
            var referencer = files[i];
            var inChat = chatFiles.Contains(referencer.Path);
            foreach (var (identifier, count) in referencer.References)
            {
                // A name defined in many files (Run, Step0, ToString) says nothing about which one is
                // meant, and linking every user to every definer costs users × definers edges: Aider
                // weights such names down tenfold; past MaxDefiners they are left out altogether.
                if (!definers.TryGetValue(identifier, out var definedIn) || definedIn.Count > MaxDefiners)
                {
                    continue;
                }

                var multiplier = 1.0;
                if (mentionedIdentifiers.Contains(identifier))
                {
                    multiplier *= 10;
                }

                if (identifier.Length >= 8 && IsSpecific(identifier))
                {
                    multiplier *= 10;
                }

                if (identifier.StartsWith('_'))
                {
                    multiplier *= 0.1;
                }

                if (definedIn.Count > 5)
                {
                    multiplier *= 0.1;
                }

                if (inChat)
                {
                    multiplier *= 50;
                }

                foreach (var definer in definedIn)
                {
                    if (definer == i)
                    {
                        continue;
                    }

                    edges.Add((i, definer, identifier, multiplier * Math.Sqrt(count)));
                }
            }
        }

        var personalization = new double[files.Count];
        var personal = files
            .Select((f, i) => (f, i))
            .Where(x => chatFiles.Contains(x.f.Path) || mentionedFiles.Contains(x.f.Path) || NamedLikeAnIdentifier(x.f.Path, mentionedIdentifiers)
                || x.f.Definitions.Any(d => mentionedIdentifiers.Contains(d.Name)))
            .Select(x => x.i)
            .ToList();
        if (personal.Count > 0)
        {
            foreach (var i in personal)
            {
                personalization[i] = 1.0 / personal.Count;
            }
        }
        else
        {
            Array.Fill(personalization, files.Count == 0 ? 0 : 1.0 / files.Count);
        }

        var ranks = PageRank(files.Count, edges, personalization);

        var outWeight = new double[files.Count];
        foreach (var edge in edges)
        {
            outWeight[edge.From] += edge.Weight;
        }

        var definitionRanks = new Dictionary<(int File, string Identifier), double>();
        foreach (var edge in edges)
        {
            var key = (edge.To, edge.Identifier);
            definitionRanks[key] = definitionRanks.GetValueOrDefault(key) + (ranks[edge.From] * edge.Weight / outWeight[edge.From]);
        }

        // Definitions nobody references still belong on the map, after the referenced ones, by their file's rank.
        var ranked = new List<RankedDefinition>();
        for (var i = 0; i < files.Count; i++)
        {
            foreach (var definition in files[i].Definitions)
            {
                var rank = definitionRanks.TryGetValue((i, definition.Name), out var r) ? r : ranks[i] * 1e-3;
                if (mentionedIdentifiers.Contains(definition.Name))
                {
                    // The prompt names it: show it even when nothing else in the repository uses it yet.
                    rank = (rank * 10) + ranks[i];
                }

                ranked.Add(new RankedDefinition(files[i].Path, definition, rank));
            }
        }

        ranked.Sort((a, b) =>
        {
            var byRank = b.Rank.CompareTo(a.Rank);
            if (byRank != 0)
            {
                return byRank;
            }

            var byPath = string.CompareOrdinal(a.Path, b.Path);
            return byPath != 0 ? byPath : a.Definition.Line.CompareTo(b.Definition.Line);
        });
        var fileRanks = files.Select((f, i) => (f.Path, Rank: ranks[i])).ToDictionary(x => x.Path, x => x.Rank, StringComparer.Ordinal);
        return new RepoMapRanking(ranked, fileRanks);
    }

    /// <summary>
    /// The map as text: the most relevant definitions, grouped by file (files in order of their best
    /// definition), as many as fit <paramref name="tokenBudget"/>. Files in <paramref name="omit"/>
    /// (sent whole anyway) are left out. Empty when not even one file fits.
    /// </summary>
    public static string Render(RepoMapRanking ranking, int tokenBudget, TokenEstimator estimator, string? model, IReadOnlySet<string> omit)
    {
        var candidates = ranking.Definitions.Where(d => !omit.Contains(d.Path)).ToList();
        if (tokenBudget <= 0 || candidates.Count == 0)
        {
            return "";
        }

        // The largest prefix of the ranking whose rendering fits. A definition adds its line, and
        // the first one of a file adds the file's heading too, so the rendered length of every
        // prefix is known in one pass without rendering it.
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var characters = 0;
        var count = 0;
        foreach (var definition in candidates)
        {
            var added = LineLength(definition.Definition) + (seen.Add(definition.Path) ? definition.Path.Length + 2 : 0);
            if (estimator.Estimate(characters + added, model) > tokenBudget)
            {
                break;
            }

            characters += added;
            count++;
        }

        return RenderTop(candidates, count);
    }

    /// <summary>The rendered line of a definition: the bar, the (cut) source line, the newline.</summary>
    private static int LineLength(SymbolDefinition definition) => Math.Min(definition.Text.Length, 160) + 2;

    private static string RenderTop(List<RankedDefinition> candidates, int count)
    {
        if (count == 0)
        {
            return "";
        }

        var byFile = new Dictionary<string, List<SymbolDefinition>>(StringComparer.Ordinal);
        var order = new List<string>();
        foreach (var definition in candidates.Take(count))
        {
            if (!byFile.TryGetValue(definition.Path, out var list))
            {
                byFile[definition.Path] = list = [];
                order.Add(definition.Path);
            }

            list.Add(definition.Definition);
        }

        var text = new StringBuilder();
        foreach (var path in order)
        {
            text.Append(path).Append(":\n");
            foreach (var definition in byFile[path].OrderBy(d => d.Line))
            {
                var line = definition.Text.Length > 160 ? definition.Text[..157] + "..." : definition.Text;
                text.Append('│').Append(line).Append('\n');
            }
        }

        return text.ToString();
    }

    private static double[] PageRank(int count, List<(int From, int To, string Identifier, double Weight)> edges, double[] personalization)
    {
        var ranks = (double[])personalization.Clone();
        if (count == 0)
        {
            return ranks;
        }

        var outWeight = new double[count];
        var merged = new Dictionary<(int, int), double>();
        foreach (var (from, to, _, weight) in edges)
        {
            outWeight[from] += weight;
            merged[(from, to)] = merged.GetValueOrDefault((from, to)) + weight;
        }

        var links = merged.Select(kv => (From: kv.Key.Item1, To: kv.Key.Item2, Share: kv.Value / outWeight[kv.Key.Item1])).ToArray();
        var next = new double[count];
        for (var iteration = 0; iteration < MaxIterations; iteration++)
        {
            // Rank held by files that link nowhere flows back along the personalization, as in networkx.
            var dangling = 0.0;
            for (var i = 0; i < count; i++)
            {
                if (outWeight[i] == 0)
                {
                    dangling += ranks[i];
                }
            }

            for (var i = 0; i < count; i++)
            {
                next[i] = ((1 - Damping) + (Damping * dangling)) * personalization[i];
            }

            foreach (var (from, to, share) in links)
            {
                next[to] += Damping * ranks[from] * share;
            }

            var change = 0.0;
            for (var i = 0; i < count; i++)
            {
                change += Math.Abs(next[i] - ranks[i]);
            }

            (ranks, next) = (next, ranks);
            if (change < Tolerance * count)
            {
                break;
            }
        }

        return ranks;
    }

    /// <summary>snake_case, kebab-case or camelCase names are specific enough to say something.</summary>
    private static bool IsSpecific(string identifier) =>
        identifier.Contains('_', StringComparison.Ordinal) || identifier.Contains('-', StringComparison.Ordinal)
        || (identifier.Any(char.IsUpper) && identifier.Any(char.IsLower));

    private static bool NamedLikeAnIdentifier(string path, IReadOnlySet<string> identifiers)
    {
        if (identifiers.Count == 0)
        {
            return false;
        }

        var name = Path.GetFileNameWithoutExtension(path);
        return name.Length >= 5 && identifiers.Contains(name);
    }
}
