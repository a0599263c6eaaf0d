using Wright.Core.Context;

namespace Wright.Core.Tests.Context;

/// <summary>
/// The ranking's index is built for speed (word parts counted in place, words and graph on two
/// threads); these tests hold it to a plain model that counts everything the obvious way, on
/// symbols built so that paths, identifiers and definitions share word parts across files.
/// </summary>
public sealed class SymbolIndexBuildTests
{
    private static readonly string[] Stems = ["Invoice", "Tax", "Total", "Parcel", "Label", "http", "Server", "run", "max_file", "Bytes"];

    [Fact]
    public void Index_OfAGeneratedWorkspace_MatchesAPlainCount()
    {
        var files = Workspace(seed: 7, count: 300);

        var index = SymbolIndex.For(files);

        index.Count.ShouldBe(files.Count);
        var model = new PlainIndex(files);
        Flatten(index.PathPostings).ShouldBe(Flatten(model.PathPostings));
        Flatten(index.UsePostings).ShouldBe(Flatten(model.UsePostings));
        Flatten(index.DefinitionPartPostings).ShouldBe(Flatten(model.DefinitionPartPostings));
        Flatten(index.DefinitionNames).ShouldBe(Flatten(model.DefinitionNames));
        index.DocumentFrequency.OrderBy(kv => kv.Key, StringComparer.Ordinal).ShouldBe(model.DocumentFrequency.OrderBy(kv => kv.Key, StringComparer.Ordinal));
        index.Lengths.ShouldBe(model.Lengths);
        index.AverageLength.ShouldBe(model.AverageLength);
    }

    [Fact]
    public void Graph_OfAGeneratedWorkspace_HasAnEdgePerUseOfAnotherFilesDefinition()
    {
        var files = Workspace(seed: 11, count: 300);

        var index = SymbolIndex.For(files);

        var edges = Enumerable.Range(0, index.EdgeFrom.Length)
            .Select(e => (From: index.EdgeFrom[e], To: index.EdgeTo[e], Identifier: index.Identifiers[index.EdgeIdentifier[e]], index.EdgeUses[e]))
            .ToList();
        edges.ShouldBe(PlainEdges(files));
        for (var e = 0; e < index.EdgeFrom.Length; e++)
        {
            // The edge's link joins its two files, and its definition key is the one the definer's definition of the identifier has.
            index.LinkFrom[index.EdgeLink[e]].ShouldBe(index.EdgeFrom[e]);
            index.LinkTo[index.EdgeLink[e]].ShouldBe(index.EdgeTo[e]);
            var definer = files[index.EdgeTo[e]];
            var keys = index.DefinitionKeyOf[index.EdgeTo[e]];
            var named = Enumerable.Range(0, keys.Length).Where(d => definer.Definitions[d].Name == index.Identifiers[index.EdgeIdentifier[e]]).ToList();
            named.ShouldNotBeEmpty();
            named.ShouldAllBe(d => keys[d] == index.EdgeDefinition[e]);
        }

        // A definition nothing else uses has no key.
        var used = index.EdgeDefinition.ToHashSet();
        index.DefinitionKeyOf.SelectMany(k => k).Where(k => k >= 0).ToHashSet().ShouldBe(used, ignoreOrder: true);
    }

    /// <summary>Files whose paths, definitions and uses draw on the same few stems, so word parts and names repeat across files (and a few names are defined in more than <see cref="SymbolIndex.MaxDefiners"/> files).</summary>
    private static List<FileSymbols> Workspace(int seed, int count)
    {
        var random = new Random(seed);
        string Name() => Stems[random.Next(Stems.Length)] + Stems[random.Next(Stems.Length)] + (random.Next(4) == 0 ? "" : random.Next(40).ToString(System.Globalization.CultureInfo.InvariantCulture));
        var files = new List<FileSymbols>();
        for (var i = 0; i < count; i++)
        {
            var definitions = Enumerable.Range(0, random.Next(0, 5)).Select(d => new SymbolDefinition(i % 9 == 0 ? "Run" : Name(), d + 1, $"def {d}")).ToList();
            var references = new Dictionary<string, int>(StringComparer.Ordinal);
            for (var r = random.Next(0, 12); r > 0; r--)
            {
                var name = random.Next(5) == 0 ? "Run" : Name();
                references[name] = references.GetValueOrDefault(name) + random.Next(1, 4);
            }

            var folder = Stems[random.Next(Stems.Length)].ToLowerInvariant();
            files.Add(new FileSymbols($"src/{folder}/{Name()}-{Stems[i % Stems.Length]}.{(i % 2 == 0 ? "cs" : "test.ts")}", definitions, references));
        }

        return files;
    }

