using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging.Abstractions;
using Wright.Core.Context;
using Wright.Core.Git;

namespace Wright.Bench;

/// <summary>
/// Context relevance measured as SWE-bench measures retrieval: each commit of a repository's own
/// history is a task — its subject is the first prompt, asked at its parent, and the source files
/// it modified are the gold files. Reported: the share of tasks whose gold files are all in the
/// ranking's top 10, and all sent whole, against a BM25 ranking of the same files with the same
/// query at the same k.
/// </summary>
internal static partial class RelevanceBench
{
    private const int K = 10;

    /// <summary>The first prompt's budget as Wright sends it by default (Engine:MaxContextTokens).</summary>
    private const int Budget = 24_000;

    private static readonly string[] SourceExtensions = [".cs", ".ts", ".js", ".py", ".go", ".rs", ".java", ".sh"];

    public static async Task RunAsync(string work, string? repositoryPath, CancellationToken cancellationToken)
    {
        var source = repositoryPath ?? FindRepository();
        if (source is null)
        {
            Console.WriteLine("relevance: no repository found");
            return;
        }

        var git = new GitRunner();
        var service = new GitService(git, TimeProvider.System, NullLogger<GitService>.Instance);

        // A private clone, checked out at each task's parent in turn (the source is only read).
        var clone = Path.Combine(work, "relevance-clone");
        await git.RunCheckedAsync(work, ["clone", "--quiet", "--no-checkout", source, clone], cancellationToken);
        var log = await git.RunCheckedAsync(clone, ["log", "--no-merges", "--format=%H%x01%P%x01%s", "HEAD"], cancellationToken);
        var scanner = new WorkspaceScanner(service, git, new SymbolCache((string?)null));
        var estimator = new TokenEstimator();
        var tasks = 0;
        var skipped = 0;
        var oursTop = 0;
        var bm25Top = 0;
        var oursWhole = 0;
        var mapTop = 0;
        var halves = new (int Tasks, int Ours, int Bm25, int Whole)[2];
        var oursRecall = 0.0;
        var bm25Recall = 0.0;
        foreach (var line in log.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var fields = line.Split('\u0001');
            var parents = fields[1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parents.Length != 1)
            {
                continue;
            }

            var diff = await git.RunCheckedAsync(clone, ["diff", "--name-status", "--no-renames", parents[0], fields[0]], cancellationToken);
            var gold = diff.Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Select(l => l.Split('\t'))
                .Where(p => p[0] == "M" && IsSource(p[1]))
                .Select(p => p[1])
                .ToList();
            if (gold.Count == 0 || gold.Count > K)
            {
                skipped++;
                continue;
            }

            await git.RunCheckedAsync(clone, ["checkout", "--quiet", "--force", "--detach", parents[0]], cancellationToken);
            var request = new ContextRequest(clone, fields[2], Budget);
            var snapshot = await scanner.ScanAsync(request, cancellationToken);
            if (gold.Any(g => !snapshot.Files.ContainsKey(g)))
            {
                skipped++;
                continue;
            }

            tasks++;
            var map = ContextAssembler.RankMap(request, snapshot, new HashSet<string>());
            var ours = ContextAssembler.RankFiles(request, snapshot, map).Take(K).Select(r => r.Path).ToHashSet(StringComparer.Ordinal);

            // Before this ranking, a first prompt's only ordering of files was the map's PageRank.
            var mapOnly = map.FileRanks.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal).Take(K).Select(kv => kv.Key).ToHashSet(StringComparer.Ordinal);
            mapTop += gold.All(mapOnly.Contains) ? 1 : 0;
            var bm25 = Bm25(snapshot, fields[2]).Take(K).ToHashSet(StringComparer.Ordinal);
            var context = ContextAssembler.Assemble(request, snapshot, estimator, DateTimeOffset.UtcNow, Guid.NewGuid());
            var whole = context.Record.FilesSent.Where(f => f.Whole).Select(f => f.Path).ToHashSet(StringComparer.Ordinal);
            if (Environment.GetEnvironmentVariable("WRIGHT_BENCH_VERBOSE") is "1")
            {
                var full = ContextAssembler.RankFiles(request, snapshot, ContextAssembler.RankMap(request, snapshot, new HashSet<string>())).Select(r => r.Path).ToList();
                var fullBm25 = Bm25(snapshot, fields[2]);
                Console.WriteLine($"task {fields[2][..Math.Min(80, fields[2].Length)]}");
                foreach (var g in gold)
                {
                    Console.WriteLine($"   {g}: ours #{full.IndexOf(g) + 1}, bm25 #{fullBm25.IndexOf(g) + 1}, whole {whole.Contains(g)}");
                }

                Console.WriteLine($"   top: {string.Join(" ", full.Take(K).Select(p => (gold.Contains(p) ? "*" : "") + Path.GetFileName(p)))}");
            }

            oursTop += gold.All(ours.Contains) ? 1 : 0;
            bm25Top += gold.All(bm25.Contains) ? 1 : 0;
            oursWhole += gold.All(whole.Contains) ? 1 : 0;

            // Two halves by the commit id's last hex digit (a split no ranking change can aim at):
            // a change tuned on one half must hold on the other.
            var half = Convert.ToInt32(fields[0][^1..], 16) % 2;
            halves[half] = (halves[half].Tasks + 1, halves[half].Ours + (gold.All(ours.Contains) ? 1 : 0), halves[half].Bm25 + (gold.All(bm25.Contains) ? 1 : 0), halves[half].Whole + (gold.All(whole.Contains) ? 1 : 0));
            oursRecall += (double)gold.Count(ours.Contains) / gold.Count;
            bm25Recall += (double)gold.Count(bm25.Contains) / gold.Count;
        }

