using System.Collections.Concurrent;
using System.Text.RegularExpressions;

namespace Wright.Core.Context;

/// <summary>A file with how relevant it is to a prompt, and how much of that the prompt's words alone found.</summary>
public sealed record RankedFile(string Path, double Score, double WordScore);

/// <summary>
/// Which files a session's first prompt is most likely about, best first. The prompt's own words
/// (identifiers and file or folder names, split at camelCase, snake_case and digits) matched
/// against each file's path, the symbols it defines and the identifiers it uses, weighted by how
/// rare each word is in the repository (BM25's idf and saturation), come first; then the
/// reference graph (the repository map's PageRank, personalized to the files the words found);
/// the history before HEAD: recent activity (files the last commits changed), past commits whose
/// messages share the prompt's words (the files they changed), and co-change (files often
/// changed together with the best word matches). Tests and prose count a fifth: a first prompt
/// is about the source that changes, and the tests and docs can be read; but a test beside the
/// file it is named after (<c>graph.test.ts</c> by <c>graph.ts</c>, <c>x_test.go</c> by
/// <c>x.go</c>) ranks just behind that file, since it changes with it. It reads no file:
/// paths, symbols and history are in the snapshot already.
/// </summary>
public static partial class FileRanker
{
    /// <summary>Word parts too common in prompts and code to tell files apart.</summary>
    private static readonly HashSet<string> StopWords = new(StringComparer.Ordinal)
    {
        "the", "and", "for", "with", "that", "this", "from", "into", "when", "then", "than", "make", "makes", "add", "adds", "use", "uses",
        "get", "set", "new", "not", "are", "was", "its", "all", "one", "can", "should", "must", "also", "only", "each", "every", "but",
        "does", "doesn", "don", "now", "out", "our", "you", "your", "they", "them", "their", "there", "what", "which", "who", "how", "why",
        "instead", "before", "after", "over", "under", "about", "more", "less", "some", "any", "other", "same", "own", "just", "still",
        "has", "have", "had", "been", "being", "were", "will", "would", "could", "via", "per", "let", "lets", "see", "say", "says",
        "cs", "md", "txt", "json", "src", "test", "tests", "file", "files", "code", "fix", "fixes", "change", "changes",
    };

    /// <summary>Word parts of identifiers, remembered: a repository's identifiers repeat across every prompt.</summary>
    private static readonly ConcurrentDictionary<string, string[]> PartsOf = new(StringComparer.Ordinal);

    private const int MaxRemembered = 500_000;

    private static int _remembered;

    private const double PathWeight = 3.0;
    private const double FileNameWeight = 2.0;
    private const double DefinitionWeight = 2.0;
    private const double ExactDefinitionWeight = 4.0;
    private const double K1 = 1.2;

    /// <summary>
    /// Ranks the files of <paramref name="symbols"/> for <paramref name="prompt"/>. <paramref name="graph"/>
    /// gives each file's PageRank; <paramref name="history"/> the commits before HEAD.
    /// </summary>
    public static IReadOnlyList<RankedFile> Rank(
        IReadOnlyList<FileSymbols> symbols,
        string prompt,
        IReadOnlyDictionary<string, double> graph,
        CommitHistory history) => Rank(symbols, prompt, graph, history, RankWeights.Default);

