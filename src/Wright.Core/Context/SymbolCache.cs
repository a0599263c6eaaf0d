using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Wright.Core.Hosting;
using Wright.Core.Workspace;

namespace Wright.Core.Context;

/// <summary>What reading one blob taught the scanner: its ETag, size, whether the content filters refused it, and its symbols.</summary>
internal sealed record BlobFacts(string Hash, long Length, ContextExclusion? Exclusion, IReadOnlyList<SymbolDefinition> Definitions, IReadOnlyDictionary<string, int> References);

/// <summary>
/// What the context scanner learned from each file content, keyed by git blob id, kept in memory
/// and in the data directory (<c>cache/context/</c>, one file per project), so a restarted server
/// does not read and parse a whole repository again: a file git reports unchanged is known by the
/// blob id in the index alone. Content-addressed, an entry never goes stale; a file that cannot be
/// read is simply rebuilt.
/// </summary>
public sealed class SymbolCache
{
    private readonly string? _directory;
    private readonly ConcurrentDictionary<string, ProjectSymbols> _projects = new(StringComparer.Ordinal);

    /// <summary>A cache kept under <paramref name="options"/>' data directory.</summary>
    public SymbolCache(WrightOptions options)
        : this(Path.Combine(options.DataDir, "cache", "context"))
    {
    }

    /// <summary>A cache kept in <paramref name="directory"/>, or only in memory when it is null.</summary>
    public SymbolCache(string? directory)
    {
        _directory = directory;
    }

    internal ProjectSymbols For(string root) =>
        _projects.GetOrAdd(root, r => ProjectSymbols.Load(_directory is null ? null : Path.Combine(_directory, FileNameOf(r))));

    /// <summary>
    /// The project's symbols, loaded on the thread pool when they are not in memory yet, so a
    /// restarted server reads its stored symbols while git lists the workspace, instead of after.
    /// </summary>
    internal Task<ProjectSymbols> ForAsync(string root, CancellationToken cancellationToken) =>
        _projects.TryGetValue(root, out var loaded) ? Task.FromResult(loaded) : Task.Run(() => For(root), cancellationToken);

    /// <summary>Forgets what is held in memory for <paramref name="root"/> (the stored file stays: the next scan is a restart's).</summary>
    internal void Unload(string root) => _projects.TryRemove(root, out _);

    private static string FileNameOf(string root) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(root)))[..32] + ".symbols";

    /// <summary>The git blob id of <paramref name="bytes"/>, in the repository's hash (SHA-1, or SHA-256 when its ids are 64 characters).</summary>
    internal static string BlobIdOf(ReadOnlySpan<byte> bytes, bool sha256)
    {
        var header = Encoding.ASCII.GetBytes($"blob {bytes.Length.ToString(System.Globalization.CultureInfo.InvariantCulture)}\0");
        using var hash = IncrementalHash.CreateHash(sha256 ? HashAlgorithmName.SHA256 : HashAlgorithmName.SHA1);
        hash.AppendData(header);
        hash.AppendData(bytes);
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}

/// <summary>The blob facts of one project, and their file.</summary>
internal sealed class ProjectSymbols
{
    private const int FormatVersion = 1;
    private static readonly byte[] Magic = "WSYM"u8.ToArray();

    private readonly string? _path;
    private readonly ConcurrentDictionary<string, BlobFacts> _byBlob;
    private readonly Lock _saveLock = new();
    private volatile bool _dirty;

    private ProjectSymbols(string? path, ConcurrentDictionary<string, BlobFacts> byBlob)
    {
        _path = path;
        _byBlob = byBlob;
    }

    public int Count => _byBlob.Count;

    public bool TryGet(string blobId, out BlobFacts facts) => _byBlob.TryGetValue(blobId, out facts!);

    public void Add(string blobId, BlobFacts facts)
    {
        if (_byBlob.TryAdd(blobId, facts))
        {
            _dirty = true;
        }
    }

