namespace Wright.Core.Context;

/// <summary>
/// What ranking needs from a workspace's symbols that does not depend on the prompt: the word
/// parts of every path, definition and used identifier as postings (word → files), and the
/// reference graph's edges with their prompt-independent weights. Built once per set of symbols
/// and reused by every prompt while the workspace's symbols are the same, so a prompt's ranking
/// only looks up its own words instead of splitting every identifier of the repository again.
/// </summary>
/// <remarks>
/// The same set means the same files in the same order, each with the very same definition and
/// reference lists: the scanner hands out one immutable list per file content (by blob id, or by
/// size and modification time), so a changed file brings new lists and a new index. Compared by
/// reference, element by element: never stale, and cheap next to what the index saves.
/// </remarks>
internal sealed class SymbolIndex
{
    /// <summary>How many workspaces' indexes are kept (several projects may be prompted at once).</summary>
    private const int Kept = 4;

    /// <summary>Identifiers defined in more files than this make no edges (as <see cref="RepoMap"/> says).</summary>
    public const int MaxDefiners = 20;

    private static readonly Lock Gate = new();
    private static readonly LinkedList<SymbolIndex> Recent = new();

    private readonly FileSymbols[] _files;

    private SymbolIndex(IReadOnlyList<FileSymbols> files)
    {
        _files = [.. files];
        Count = _files.Length;
        // The words and the graph read the same symbols and fill different members: one core each.
        Parallel.Invoke(BuildWords, BuildGraph);
    }

    public int Count { get; }

    // ---- Words (FileRanker) ----

    /// <summary>Per word part: the files whose path has it, how often, and whether their file name does.</summary>
    public Dictionary<string, List<(int File, int Hits, bool InFileName)>> PathPostings { get; } = new(StringComparer.Ordinal);

    /// <summary>Per word part: the files that use identifiers with it, and how many uses in all.</summary>
    public Dictionary<string, List<(int File, int Uses)>> UsePostings { get; } = new(StringComparer.Ordinal);

    /// <summary>Per word part: the files defining a name with it (each file once).</summary>
    public Dictionary<string, List<int>> DefinitionPartPostings { get; } = new(StringComparer.Ordinal);

    /// <summary>Per defined name: the files defining it and how many times.</summary>
    public Dictionary<string, List<(int File, int Times)>> DefinitionNames { get; } = new(StringComparer.Ordinal);

    /// <summary>Per word part: in how many files' paths or used identifiers it occurs.</summary>
    public Dictionary<string, int> DocumentFrequency { get; } = new(StringComparer.Ordinal);

    /// <summary>Per file: its identifier uses in all (BM25's document length).</summary>
    public double[] Lengths { get; private set; } = [];

    public double AverageLength { get; private set; }

    // ---- Graph (RepoMap) ----

    public int[] EdgeFrom { get; private set; } = [];

    public int[] EdgeTo { get; private set; } = [];

    /// <summary>Per edge: the identifier (an index into <see cref="Identifiers"/>).</summary>
    public int[] EdgeIdentifier { get; private set; } = [];

    /// <summary>Per edge: the square root of how often the referencer uses the identifier.</summary>
    public double[] EdgeUses { get; private set; } = [];

    /// <summary>Per edge: its link (one per referencer → definer pair, numbered in order of first appearance).</summary>
    public int[] EdgeLink { get; private set; } = [];

    /// <summary>Per edge: its definition key (one per definer and identifier, numbered in order of first appearance).</summary>
    public int[] EdgeDefinition { get; private set; } = [];

    public int[] LinkFrom { get; private set; } = [];

    public int[] LinkTo { get; private set; } = [];

    public int DefinitionKeys { get; private set; }

    /// <summary>The identifiers edges are made of.</summary>
    public List<string> Identifiers { get; } = [];

    public Dictionary<string, int> IdentifierIds { get; } = new(StringComparer.Ordinal);

    /// <summary>Per identifier: specific, private, defined in more than five files (the weights that do not depend on the prompt).</summary>
    public (bool Specific, bool Private, bool Common)[] IdentifierTraits { get; private set; } = [];