        if (tasks == 0)
        {
            Console.WriteLine($"relevance: no task in {source} ({skipped} commits skipped)");
            return;
        }

        string Share(int n) => string.Create(CultureInfo.InvariantCulture, $"{n}/{tasks} ({100.0 * n / tasks:F1}%)");
        Console.WriteLine($"relevance: {tasks} commits of {source} as tasks ({skipped} skipped: no modified source file, more than {K}, or one not readable at the parent)");
        Console.WriteLine($"relevance: all gold files in the top {K}: Wright {Share(oursTop)}, BM25 {Share(bm25Top)}; ratio {(bm25Top == 0 ? double.PositiveInfinity : (double)oursTop / bm25Top):F2}x");
        Console.WriteLine($"relevance: all gold files sent whole by the first prompt's context: {Share(oursWhole)}");
        for (var h = 0; h < 2; h++)
        {
            var (n, o, b, w) = halves[h];
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"relevance: half {(h == 0 ? "A (even commit ids)" : "B (odd commit ids)")}: {n} tasks; top {K} Wright {o} vs BM25 {b} ({(b == 0 ? double.PositiveInfinity : (double)o / b):F2}x); sent whole {w} ({(n == 0 ? 0 : 100.0 * w / n):F1}%)"));
        }

        Console.WriteLine($"relevance: before (the repository map's PageRank alone, no file sent whole): all gold files in the top {K}: {Share(mapTop)}");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"relevance: mean recall@{K}: Wright {oursRecall / tasks:F3}, BM25 {bm25Recall / tasks:F3}"));
    }

    /// <summary>Okapi BM25 (k1 1.2, b 0.75) over each file's path and text, tokenized into lower-cased words.</summary>
    private static List<string> Bm25(WorkspaceSnapshot snapshot, string query)
    {
        const double k1 = 1.2;
        const double b = 0.75;
        var documents = snapshot.Files.Values
            .Select(f => (f.Path, Terms: Tokens(f.Path + " " + f.Text).GroupBy(t => t, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal), Length: Tokens(f.Path + " " + f.Text).Count()))
            .ToList();
        var averageLength = documents.Average(d => (double)d.Length);
        var queryTerms = Tokens(query).Distinct(StringComparer.Ordinal).ToList();
        var frequency = queryTerms.ToDictionary(t => t, t => documents.Count(d => d.Terms.ContainsKey(t)), StringComparer.Ordinal);
        return documents
            .Select(d => (d.Path, Score: queryTerms.Sum(t =>
            {
                if (!d.Terms.TryGetValue(t, out var tf))
                {
                    return 0.0;
                }

                var idf = Math.Log(1 + ((documents.Count - frequency[t] + 0.5) / (frequency[t] + 0.5)));
                return idf * tf * (k1 + 1) / (tf + (k1 * (1 - b + (b * d.Length / averageLength))));
            })))
            .OrderByDescending(d => d.Score)
            .ThenBy(d => d.Path, StringComparer.Ordinal)
            .Select(d => d.Path)
            .ToList();
    }

    private static IEnumerable<string> Tokens(string text) => Word().Matches(text).Select(m => m.Value.ToLowerInvariant());

    private static bool IsSource(string path) =>
        !path.StartsWith("tests/", StringComparison.Ordinal) && SourceExtensions.Contains(Path.GetExtension(path), StringComparer.OrdinalIgnoreCase);

    private static string? FindRepository()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Wright.slnx")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName;
    }

    [GeneratedRegex(@"[A-Za-z0-9_]+", RegexOptions.CultureInvariant)]
    private static partial Regex Word();
}
