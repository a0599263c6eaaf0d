namespace Wright.Core.Workspace;

/// <summary>What an entry of the tree is; symlinks are reported as themselves and never followed by the listing.</summary>
public enum EntryKind
{
    File,
    Directory,
    Symlink,
}

/// <summary>A file as read: its bytes, its version and, for text, the decoded content and format.</summary>
public sealed record FileRead(string Path, byte[] Bytes, string ETag, TextFormat Format, string? Text, DateTimeOffset Modified);

/// <summary>What a write is given: decoded text (formatted like the file it replaces) or raw bytes (written as they are).</summary>
public sealed record FileWrite
{
    private FileWrite(string? text, byte[]? bytes, LineEnding? lineEnding, bool? bom)
    {
        Text = text;
        Bytes = bytes;
        LineEnding = lineEnding;
        Bom = bom;
    }

    public string? Text { get; }

    public byte[]? Bytes { get; }

    /// <summary>Forces the line endings (lf or crlf); null keeps the existing file's.</summary>
    public LineEnding? LineEnding { get; }

    /// <summary>Forces the UTF-8 BOM on or off; null keeps the existing file's.</summary>
    public bool? Bom { get; }

    public static FileWrite FromText(string text, LineEnding? lineEnding = null, bool? bom = null) => new(text, null, lineEnding, bom);

    public static FileWrite FromBytes(byte[] bytes) => new(null, bytes, null, null);
}

/// <summary>The preconditions of a write or delete: If-Match tags (bare, or <c>*</c>) and If-None-Match: *.</summary>
public sealed record FilePreconditions(IReadOnlyList<string>? IfMatch = null, bool IfNoneMatchAny = false)
{
    public static readonly FilePreconditions None = new();
}

/// <summary>The outcome of a write: the new version and whether the file is new.</summary>
public sealed record FileWritten(string Path, string ETag, long Size, bool Created, TextFormat Format);

/// <summary>One entry of a tree listing.</summary>
public sealed record TreeEntry(string Name, string Path, EntryKind Kind, long? Size, DateTimeOffset Modified);

/// <summary>A tree listing: the entries under <see cref="Path"/> down to <see cref="Depth"/> levels, parents before children.</summary>
public sealed record TreeListing(string Path, int Depth, IReadOnlyList<TreeEntry> Entries, bool Truncated);
