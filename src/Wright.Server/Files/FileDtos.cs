using System.Text.Json.Serialization;
using Wright.Core.Workspace;

namespace Wright.Server.Files;

/// <summary>
/// A file as <c>GET files/{path}</c> returns it. Text: <c>content</c> is the decoded UTF-8 text
/// without the BOM (<c>bom</c> says whether the file has one). Binary (a NUL in the first 8000
/// bytes, or not valid UTF-8): <c>binary</c> is true and <c>content</c>, <c>encoding</c> and
/// <c>lineEnding</c> are null; fetch the bytes with <c>?raw=1</c>. <c>etag</c> is the bare
/// SHA-256 hex of the bytes (the ETag header carries it quoted).
/// </summary>
public sealed record FileDto(string Path, string? Content, [property: JsonPropertyName("etag")] string ETag, string? Encoding, LineEnding? LineEnding, bool Bom, long Size, bool Binary, DateTimeOffset Modified)
{
    public static FileDto From(FileRead file) => new(
        file.Path,
        file.Text,
        file.ETag,
        file.Format.Binary ? null : "utf-8",
        file.Format.Binary ? null : file.Format.LineEnding,
        file.Format.Bom,
        file.Bytes.Length,
        file.Format.Binary,
        file.Modified);
}

/// <summary>
/// Body of <c>PUT files/{path}</c> with a JSON content type. <c>lineEnding</c> (lf, crlf, or none
/// for "as sent") and <c>bom</c> are optional: by default the file keeps the line endings and BOM
/// it had, and a new file is written as sent. Any other content type writes the body's bytes as
/// they are.
/// </summary>
public sealed record WriteFileRequest(string? Content, LineEnding? LineEnding, bool? Bom);

/// <summary>The outcome of a write: the new version (also in the ETag header).</summary>
public sealed record FileWrittenDto(string Path, [property: JsonPropertyName("etag")] string ETag, long Size, bool Created, bool Binary, LineEnding? LineEnding, bool Bom)
{
    public static FileWrittenDto From(FileWritten written) => new(
        written.Path,
        written.ETag,
        written.Size,
        written.Created,
        written.Format.Binary,
        written.Format.Binary ? null : written.Format.LineEnding,
        written.Format.Bom);
}

/// <summary>Body of <c>POST files:move</c>: an existing destination is replaced only with <c>overwrite</c> (never a directory).</summary>
public sealed record MoveRequest(string? From, string? To, bool? Overwrite);

/// <summary>The outcome of a move; <c>etag</c> is the moved file's version (null for directories and symlinks).</summary>
public sealed record MovedDto(string From, string To, [property: JsonPropertyName("etag")] string? ETag);

/// <summary>Body of <c>POST dirs</c>.</summary>
public sealed record CreateDirectoryRequest(string? Path);

/// <summary>A directory made (201) or already there (200).</summary>
public sealed record DirectoryDto(string Path);

/// <summary>
/// <c>GET tree?path=&amp;depth=</c>: the entries under <c>path</c> (the root when empty) down to
/// <c>depth</c> levels (default 1: its children; at most 32), parents before children, directories
/// first then by name. Ignored and <c>.git</c> entries are left out; symlinks are listed, not
/// followed. At most 10,000 entries: a larger tree comes back with <c>truncated</c> true (the
/// shallower levels complete), to be listed directory by directory.
/// </summary>
public sealed record TreeDto(string Path, int Depth, IReadOnlyList<TreeEntryDto> Entries, bool Truncated)
{
    public static TreeDto From(TreeListing listing) =>
        new(listing.Path, listing.Depth, listing.Entries.Select(TreeEntryDto.From).ToList(), listing.Truncated);
}

/// <summary>One entry: <c>size</c> is null for directories and symlinks.</summary>
public sealed record TreeEntryDto(string Name, string Path, EntryKind Kind, long? Size, DateTimeOffset Modified)
{
    public static TreeEntryDto From(TreeEntry e) => new(e.Name, e.Path, e.Kind, e.Size, e.Modified);
}
