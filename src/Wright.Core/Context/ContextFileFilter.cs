using Wright.Core.Actions;
using Wright.Core.Git;
using Wright.Core.Workspace;

namespace Wright.Core.Context;

/// <summary>Why a file never reaches a model.</summary>
public enum ContextExclusion
{
    /// <summary>Git ignores it (or it is not a file of the working tree).</summary>
    Ignored,

    /// <summary>Its name says it holds secrets: <c>.env*</c>, <c>*.pem</c>, <c>*.key</c>, SSH keys, keystores.</summary>
    SecretName,

    /// <summary>The user excluded it in <c>.wright/config</c>.</summary>
    UserExcluded,

    TooLarge,

    Binary,

    /// <summary>It contains a private-key block.</summary>
    SecretContent,

    /// <summary>Wright's own state (<c>.wright/</c> except its docs) or a path the jail refuses.</summary>
    Internal,
}

/// <summary>A file that passed every filter, with its content hash (its ETag) and its text.</summary>
/// <remarks>
/// A file the scanner knew by its git blob id was not read: its text is read when first asked for
/// (most files of a large repository only contribute symbols to the map, never their text).
/// </remarks>
public sealed record AdmittedFile(string Path, string Hash, long Bytes)
{
    private readonly Func<string>? _load;
    private string? _text;

    public AdmittedFile(string path, string text, string hash, long bytes)
        : this(path, hash, bytes)
    {
        _text = text;
    }

    internal AdmittedFile(string path, string hash, long bytes, Func<string> load)
        : this(path, hash, bytes)
    {
        _load = load;
    }

    public string Text => _text ??= _load!();
}

/// <summary>
/// The filter chain that runs before any file is read into a model's context. Cheap checks come
/// first and the content last: the git listing (so ignored files are never even opened), names
/// that hold secrets, the user's excludes, the size, and only then the first bytes (binary,
/// private-key headers) before the whole file is read.
/// </summary>
public sealed class ContextFileFilter
{
    public const long DefaultMaxFileBytes = 256 * 1024;

    private const int SniffBytes = 8000;

    private static readonly string[] SecretExtensions = [".pem", ".key", ".p12", ".pfx", ".jks", ".keystore"];

    private static readonly string[] SecretNamePrefixes = [".env", "id_rsa", "id_dsa", "id_ecdsa", "id_ed25519"];

    private readonly string _root;
    private readonly HashSet<string> _listed;
    private readonly IReadOnlyList<PathPattern> _excludes;

    private ContextFileFilter(string root, HashSet<string> listed, IReadOnlyList<PathPattern> excludes, long maxFileBytes, ProjectConfig config)
    {
        Config = config;
        _root = root;
        _listed = listed;
        _excludes = excludes;
        MaxFileBytes = maxFileBytes;
    }

    public long MaxFileBytes { get; }

    /// <summary>The project's <c>.wright/config</c> as this filter read it: the rest of the prompt uses it rather than reading the file again.</summary>
    public ProjectConfig Config { get; }

    /// <summary>Every file git would not ignore, in path order (before name, size and content checks).</summary>
    public IReadOnlyCollection<string> ListedFiles => _listed;

    /// <summary>Reads the project's git listing and <c>.wright/config</c> excludes.</summary>
    public static async Task<ContextFileFilter> CreateAsync(string root, GitService git, CancellationToken cancellationToken)
    {
        var config = await ProjectConfig.LoadAsync(root, cancellationToken).ConfigureAwait(false);
        var listed = await git.ListWorkingTreeFilesAsync(root, cancellationToken).ConfigureAwait(false);
        return Create(root, listed, config);
    }

    public static ContextFileFilter Create(string root, IEnumerable<string> gitListedFiles, ProjectConfig config) =>
        new(root, gitListedFiles.ToHashSet(StringComparer.Ordinal), config.Exclude.Select(p => new PathPattern(p)).ToList(), config.MaxContextFileBytes ?? DefaultMaxFileBytes, config);