    internal static IReadOnlyList<RankedFile> Rank(
        IReadOnlyList<FileSymbols> symbols,
        string prompt,
        IReadOnlyDictionary<string, double> graph,
        CommitHistory history,
        RankWeights weights)
    {
        // Every signal but the words is a share of the best word score, so no signal of the
        // history or the graph can put a file nothing in the prompt points at above a strong match.
        var recent = history.RecentChanges;
        var terms = Terms(prompt);
        var exact = Identifiers().Matches(prompt).Select(m => m.Value).ToHashSet(StringComparer.Ordinal);
        var count = symbols.Count;
        if (count == 0)
        {
            return [];
        }

        // The prompt's words looked up in the workspace's postings (built once per set of symbols):
        // how often each occurs in a file's path, names, definitions and uses.
        var index = SymbolIndex.For(symbols);
        var lexical = new double[count];
        foreach (var term in terms)
        {
            var frequency = index.DocumentFrequency.GetValueOrDefault(term);
            if (index.PathPostings.TryGetValue(term, out var paths))
            {
                foreach (var (file, hits, inFileName) in paths)
                {
                    lexical[file] += Idf(frequency, count) * (PathWeight + (inFileName ? FileNameWeight : 0)) * Math.Min(hits, 2);
                }
            }

            if (index.UsePostings.TryGetValue(term, out var uses))
            {
                foreach (var (file, tf) in uses)
                {
                    var norm = K1 * (0.25 + (0.75 * index.Lengths[file] / index.AverageLength));
                    lexical[file] += Idf(frequency, count) * tf * (K1 + 1) / (tf + norm);
                }
            }

            // Defining names that share the prompt's words counts once per word (a file defining
            // fifty Context* members is not fifty times as relevant).
            if (index.DefinitionPartPostings.TryGetValue(term, out var definers))
            {
                foreach (var file in definers)
                {
                    lexical[file] += DefinitionWeight * Idf(Math.Max(frequency, 1), count);
                }
            }
        }

        // Defining a name the prompt uses counts most.
        foreach (var name in exact)
        {
            if (index.DefinitionNames.TryGetValue(name, out var definers))
            {
                foreach (var (file, times) in definers)
                {
                    lexical[file] += times * ExactDefinitionWeight * Idf(1, count);
                }
            }
        }

        var bestLexical = lexical.Max();
        var past = PastCommits(history, terms, index, weights);
        var cochanged = CoChanged(history, lexical, bestLexical, index, weights);

        // Rank is a share of 1 spread over every file: scale it so the best file counts like a strong word match.
        var bestGraph = symbols.Max(f => graph.GetValueOrDefault(f.Path));
        var scores = new double[count];
        for (var i = 0; i < count; i++)
        {
            var path = symbols[i].Path;
            var structure = bestGraph > 0 ? graph.GetValueOrDefault(path) / bestGraph : 0;
            var activity = recent.GetValueOrDefault(path);
            var score = lexical[i] + (Math.Max(bestLexical, 1) * ((weights.Graph * structure) + (weights.Activity * activity) + (weights.History * past[i]) + (weights.CoChange * cochanged[i])));
            if (weights.TestFactor != 1 && IsTest(path))
            {
                score *= weights.TestFactor;
            }
            else if (weights.DocFactor != 1 && IsDoc(path))
            {
                score *= weights.DocFactor;
            }

            scores[i] = score;
        }

        // A test beside the file it is named after changes with it: it ranks just behind that file
        // when that puts it higher than its own score does.
        var ranked = new List<RankedFile>(count);
        for (var i = 0; i < count; i++)
        {
            var subject = index.SubjectOf[i];
            var score = subject >= 0 ? Math.Max(scores[i], weights.TestBesideSubject * scores[subject]) : scores[i];
            ranked.Add(new RankedFile(symbols[i].Path, score, lexical[i]));
        }

        ranked.Sort((a, b) => b.Score != a.Score ? b.Score.CompareTo(a.Score) : string.CompareOrdinal(a.Path, b.Path));
        return ranked;
    }

    /// <summary>
    /// Per file, in [0, 1]: how strongly the past commits whose messages share the prompt's words
    /// (BM25 over the messages) changed it. A commit's vote is its score spread over the files it
    /// changed; only the best-matching commits vote.
    /// </summary>
    private static double[] PastCommits(CommitHistory history, HashSet<string> terms, SymbolIndex index, RankWeights weights)
    {
        var votes = new double[index.Count];
        if (weights.History == 0 || history.Described == 0)
        {
            return votes;
        }

        var scores = new Dictionary<int, double>();
        foreach (var term in terms)
        {
            if (!history.Postings.TryGetValue(term, out var commits))
            {
                continue;
            }

            var idf = Idf(commits.Count, history.Described);
            foreach (var (commit, hits) in commits)
            {
                var norm = K1 * (0.25 + (0.75 * history.Lengths[commit] / history.AverageLength));
                scores[commit] = scores.GetValueOrDefault(commit) + (idf * hits * (K1 + 1) / (hits + norm));
            }
        }

        foreach (var (commit, score) in scores.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key).Take(weights.HistoryCommits))
        {
            var files = history.Commits[commit].Files;
            var share = score / Math.Pow(files.Count, weights.HistorySpread);
            foreach (var path in files)
            {
                if (index.FileIndex.TryGetValue(path, out var file))
                {
                    votes[file] += share;
                }
            }
        }

