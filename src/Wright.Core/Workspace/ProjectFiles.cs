using System.Collections.Concurrent;
using System.Text;
using Microsoft.Extensions.Logging;
using Wright.Core.Errors;
using Wright.Core.Events;
using Wright.Core.Hosting;
using Wright.Core.Projects;

namespace Wright.Core.Workspace;

/// <summary>
/// Reads and changes the files of a project through the <see cref="PathJail"/>: atomic writes
/// that keep line endings and BOM, optimistic concurrency on content hashes, and a
/// <c>file.changed</c> / <c>file.deleted</c> event after every change.
/// </summary>
public sealed class ProjectFiles
{

    private const string ApiSource = FileEventSources.Api;

    private readonly WrightOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<ProjectFiles> _logger;
    private readonly IEventBus _events;
    private readonly ConcurrentDictionary<string, bool> _sweptDirectories = new(StringComparer.Ordinal);

    public ProjectFiles(WrightOptions options, TimeProvider time, ILogger<ProjectFiles> logger, IEventBus events)
    {
        _options = options;
        _time = time;
        _logger = logger;
        _events = events;
    }

    public long MaxFileBytes => _options.MaxFileBytes;

    /// <summary>How long a change waits for the project's gate (an ActionRun holds it from its first read to its commit) before answering <c>project_busy</c>.</summary>
    internal TimeSpan GateWait { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Reads a file whole; throws <c>file_not_found</c>, <c>file_is_directory</c> or <c>file_too_large</c>.</summary>
    public async Task<FileRead> ReadAsync(Project project, string? path, CancellationToken cancellationToken)
    {
        var jailed = PathJail.Resolve(project.RootPath, path);
        var info = new FileInfo(jailed.RealPath);
        if (!info.Exists)
        {
            throw Directory.Exists(jailed.RealPath) ? IsDirectory(jailed) : NotFound(jailed);
        }

        PathJail.EnsureReadable(jailed, _options.AllowHardLinks);
        EnsureSize(jailed, info.Length);
        var bytes = await File.ReadAllBytesAsync(jailed.RealPath, cancellationToken).ConfigureAwait(false);
        EnsureSize(jailed, bytes.Length);
        var format = TextFormat.Detect(bytes, out var text);
        return new FileRead(jailed.RelativePath, bytes, FileETag.Compute(bytes), format, text, info.LastWriteTimeUtc);
    }

    /// <summary>Creates or atomically replaces a file, checking the preconditions against the current content under a per-path lock.</summary>
    public async Task<FileWritten> WriteAsync(Project project, string? path, FileWrite write, FilePreconditions preconditions, CancellationToken cancellationToken)
    {
        EnsureWritable(project);
        var jailed = PathJail.Resolve(project.RootPath, path);
        var written = await ProjectGate.RunAsync(project.RootPath, async () =>
        {
            var current = await ReadCurrentAsync(jailed, cancellationToken).ConfigureAwait(false);
            CheckPreconditions(jailed, current, preconditions);
            var bytes = Encode(write, current);
            EnsureSize(jailed, bytes.Length);
            var directory = Path.GetDirectoryName(jailed.RealPath)!;
            CreateDirectory(directory, jailed);
            SweepStaleTempFiles(project.RootPath, directory);
            cancellationToken.ThrowIfCancellationRequested();
            AtomicFile.Write(project.RootPath, jailed.RealPath, bytes);
            var format = TextFormat.Detect(bytes, out _);
            return new FileWritten(jailed.RelativePath, FileETag.Compute(bytes), bytes.Length, current is null, format);
        }, GateWait, cancellationToken).ConfigureAwait(false);

        _events.Publish(EventTypes.FileChanged, project.Id, new FileEventData(written.Path, written.ETag, ApiSource));
        return written;
    }

    /// <summary>Deletes a file, a symlink (not its target), or a directory (non-empty ones only when <paramref name="recursive"/>).</summary>
    public async Task DeleteAsync(Project project, string? path, FilePreconditions preconditions, bool recursive, CancellationToken cancellationToken)
    {
        EnsureWritable(project);
        var jailed = PathJail.Resolve(project.RootPath, path);
        await ProjectGate.RunAsync(project.RootPath, async () =>
        {
            var entry = new FileInfo(jailed.EntryPath);
            if (entry.LinkTarget is not null)
            {
                File.Delete(jailed.EntryPath);
            }
            else if (Directory.Exists(jailed.EntryPath))
            {
                if (!recursive && Directory.EnumerateFileSystemEntries(jailed.EntryPath).Any())
                {
                    throw WrightException.Conflict(ErrorCodes.DirectoryNotEmpty, $"'{jailed.RelativePath}' is a directory that is not empty; pass recursive=true to delete it with its contents.");
                }

                Directory.Delete(jailed.EntryPath, recursive);
            }
            else if (entry.Exists)
            {
                var current = await ReadCurrentAsync(jailed, cancellationToken).ConfigureAwait(false);
                CheckPreconditions(jailed, current, preconditions with { IfNoneMatchAny = false });
                File.Delete(jailed.EntryPath);
            }
            else
            {
                throw NotFound(jailed);
            }

            return true;
        }, GateWait, cancellationToken).ConfigureAwait(false);

        _events.Publish(EventTypes.FileDeleted, project.Id, new FileEventData(jailed.RelativePath, null, ApiSource));
    }

    /// <summary>Renames a file, symlink or directory; an existing destination is replaced only with <paramref name="overwrite"/>, and never when it is a directory.</summary>
    public async Task<string?> MoveAsync(Project project, string? from, string? to, bool overwrite, CancellationToken cancellationToken)
    {
        EnsureWritable(project);
        var source = PathJail.Resolve(project.RootPath, from);
        var destination = PathJail.Resolve(project.RootPath, to);
        if (source.RelativePath == destination.RelativePath)
        {
            throw WrightException.Invalid(ErrorCodes.PathInvalid, "The source and the destination are the same path.");
        }

        if (destination.RelativePath.StartsWith(source.RelativePath + "/", StringComparison.Ordinal))
        {
            throw WrightException.Invalid(ErrorCodes.PathInvalid, "A directory cannot be moved into itself.");
        }

        var etag = await ProjectGate.RunAsync(project.RootPath, async () =>
        {
            var sourceKind = KindOf(source.EntryPath) ?? throw NotFound(source);
            var destinationKind = KindOf(destination.EntryPath);
            if (destinationKind is not null && (!overwrite || destinationKind == EntryKind.Directory || sourceKind == EntryKind.Directory))
            {
                throw WrightException.Conflict(ErrorCodes.DestinationExists, overwrite
                    ? $"'{destination.RelativePath}' exists and is a directory (or the source is); move refuses to replace it."
                    : $"'{destination.RelativePath}' already exists; pass overwrite=true to replace it.");
            }

            CreateDirectory(Path.GetDirectoryName(destination.EntryPath)!, destination);
            if (sourceKind == EntryKind.Directory)
            {
                Directory.Move(source.EntryPath, destination.EntryPath);
            }
            else
            {
                File.Move(source.EntryPath, destination.EntryPath, overwrite);
            }

            return sourceKind == EntryKind.File && File.Exists(destination.EntryPath)
                ? await FileETag.OfFileAsync(destination.EntryPath, _options.MaxFileBytes, cancellationToken).ConfigureAwait(false)
                : null;
        }, GateWait, cancellationToken).ConfigureAwait(false);

        _events.Publish(EventTypes.FileDeleted, project.Id, new FileEventData(source.RelativePath, null, ApiSource));
        _events.Publish(EventTypes.FileChanged, project.Id, new FileEventData(destination.RelativePath, etag, ApiSource));
        return etag;
    }

    /// <summary>Creates a directory and its parents; returns false when it already existed.</summary>
    public Task<bool> CreateDirectoryAsync(Project project, string? path, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        EnsureWritable(project);
        var jailed = PathJail.Resolve(project.RootPath, path);
        switch (KindOf(jailed.RealPath))
        {
            case EntryKind.Directory:
                return Task.FromResult(false);
            case null:
                CreateDirectory(jailed.RealPath, jailed);
                return Task.FromResult(true);
            default:
                throw WrightException.Conflict(ErrorCodes.DestinationExists, $"'{jailed.RelativePath}' already exists and is not a directory.");
        }
    }

    private static EntryKind? KindOf(string path)
    {
        var info = new FileInfo(path);
        if (info.LinkTarget is not null)
        {
            return EntryKind.Symlink;
        }

        if (info.Exists)
        {
            return EntryKind.File;
        }

        return Directory.Exists(path) ? EntryKind.Directory : null;
    }

    /// <summary>Creates a directory and its parents; a file standing where a directory must go is the client's conflict, not a server error.</summary>
    private static void CreateDirectory(string directory, JailedPath jailed)
    {
        try
        {
            Directory.CreateDirectory(directory);
        }
        catch (IOException ex)
        {
            throw new WrightException(ErrorKind.Conflict, ErrorCodes.DestinationExists,
                $"Cannot create the folders of '{jailed.RelativePath}': a file stands where a folder must be.", inner: ex);
        }
    }

    private void EnsureSize(JailedPath jailed, long size)
    {
        if (size > _options.MaxFileBytes)
        {
            throw new WrightException(ErrorKind.TooLarge, ErrorCodes.FileTooLarge,
                $"'{jailed.RelativePath}' is {size} bytes; the files API handles up to {_options.MaxFileBytes} bytes (Wright:MaxFileBytes).");
        }
    }

    private static void EnsureWritable(Project project)
    {
        if (project.IsArchived)
        {
            throw WrightException.Conflict(ErrorCodes.ProjectArchived, $"Project '{project.Name}' is archived; unarchive it to change its files.");
        }
    }

    /// <summary>The file a write replaces, with its version; its bytes only when it is small enough to keep its format and report it in a conflict.</summary>
    private async Task<CurrentFile?> ReadCurrentAsync(JailedPath jailed, CancellationToken cancellationToken)
    {
        if (Directory.Exists(jailed.RealPath))
        {
            throw IsDirectory(jailed);
        }

        FileStream stream;
        try
        {
            stream = new FileStream(jailed.RealPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 1, FileOptions.SequentialScan);
        }
        catch (FileNotFoundException)
        {
            return null;
        }
        catch (DirectoryNotFoundException)
        {
            return null;
        }

        await using (stream.ConfigureAwait(false))
        {
            if (stream.Length > _options.MaxFileBytes)
            {
                return new CurrentFile(await FileETag.ComputeAsync(stream, cancellationToken).ConfigureAwait(false), null, null, null);
            }

            var bytes = new byte[stream.Length];
            await stream.ReadExactlyAsync(bytes, cancellationToken).ConfigureAwait(false);
            var format = TextFormat.Detect(bytes, out var text);
            return new CurrentFile(FileETag.Compute(bytes), bytes, format, text);
        }
    }

    private static void CheckPreconditions(JailedPath jailed, CurrentFile? current, FilePreconditions preconditions)
    {
        if (preconditions.IfNoneMatchAny && current is not null)
        {
            throw WrightException.Conflict(ErrorCodes.FileExists, $"'{jailed.RelativePath}' already exists (If-None-Match: *).", ConflictDetails(jailed, current));
        }

        if (preconditions.IfMatch is { Count: > 0 } tags)
        {
            var matches = current is not null && tags.Any(t => t == "*" || FileETag.Bare(t) == current.ETag);
            if (!matches)
            {
                throw WrightException.Conflict(ErrorCodes.VersionConflict,
                    current is null
                        ? $"'{jailed.RelativePath}' no longer exists; it was deleted after you read it."
                        : $"'{jailed.RelativePath}' changed since you read it; merge with the current content (in this response) and retry with its ETag.",
                    ConflictDetails(jailed, current));
            }
        }
    }

    private static Dictionary<string, object?> ConflictDetails(JailedPath jailed, CurrentFile? current) => new()
    {
        ["path"] = jailed.RelativePath,
        ["currentETag"] = current?.ETag,
        ["currentContent"] = current?.Format is { Binary: false } ? current.Text : null,
    };

    private static byte[] Encode(FileWrite write, CurrentFile? current)
    {
        if (write.Bytes is not null)
        {
            return write.Bytes;
        }

        var text = write.Text ?? "";
        var leadingBom = text.StartsWith('\uFEFF');
        if (leadingBom)
        {
            text = text[1..];
        }

        var existing = current?.Format is { Binary: false } format ? format : null;
        var lineEnding = write.LineEnding ?? existing?.LineEnding ?? LineEnding.None;
        if (lineEnding == LineEnding.Mixed)
        {
            // A mixed file has no single convention to keep: the client's text is written as sent.
            lineEnding = LineEnding.None;
        }

        var bom = write.Bom ?? (leadingBom || (existing?.Bom ?? false));
        try
        {
            return new TextFormat(false, bom, lineEnding).Encode(text);
        }
        catch (EncoderFallbackException)
        {
            throw WrightException.Invalid(ErrorCodes.ValidationFailed, "The content is not valid Unicode (it contains an unpaired surrogate).");
        }
    }

    /// <summary>
    /// Removes temp files that a killed write left: in the project's temp directory, and (the
    /// fallback when it is on another file system, or an older Wright's) beside the targets in
    /// <paramref name="directory"/>; once per directory per process, since listings hide them meanwhile.
    /// The caller holds the project's gate, so none of this process's writes is in flight.
    /// </summary>
    private void SweepStaleTempFiles(string projectRoot, string directory)
    {
        if (!_sweptDirectories.TryAdd(directory, true))
        {
            return;
        }

        var now = _time.GetUtcNow();
        var removed = _sweptDirectories.TryAdd("\0" + projectRoot, true) ? AtomicFile.Sweep(projectRoot, now) : [];
        foreach (var temp in removed.Concat(AtomicFile.SweepBeside(directory, now, ownAreDead: true)))
        {
            WorkspaceLog.StaleTempRemoved(_logger, temp);
        }
    }

    private static WrightException NotFound(JailedPath jailed) =>
        WrightException.NotFound(ErrorCodes.FileNotFound, $"'{jailed.RelativePath}' does not exist in the project.");

    private static WrightException IsDirectory(JailedPath jailed) =>
        WrightException.Conflict(ErrorCodes.FileIsDirectory, $"'{jailed.RelativePath}' is a directory; list it with the tree endpoint.");

    private sealed record CurrentFile(string ETag, byte[]? Bytes, TextFormat? Format, string? Text);
}