    /// <summary>Per file, per definition: its definition key, or -1 when no edge points at it.</summary>
    public int[][] DefinitionKeyOf { get; private set; } = [];

    /// <summary>Per defined name: the files defining it (each once).</summary>
    public Dictionary<string, List<int>> Definers { get; } = new(StringComparer.Ordinal);

    /// <summary>Per file name without its extension (five characters or more): the files so named.</summary>
    public Dictionary<string, List<int>> FileNames { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, int> FileIndex { get; } = new(StringComparer.Ordinal);

    /// <summary>Per file: when it is a test beside the file it tests (see <see cref="FileRanker.SubjectName"/>), that file; else -1.</summary>
    public int[] SubjectOf { get; private set; } = [];

    public FileSymbols File(int i) => _files[i];

    /// <summary>The index of <paramref name="files"/>: a kept one when it was built from the same symbols, else a new one.</summary>
    public static SymbolIndex For(IReadOnlyList<FileSymbols> files)
    {
        lock (Gate)
        {
            for (var node = Recent.First; node is not null; node = node.Next)
            {
                if (node.Value.IsFor(files))
                {
                    Recent.Remove(node);
                    Recent.AddFirst(node);
                    return node.Value;
                }
            }
        }

        // Built outside the lock: another prompt's ranking need not wait for this one.
        var built = new SymbolIndex(files);
        lock (Gate)
        {
            Recent.AddFirst(built);
            while (Recent.Count > Kept)
            {
                Recent.RemoveLast();
            }
        }

        return built;
    }

    private bool IsFor(IReadOnlyList<FileSymbols> files)
    {
        if (files.Count != _files.Length)
        {
            return false;
        }

        for (var i = 0; i < _files.Length; i++)
        {
            var (mine, theirs) = (_files[i], files[i]);
            if (!ReferenceEquals(mine, theirs)
                && (!ReferenceEquals(mine.Definitions, theirs.Definitions) || !ReferenceEquals(mine.References, theirs.References) || !string.Equals(mine.Path, theirs.Path, StringComparison.Ordinal)))
            {
                return false;
            }
        }

        return true;
    }

    /// <remarks>
    /// A large repository has hundreds of thousands of (file, identifier) pairs. Each word part is
    /// an object met once per build, each identifier's parts are looked up once, and a file's counts
    /// live on the parts themselves (marked with the file they were last counted for), so a use costs
    /// one lookup of its identifier instead of hashing each of its parts into several per-file sets;
    /// the postings are keyed by their words once, at the end.
    /// </remarks>
    private void BuildWords()
    {
        var parts = new Dictionary<string, WordPart>(StringComparer.Ordinal);
        var partsOfIdentifier = new Dictionary<string, WordPart[]>(StringComparer.Ordinal);
        WordPart Part(string word)
        {
            if (!parts.TryGetValue(word, out var part))
            {
                parts[word] = part = new WordPart();
            }

            return part;
        }

        var touched = new List<WordPart>();
        Lengths = new double[Count];
        for (var i = 0; i < Count; i++)
        {
            var file = _files[i];
            touched.Clear();
            foreach (var word in FileRanker.PathParts(file.Path))
            {
                var part = Part(word);
                if (part.PathFile != i)
                {
                    (part.PathFile, part.PathHits) = (i, 0);
                    touched.Add(part);
                }

                part.PathHits++;
                part.CountDocument(i);
            }

            foreach (var word in FileRanker.PathParts(Path.GetFileNameWithoutExtension(file.Path)))
            {
                Part(word).FileNameFile = i;
            }

            foreach (var part in touched)
            {
                (part.PathPostings ??= []).Add((i, part.PathHits, part.FileNameFile == i));
            }

            touched.Clear();
            var length = 0;
            foreach (var (identifier, count) in file.References)
            {
                length += count;
                if (!partsOfIdentifier.TryGetValue(identifier, out var identifierParts))
                {
                    var words = FileRanker.Parts(identifier);
                    identifierParts = words.Length == 0 ? [] : new WordPart[words.Length];
                    for (var w = 0; w < words.Length; w++)
                    {
                        identifierParts[w] = Part(words[w]);
                    }

                    partsOfIdentifier[identifier] = identifierParts;
                }

                foreach (var part in identifierParts)
                {
                    if (part.UseFile != i)
                    {
                        (part.UseFile, part.Uses) = (i, 0);
                        touched.Add(part);
                    }

                    part.Uses += count;
                    part.CountDocument(i);
                }
            }

            foreach (var part in touched)
            {
                (part.UsePostings ??= []).Add((i, part.Uses));
            }

            Lengths[i] = length;
            foreach (var definition in file.Definitions)
            {
                // Files are added in order: a name this file defined before is its list's last entry.
                if (DefinitionNames.TryGetValue(definition.Name, out var definers) && definers[^1].File == i)
                {
                    definers[^1] = (i, definers[^1].Times + 1);
                }
                else
                {
                    Add(DefinitionNames, definition.Name, (i, 1));
                }

                foreach (var word in FileRanker.Parts(definition.Name))
                {
                    var part = Part(word);
                    if (part.DefinitionFile != i)
                    {
                        part.DefinitionFile = i;
                        (part.DefinitionPostings ??= []).Add(i);
                    }
                }
            }
        }

        foreach (var (word, part) in parts)
        {
            if (part.PathPostings is { } paths)
            {
                PathPostings[word] = paths;
            }

            if (part.UsePostings is { } uses)
            {
                UsePostings[word] = uses;
            }

            if (part.DefinitionPostings is { } definers)
            {
                DefinitionPartPostings[word] = definers;
            }

            if (part.Documents > 0)
            {
                DocumentFrequency[word] = part.Documents;
            }
        }

        AverageLength = Count == 0 ? 1 : Math.Max(1, Lengths.Average());
    }

    private void BuildGraph()
    {
        for (var i = 0; i < Count; i++)
        {
            FileIndex[_files[i].Path] = i;
            var name = Path.GetFileNameWithoutExtension(_files[i].Path);
            if (name.Length >= 5)
            {
                Add(FileNames, name, i);
            }

            foreach (var definition in _files[i].Definitions)
            {
                // Each file once: files are added in order, so a name this file defined before ends its list.
                if (!Definers.TryGetValue(definition.Name, out var definedIn) || definedIn[^1] != i)
                {
                    Add(Definers, definition.Name, i);
                }
            }
        }

        SubjectOf = Subjects();
        var from = new List<int>();
        var to = new List<int>();
        var identifiers = new List<int>();
        var uses = new List<double>();
        var links = new List<int>();
        var definitions = new List<int>();
        var linkIds = new Dictionary<long, int>();
        var definitionIds = new Dictionary<long, int>();
        var linkFrom = new List<int>();
        var linkTo = new List<int>();
        var traits = new List<(bool, bool, bool)>();
        for (var i = 0; i < Count; i++)
        {
            foreach (var (identifier, count) in _files[i].References)
            {
                if (!Definers.TryGetValue(identifier, out var definedIn) || definedIn.Count > MaxDefiners)
                {
                    continue;
                }

                if (!IdentifierIds.TryGetValue(identifier, out var id))
                {
                    id = Identifiers.Count;
                    Identifiers.Add(identifier);
                    IdentifierIds[identifier] = id;
                    traits.Add((identifier.Length >= 8 && RepoMap.IsSpecific(identifier), identifier.StartsWith('_'), definedIn.Count > 5));
                }

                var root = Math.Sqrt(count);
                foreach (var definer in definedIn)
                {
                    if (definer == i)
                    {
                        continue;
                    }

                    if (!linkIds.TryGetValue(Pair(i, definer), out var link))
                    {
                        link = linkFrom.Count;
                        linkIds[Pair(i, definer)] = link;
                        linkFrom.Add(i);
                        linkTo.Add(definer);
                    }

                    if (!definitionIds.TryGetValue(Pair(definer, id), out var key))
                    {
                        key = definitionIds.Count;
                        definitionIds[Pair(definer, id)] = key;
                    }

                    from.Add(i);
                    to.Add(definer);
                    identifiers.Add(id);
                    uses.Add(root);
                    links.Add(link);
                    definitions.Add(key);
                }
            }
        }

        (EdgeFrom, EdgeTo, EdgeIdentifier, EdgeUses, EdgeLink, EdgeDefinition) = ([.. from], [.. to], [.. identifiers], [.. uses], [.. links], [.. definitions]);
        (LinkFrom, LinkTo, DefinitionKeys, IdentifierTraits) = ([.. linkFrom], [.. linkTo], definitionIds.Count, [.. traits]);
        DefinitionKeyOf = new int[Count][];
        for (var i = 0; i < Count; i++)
        {
            var fileDefinitions = _files[i].Definitions;
            var keys = new int[fileDefinitions.Count];
            for (var d = 0; d < keys.Length; d++)
            {
                keys[d] = IdentifierIds.TryGetValue(fileDefinitions[d].Name, out var id) && definitionIds.TryGetValue(Pair(i, id), out var key) ? key : -1;
            }

            DefinitionKeyOf[i] = keys;
        }
    }

    /// <summary>
    /// Pairs each test with the source file beside it that it is named after, preferring one with
    /// the test's own extension (<c>graph.test.ts</c> → <c>graph.ts</c> over <c>graph.css</c>,
    /// else <c>BranchMap.test.ts</c> → <c>BranchMap.tsx</c>). Only the same folder: a test in a
    /// separate tree named like a source file is often about something else of that name. Looked
    /// up per test in the names and paths already indexed, so a repository pays one test check per file.
    /// </summary>
    private int[] Subjects()
    {
        var subjects = new int[Count];
        Array.Fill(subjects, -1);
        for (var i = 0; i < Count; i++)
        {
            var path = _files[i].Path;
            if (!FileRanker.IsTest(path) || FileRanker.SubjectName(Path.GetFileNameWithoutExtension(path)) is not { } subject)
            {
                continue;
            }

            var folder = path[..(path.LastIndexOf('/') + 1)];
            var extension = Path.GetExtension(path);
            if (FileIndex.TryGetValue(folder + subject + extension, out var same) && !FileRanker.IsTest(_files[same].Path))
            {
                subjects[i] = same;
            }
            else if (FileNames.TryGetValue(subject, out var named))
            {
                foreach (var candidate in named)
                {
                    var other = _files[candidate].Path;
                    if (other.Length > folder.Length && other.StartsWith(folder, StringComparison.Ordinal) && other.IndexOf('/', folder.Length) < 0
                        && !FileRanker.IsTest(other) && !FileRanker.IsDoc(other))
                    {
                        subjects[i] = candidate;
                        break;
                    }
                }
            }
        }

        return subjects;
    }

    /// <summary>Two non-negative numbers (files, identifiers) as one dictionary key.</summary>
    private static long Pair(int first, int second) => ((long)first << 32) | (uint)second;

    private static void Add<T>(Dictionary<string, List<T>> postings, string key, T value)
    {
        if (!postings.TryGetValue(key, out var list))
        {
            postings[key] = list = [];
        }

        list.Add(value);
    }

    /// <summary>A word part while the index is built: what the current file counted of it, and its postings so far.</summary>
    private sealed class WordPart
    {
        private int _documentFile = -1;

        public int PathFile { get; set; } = -1;

        public int PathHits { get; set; }

        public int FileNameFile { get; set; } = -1;

        public int UseFile { get; set; } = -1;

        public int Uses { get; set; }

        public int DefinitionFile { get; set; } = -1;

        /// <summary>In how many files' paths or uses it occurs.</summary>
        public int Documents { get; private set; }

        public List<(int File, int Hits, bool InFileName)>? PathPostings { get; set; }

        public List<(int File, int Uses)>? UsePostings { get; set; }

        public List<int>? DefinitionPostings { get; set; }

        public void CountDocument(int file)
        {
            if (_documentFile != file)
            {
                _documentFile = file;
                Documents++;
            }
        }
    }
}