        return Scaled(votes);
    }

    /// <summary>
    /// Per file, in [0, 1]: how often it changed together with the files the prompt's words found
    /// best (each of those weighted by its word score), as a share of their commits.
    /// </summary>
    private static double[] CoChanged(CommitHistory history, double[] lexical, double bestLexical, SymbolIndex index, RankWeights weights)
    {
        var together = new double[index.Count];
        if (weights.CoChange == 0 || bestLexical <= 0 || history.Described == 0)
        {
            return together;
        }

        var seeds = Enumerable.Range(0, lexical.Length).Where(i => lexical[i] > 0).OrderByDescending(i => lexical[i]).Take(weights.CoChangeSeeds);
        foreach (var seed in seeds)
        {
            if (!history.CommitsOf.TryGetValue(index.File(seed).Path, out var commits))
            {
                continue;
            }

            var weight = lexical[seed] / bestLexical / commits.Count;
            foreach (var commit in commits)
            {
                foreach (var path in history.Commits[commit].Files)
                {
                    if (index.FileIndex.TryGetValue(path, out var file) && file != seed)
                    {
                        together[file] += weight;
                    }
                }
            }
        }

        return Scaled(together);
    }

    /// <summary>
    /// How a test file's name marks it, by the common conventions: <c>x.test</c>, <c>x.spec</c>
    /// (any case), <c>x_test</c>, <c>XTests</c>, <c>XTest</c>, and the prefix <c>test_x</c>.
    /// </summary>
    private static readonly string[] TestNameSuffixes = [".test", ".spec", "_test", "Tests", "Test"];

    private const string TestNamePrefix = "test_";

    private static StringComparison SuffixComparison(string suffix) => suffix[0] == '.' ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;

    /// <summary>
    /// Whether <paramref name="path"/> is a test by the common conventions: a folder named test,
    /// tests, __tests__, spec, specs or e2e, or a file name like <c>x.test.ts</c>, <c>x.spec.js</c>,
    /// <c>x_test.go</c>, <c>test_x.py</c>, <c>XTests.cs</c>, <c>XTest.java</c>.
    /// </summary>
    public static bool IsTest(string path)
    {
        // Called for every file on every prompt: spans, no allocation.
        var rest = path.AsSpan();
        for (var slash = rest.IndexOf('/'); slash >= 0; slash = rest.IndexOf('/'))
        {
            var segment = rest[..slash];
            if (segment.Equals("test", StringComparison.OrdinalIgnoreCase) || segment.Equals("tests", StringComparison.OrdinalIgnoreCase)
                || segment.Equals("__tests__", StringComparison.OrdinalIgnoreCase) || segment.Equals("spec", StringComparison.OrdinalIgnoreCase)
                || segment.Equals("specs", StringComparison.OrdinalIgnoreCase) || segment.Equals("e2e", StringComparison.OrdinalIgnoreCase)
                || segment.EndsWith(".Tests", StringComparison.Ordinal))
            {
                return true;
            }

            rest = rest[(slash + 1)..];
        }

        var stem = Path.GetFileNameWithoutExtension(rest);
        foreach (var suffix in TestNameSuffixes)
        {
            if (stem.EndsWith(suffix, SuffixComparison(suffix)))
            {
                return true;
            }
        }

        return stem.StartsWith(TestNamePrefix, StringComparison.Ordinal);
    }

    /// <summary>
    /// The name of the file a test's name says it tests (see <see cref="TestNameSuffixes"/>):
    /// <c>graph.test</c>, <c>x_test</c>, <c>test_x</c>, <c>XTests</c> → graph, x, x, X; null when
    /// the name has no such marker.
    /// </summary>
    internal static string? SubjectName(string testName)
    {
        foreach (var suffix in TestNameSuffixes)
        {
            if (testName.Length > suffix.Length && testName.EndsWith(suffix, SuffixComparison(suffix)))
            {
                return testName[..^suffix.Length];
            }
        }

        return testName.Length > TestNamePrefix.Length && testName.StartsWith(TestNamePrefix, StringComparison.Ordinal) ? testName[TestNamePrefix.Length..] : null;
    }

    /// <summary>Whether <paramref name="path"/> is prose (Markdown, reStructuredText, AsciiDoc, plain text): it describes many things and is rarely what a prompt changes.</summary>
    public static bool IsDoc(string path) =>
        Path.GetExtension(path).ToLowerInvariant() is ".md" or ".markdown" or ".rst" or ".adoc" or ".txt";

    private static double[] Scaled(double[] values)
    {
        var best = values.Length == 0 ? 0 : values.Max();
        if (best > 0)
        {
            for (var i = 0; i < values.Length; i++)
            {
                values[i] /= best;
            }
        }

        return values;
    }

    /// <summary>Every word of <paramref name="text"/> as the ranking matches them, repeats included.</summary>
    internal static IEnumerable<string> Words(string text) =>
        Identifiers().Matches(text).SelectMany(m => Parts(m.Value));

    /// <summary>The prompt's words as the ranking matches them: identifier parts, lower-cased, without stop words.</summary>
    public static HashSet<string> Terms(string prompt)
    {
        var terms = new HashSet<string>(StringComparer.Ordinal);
        foreach (Match match in Identifiers().Matches(prompt))
        {
            foreach (var part in Parts(match.Value))
            {
                terms.Add(part);
            }
        }

        return terms;
    }

    /// <summary>
    /// The parts of an identifier or name: <c>ActionRunner</c> → action, runner, actionrunner;
    /// <c>max_file_bytes</c> → max, file, bytes; <c>HTTPServer2</c> → http, server. Parts shorter
    /// than three letters and stop words are dropped; a plural's s is dropped too (runs → run).
    /// </summary>
    public static string[] Parts(string identifier)
    {
        if (PartsOf.TryGetValue(identifier, out var parts))
        {
            return parts;
        }

        parts = Split(identifier);

        // Bounded by a counter: ConcurrentDictionary.Count locks every bucket, far too slow per identifier.
        if (Interlocked.Increment(ref _remembered) <= MaxRemembered)
        {
            PartsOf.TryAdd(identifier, parts);
        }

        return parts;
    }

    private static string[] Split(string identifier)
    {
        var parts = new List<string>();
        var whole = new System.Text.StringBuilder();
        foreach (Match word in CamelParts().Matches(identifier))
        {
            var lower = word.Value.ToLowerInvariant();
            whole.Append(lower);
            Add(parts, lower);
        }

        if (parts.Count > 1)
        {
            Add(parts, whole.ToString());
        }

        return [.. parts.Distinct(StringComparer.Ordinal)];
    }

    private static void Add(List<string> parts, string lower)
    {
        if (lower.Length < 3 || StopWords.Contains(lower) || char.IsDigit(lower[0]))
        {
            return;
        }

        parts.Add(lower.Length > 4 && lower.EndsWith('s') && !lower.EndsWith("ss", StringComparison.Ordinal) ? lower[..^1] : lower);
    }

    internal static IEnumerable<string> PathParts(string path) =>
        path.Split(['/', '.', '-', ' '], StringSplitOptions.RemoveEmptyEntries).SelectMany(Parts);

    private static double Idf(int documentFrequency, int count) =>
        Math.Log(1 + ((count - documentFrequency + 0.5) / (documentFrequency + 0.5)));

    [GeneratedRegex(@"[A-Za-z_][A-Za-z0-9_]*", RegexOptions.CultureInvariant)]
    private static partial Regex Identifiers();

    /// <summary>Runs of upper-case letters not followed by lower-case ones (HTTP), capitalised or lower-case words, digits.</summary>
    [GeneratedRegex(@"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+", RegexOptions.CultureInvariant)]
    private static partial Regex CamelParts();
}

/// <summary>
/// How much each signal besides the words adds, as a share of the best word score: the
/// best-connected file's PageRank, the most recently and often changed file, the file the past
/// commits about the same words changed most (the best <c>HistoryCommits</c> of them, each vote
/// spread over its files to the power <c>HistorySpread</c>), the file most often changed with the
/// best <c>CoChangeSeeds</c> word matches; what tests and prose count of their score, and the
/// share of its subject's score a test beside its subject gets at least.
/// Measured on real commits (bench: relevance), each signal helping both halves of the tasks.
/// </summary>
internal sealed record RankWeights(double Graph, double Activity, double History, int HistoryCommits, double HistorySpread, double CoChange, int CoChangeSeeds, double TestFactor, double DocFactor, double TestBesideSubject)
{
    public static readonly RankWeights Default = new(Graph: 0.1, Activity: 0.25, History: 0.3, HistoryCommits: 10, HistorySpread: 0.5, CoChange: 0.15, CoChangeSeeds: 3, TestFactor: 0.2, DocFactor: 0.2, TestBesideSubject: 0.9);
}