    /// <summary>Writes the facts of <paramref name="live"/> blobs (the others are dropped) when anything was learned since the last save.</summary>
    public void Save(IReadOnlyCollection<string> live)
    {
        if (_path is null || (!_dirty && live.Count >= _byBlob.Count))
        {
            return;
        }

        lock (_saveLock)
        {
            var entries = live.Distinct(StringComparer.Ordinal).Select(b => (Blob: b, Facts: _byBlob.GetValueOrDefault(b))).Where(e => e.Facts is not null).ToList();
            foreach (var stale in _byBlob.Keys.Except(entries.Select(e => e.Blob), StringComparer.Ordinal).ToList())
            {
                _byBlob.TryRemove(stale, out _);
            }

            using var buffer = new MemoryStream();
            using (var writer = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true))
            {
                Write(writer, entries!);
            }

            Directory.CreateDirectory(Path.GetDirectoryName(_path)!);
            AtomicFile.Write(projectRoot: null, _path, buffer.GetBuffer().AsSpan(0, (int)buffer.Length), durable: false);
            _dirty = false;
        }
    }

    public static ProjectSymbols Load(string? path)
    {
        var byBlob = new ConcurrentDictionary<string, BlobFacts>(StringComparer.Ordinal);
        if (path is not null && File.Exists(path))
        {
            try
            {
                using var reader = new BinaryReader(new MemoryStream(File.ReadAllBytes(path)), Encoding.UTF8);
                Read(reader, byBlob);
            }
            catch (Exception ex) when (ex is IOException or InvalidDataException or ArgumentException or FormatException or IndexOutOfRangeException or UnauthorizedAccessException)
            {
                // A cache: an unreadable one (damaged, another version) is rebuilt from the files.
                byBlob.Clear();
            }
        }

        return new ProjectSymbols(path, byBlob);
    }

    /// <summary>Identifiers repeat across files, so they are written once in a table and referred to by index.</summary>
    private static void Write(BinaryWriter writer, List<(string Blob, BlobFacts Facts)> entries)
    {
        var table = new Dictionary<string, int>(StringComparer.Ordinal);
        var names = new List<string>();
        int Index(string name)
        {
            if (!table.TryGetValue(name, out var index))
            {
                table[name] = index = names.Count;
                names.Add(name);
            }

            return index;
        }

        foreach (var (_, facts) in entries)
        {
            foreach (var definition in facts.Definitions)
            {
                Index(definition.Name);
            }

            foreach (var reference in facts.References.Keys)
            {
                Index(reference);
            }
        }

        writer.Write(Magic);
        writer.Write(FormatVersion);
        writer.Write(names.Count);
        foreach (var name in names)
        {
            writer.Write(name);
        }

        writer.Write(entries.Count);
        foreach (var (blob, facts) in entries)
        {
            writer.Write(blob);
            writer.Write(facts.Hash);
            writer.Write(facts.Length);
            writer.Write((sbyte)(facts.Exclusion is { } exclusion ? (int)exclusion : -1));
            writer.Write(facts.Definitions.Count);
            foreach (var definition in facts.Definitions)
            {
                writer.Write(table[definition.Name]);
                writer.Write(definition.Line);
                writer.Write(definition.Text);
            }

            writer.Write(facts.References.Count);
            foreach (var (name, count) in facts.References)
            {
                writer.Write(table[name]);
                writer.Write(count);
            }
        }
    }

    private static void Read(BinaryReader reader, ConcurrentDictionary<string, BlobFacts> byBlob)
    {
        if (!reader.ReadBytes(Magic.Length).AsSpan().SequenceEqual(Magic) || reader.ReadInt32() != FormatVersion)
        {
            throw new InvalidDataException("Not a symbol cache of this version.");
        }

        var names = new string[reader.ReadInt32()];
        for (var i = 0; i < names.Length; i++)
        {
            names[i] = reader.ReadString();
        }

        var count = reader.ReadInt32();
        for (var i = 0; i < count; i++)
        {
            var blob = reader.ReadString();
            var hash = reader.ReadString();
            var length = reader.ReadInt64();
            var exclusion = reader.ReadSByte();
            var definitions = new SymbolDefinition[reader.ReadInt32()];
            for (var d = 0; d < definitions.Length; d++)
            {
                definitions[d] = new SymbolDefinition(names[reader.ReadInt32()], reader.ReadInt32(), reader.ReadString());
            }

            var referenceCount = reader.ReadInt32();
            var references = new Dictionary<string, int>(referenceCount, StringComparer.Ordinal);
            for (var r = 0; r < referenceCount; r++)
            {
                references[names[reader.ReadInt32()]] = reader.ReadInt32();
            }

            byBlob[blob] = new BlobFacts(hash, length, exclusion < 0 ? null : (ContextExclusion)exclusion, definitions, references);
        }
    }
}
