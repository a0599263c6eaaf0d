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

    public static RepoMapRanking Rank(
        IReadOnlyList<FileSymbols> files,
        IReadOnlySet<string> chatFiles,
        IReadOnlySet<string> mentionedFiles,
        IReadOnlySet<string> mentionedIdentifiers)
    {
        // The graph's shape is the workspace's, built once per set of symbols; only the weights
        // the prompt changes (identifiers it names, files in the chat) are computed here.
        var index = SymbolIndex.For(files);
        var count = files.Count;
        var mentioned = new bool[index.Identifiers.Count];
        foreach (var identifier in mentionedIdentifiers)
        {
            if (index.IdentifierIds.TryGetValue(identifier, out var id))
            {
                mentioned[id] = true;
            }
        }

        var inChat = new bool[count];
        foreach (var path in chatFiles)
        {
            if (index.FileIndex.TryGetValue(path, out var i))
            {
                inChat[i] = true;
            }
        }

        // Edges: referencer → definer, one per identifier, with Aider's weighting: a name defined
        // in many files (Run, Step0, ToString) says little about which one is meant, so it is
        // weighted down tenfold, and past MaxDefiners it makes no edge at all.
        var edgeCount = index.EdgeFrom.Length;
        var weights = new double[edgeCount];
        var outWeight = new double[count];
        var linkWeight = new double[index.LinkFrom.Length];
        for (var e = 0; e < edgeCount; e++)
        {
            var (specific, isPrivate, common) = index.IdentifierTraits[index.EdgeIdentifier[e]];
            var multiplier = 1.0;
            if (mentioned[index.EdgeIdentifier[e]])
            {
                multiplier *= 10;
            }

            if (specific)
            {
                multiplier *= 10;
            }

            if (isPrivate)
            {
                multiplier *= 0.1;
            }

            if (common)
            {
                multiplier *= 0.1;
            }

            if (inChat[index.EdgeFrom[e]])
            {
                multiplier *= 50;
            }

            var weight = multiplier * index.EdgeUses[e];
            weights[e] = weight;
            outWeight[index.EdgeFrom[e]] += weight;
            linkWeight[index.EdgeLink[e]] += weight;
        }

        var personalization = new double[count];
        var personal = new HashSet<int>();
        foreach (var path in chatFiles.Concat(mentionedFiles))
        {
            if (index.FileIndex.TryGetValue(path, out var i))
            {
                personal.Add(i);
            }
        }

        foreach (var identifier in mentionedIdentifiers)
        {
            if (index.FileNames.TryGetValue(identifier, out var named))
            {
                personal.UnionWith(named);
            }

            if (index.Definers.TryGetValue(identifier, out var definers))
            {
                personal.UnionWith(definers);
            }
        }

        if (personal.Count > 0)
        {
            foreach (var i in personal)
            {
                personalization[i] = 1.0 / personal.Count;
            }
        }
        else
        {
            Array.Fill(personalization, count == 0 ? 0 : 1.0 / count);
        }

        var ranks = PageRank(count, index, outWeight, linkWeight, personalization);

        var definitionRanks = new double[index.DefinitionKeys];
        for (var e = 0; e < edgeCount; e++)
        {
            var from = index.EdgeFrom[e];
            definitionRanks[index.EdgeDefinition[e]] += ranks[from] * weights[e] / outWeight[from];
        }

        // Definitions nobody references still belong on the map, after the referenced ones, by their file's rank.
        var ranked = new List<RankedDefinition>();
        for (var i = 0; i < count; i++)
        {
            var keys = index.DefinitionKeyOf[i];
            var fileDefinitions = files[i].Definitions;
            for (var d = 0; d < fileDefinitions.Count; d++)
            {
                var definition = fileDefinitions[d];
                var rank = keys[d] >= 0 ? definitionRanks[keys[d]] : ranks[i] * 1e-3;
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
        var fileRanks = new Dictionary<string, double>(count, StringComparer.Ordinal);
        for (var i = 0; i < count; i++)
        {
            fileRanks[files[i].Path] = ranks[i];
        }

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

    private static double[] PageRank(int count, SymbolIndex index, double[] outWeight, double[] linkWeight, double[] personalization)
    {
        var ranks = (double[])personalization.Clone();
        if (count == 0)
        {
            return ranks;
        }

        var linkFrom = index.LinkFrom;
        var linkTo = index.LinkTo;
        var shares = new double[linkFrom.Length];
        for (var l = 0; l < shares.Length; l++)
        {
            shares[l] = linkWeight[l] / outWeight[linkFrom[l]];
        }

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

            for (var l = 0; l < shares.Length; l++)
            {
                next[linkTo[l]] += Damping * ranks[linkFrom[l]] * shares[l];
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
    internal static bool IsSpecific(string identifier) =>
        identifier.Contains('_', StringComparison.Ordinal) || identifier.Contains('-', StringComparison.Ordinal)
        || (identifier.Any(char.IsUpper) && identifier.Any(char.IsLower));
}