    private static List<string> Flatten<T>(Dictionary<string, List<T>> postings) =>
        [.. postings.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}: {string.Join(" ", kv.Value)}")];

    private static List<(int From, int To, string Identifier, double Uses)> PlainEdges(List<FileSymbols> files)
    {
        var definers = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        for (var i = 0; i < files.Count; i++)
        {
            foreach (var name in files[i].Definitions.Select(d => d.Name).Distinct(StringComparer.Ordinal))
            {
                definers.TryAdd(name, []);
                definers[name].Add(i);
            }
        }

        var edges = new List<(int, int, string, double)>();
        for (var i = 0; i < files.Count; i++)
        {
            foreach (var (identifier, count) in files[i].References)
            {
                if (definers.TryGetValue(identifier, out var definedIn) && definedIn.Count <= SymbolIndex.MaxDefiners)
                {
                    edges.AddRange(definedIn.Where(d => d != i).Select(d => (i, d, identifier, Math.Sqrt(count))));
                }
            }
        }

        return edges;
    }

    /// <summary>The word postings counted the obvious way: sets and dictionaries per file.</summary>
    private sealed class PlainIndex
    {
        public PlainIndex(List<FileSymbols> files)
        {
            Lengths = new double[files.Count];
            for (var i = 0; i < files.Count; i++)
            {
                var file = files[i];
                var seen = new HashSet<string>(StringComparer.Ordinal);
                var fileName = FileRanker.PathParts(Path.GetFileNameWithoutExtension(file.Path)).ToHashSet(StringComparer.Ordinal);
                foreach (var group in FileRanker.PathParts(file.Path).GroupBy(p => p, StringComparer.Ordinal))
                {
                    Add(PathPostings, group.Key, (i, group.Count(), fileName.Contains(group.Key)));
                    seen.Add(group.Key);
                }

                var uses = new Dictionary<string, int>(StringComparer.Ordinal);
                foreach (var (identifier, count) in file.References)
                {
                    foreach (var part in FileRanker.Parts(identifier))
                    {
                        uses[part] = uses.GetValueOrDefault(part) + count;
                        seen.Add(part);
                    }
                }

                foreach (var (part, count) in uses)
                {
                    Add(UsePostings, part, (i, count));
                }

                Lengths[i] = file.References.Values.Sum();
                foreach (var part in seen)
                {
                    DocumentFrequency[part] = DocumentFrequency.GetValueOrDefault(part) + 1;
                }

                foreach (var part in file.Definitions.SelectMany(d => FileRanker.Parts(d.Name)).Distinct(StringComparer.Ordinal))
                {
                    Add(DefinitionPartPostings, part, i);
                }

                foreach (var group in file.Definitions.GroupBy(d => d.Name, StringComparer.Ordinal))
                {
                    Add(DefinitionNames, group.Key, (i, group.Count()));
                }
            }

            AverageLength = files.Count == 0 ? 1 : Math.Max(1, Lengths.Average());
        }

        public Dictionary<string, List<(int File, int Hits, bool InFileName)>> PathPostings { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, List<(int File, int Uses)>> UsePostings { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, List<int>> DefinitionPartPostings { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, List<(int File, int Times)>> DefinitionNames { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, int> DocumentFrequency { get; } = new(StringComparer.Ordinal);

        public double[] Lengths { get; }

        public double AverageLength { get; }

        private static void Add<T>(Dictionary<string, List<T>> postings, string key, T value)
        {
            postings.TryAdd(key, []);
            postings[key].Add(value);
        }
    }
}