    /// <summary>The first filter a path fails on its name alone, or null when it may be read.</summary>
    public ContextExclusion? CheckName(string path)
    {
        return _listed.Contains(path) ? CheckNameIgnoringListing(path) : ContextExclusion.Ignored;
    }

    /// <summary>The name filters without asking git (for a deleted file, which git no longer lists).</summary>
    public ContextExclusion? CheckNameIgnoringListing(string path)
    {
        var name = path[(path.LastIndexOf('/') + 1)..];
        if (SecretNamePrefixes.Any(p => name.StartsWith(p, StringComparison.OrdinalIgnoreCase))
            || SecretExtensions.Any(e => name.EndsWith(e, StringComparison.OrdinalIgnoreCase)))
        {
            return ContextExclusion.SecretName;
        }

        if (path.StartsWith(".wright/", StringComparison.Ordinal) && !path.StartsWith(".wright/docs/", StringComparison.Ordinal) && path != ".wright/prompt.md")
        {
            return ContextExclusion.Internal;
        }

        return _excludes.Any(p => p.IsMatch(path)) ? ContextExclusion.UserExcluded : null;
    }

    /// <summary>Runs the whole chain; the file's text only when it passed.</summary>
    public async Task<(AdmittedFile? File, ContextExclusion? Exclusion)> ReadAsync(string path, CancellationToken cancellationToken)
    {
        if (CheckName(path) is { } byName)
        {
            return (null, byName);
        }

        JailedPath jailed;
        try
        {
            jailed = PathJail.Resolve(_root, path);
        }
        catch (Errors.WrightException)
        {
            return (null, ContextExclusion.Internal);
        }

        var info = new FileInfo(jailed.RealPath);
        if (!info.Exists)
        {
            return (null, ContextExclusion.Ignored);
        }

        if (info.Length > MaxFileBytes)
        {
            return (null, ContextExclusion.TooLarge);
        }

        var bytes = await File.ReadAllBytesAsync(jailed.RealPath, cancellationToken).ConfigureAwait(false);
        return Admit(path, bytes);
    }

    /// <summary>The content filters over bytes already in hand (a file just read).</summary>
    public (AdmittedFile? File, ContextExclusion? Exclusion) Admit(string path, byte[] bytes)
    {
        if (bytes.Length > MaxFileBytes)
        {
            return (null, ContextExclusion.TooLarge);
        }

        var head = bytes.AsSpan(0, Math.Min(bytes.Length, SniffBytes));
        if (head.Contains((byte)0))
        {
            return (null, ContextExclusion.Binary);
        }

        var format = TextFormat.Detect(bytes, out var text);
        if (format.Binary || text is null)
        {
            return (null, ContextExclusion.Binary);
        }

        if (HasPrivateKeyBlock(text))
        {
            return (null, ContextExclusion.SecretContent);
        }

        return (new AdmittedFile(path, text, ContentHash(bytes), bytes.Length), null);
    }

    /// <summary>The file's ETag (<see cref="FileETag"/>): a Context names file versions as the files API does.</summary>
    public static string ContentHash(ReadOnlySpan<byte> bytes) => FileETag.Compute(bytes);

    private static bool HasPrivateKeyBlock(string text)
    {
        var at = text.IndexOf("-----BEGIN ", StringComparison.Ordinal);
        while (at >= 0)
        {
            var end = text.IndexOf("-----", at + 11, StringComparison.Ordinal);
            if (end > at && text.AsSpan(at, end - at).Contains("PRIVATE KEY", StringComparison.Ordinal))
            {
                return true;
            }

            at = text.IndexOf("-----BEGIN ", at + 11, StringComparison.Ordinal);
        }

        return false;
    }

    internal static string Describe(ContextExclusion exclusion) => exclusion switch
    {
        ContextExclusion.Ignored => "ignored by git",
        ContextExclusion.SecretName => "its name marks it as a secret",
        ContextExclusion.UserExcluded => "excluded in .wright/config",
        ContextExclusion.TooLarge => "too large",
        ContextExclusion.Binary => "binary",
        ContextExclusion.SecretContent => "it contains a private key",
        _ => "internal to Wright",
    };
}
