using System.IO.Compression;
using System.Text;
using Wright.Core.Git;
using Wright.Core.Workspace;

namespace Wright.Core.Projects;

public sealed partial class ProjectService
{
    /// <summary>Unix file type and permission bits, stored in the high half of a zip entry's external attributes.</summary>
    private const int UnixRegularFile = 0b1000_000_110_100_100; // 0100644
    private const int UnixExecutableFile = 0b1000_000_111_101_101; // 0100755
    private const int UnixSymbolicLink = 0b1010_000_111_111_111; // 0120777

    /// <summary>
    /// Writes the working tree as a zip to <paramref name="destination"/> as it goes: tracked and
    /// untracked files as they are on disk now (uncommitted edits included), without .git and
    /// without what .gitignore excludes. Symbolic links are stored as links, never followed, and
    /// every entry is checked again as it is read: a path whose directory has since become a link
    /// out of the project, a FIFO, socket or device, and (unless allowed) a hard-linked file are left
    /// out, so the archive only ever holds the project's own bytes.
    /// </summary>
    public async Task WriteZipAsync(Project project, Stream destination, CancellationToken cancellationToken)
    {
        var paths = await _git.ListWorkingTreeFilesAsync(project.RootPath, cancellationToken).ConfigureAwait(false);
        var output = new DeferredWriteStream(destination);
        await using (output.ConfigureAwait(false))
        {
            var archive = await ZipArchive.CreateAsync(output, ZipArchiveMode.Create, leaveOpen: true, entryNameEncoding: null, cancellationToken).ConfigureAwait(false);
            await using (archive.ConfigureAwait(false))
            {
                await WriteEntriesAsync(archive, output, project, paths, cancellationToken).ConfigureAwait(false);
            }

            await output.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task WriteEntriesAsync(ZipArchive archive, DeferredWriteStream output, Project project, IReadOnlyList<string> paths, CancellationToken cancellationToken)
    {
        var realRoot = Path.TrimEndingDirectorySeparator(PathJail.ResolveReal(Path.GetFullPath(project.RootPath)));
        foreach (var path in paths)
        {
            await output.FlushAsync(cancellationToken).ConfigureAwait(false);
            var full = PathJail.ResolveListedEntry(realRoot, path);
            if (full is null)
            {
                ProjectLog.ExportSkipped(_logger, project.Id, path, "a symbolic link takes its directory outside the project");
                continue;
            }

            var node = FileNode.Inspect(full);
            if (node.Kind == FileNodeKind.Special || (node.IsHardLinked && !_options.AllowHardLinks))
            {
                ProjectLog.ExportSkipped(_logger, project.Id, path, node.Kind == FileNodeKind.Special ? "not a regular file" : "a hard link");
                continue;
            }

            var info = new FileInfo(full);
            if (info.LinkTarget is { } target)
            {
                var link = archive.CreateEntry(path, CompressionLevel.NoCompression);
                link.ExternalAttributes = UnixSymbolicLink << 16;
                var stream = await link.OpenAsync(cancellationToken).ConfigureAwait(false);
                await using (stream.ConfigureAwait(false))
                {
                    await stream.WriteAsync(Encoding.UTF8.GetBytes(target), cancellationToken).ConfigureAwait(false);
                }

                continue;
            }

            if (!info.Exists)
            {
                // Deleted since it was committed, or a submodule (a directory): neither is a file to export.
                continue;
            }

            FileStream source;
            try
            {
                source = new FileStream(full, new FileStreamOptions { Mode = FileMode.Open, Access = FileAccess.Read, Share = FileShare.ReadWrite | FileShare.Delete, Options = FileOptions.Asynchronous | FileOptions.SequentialScan });
            }
            catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
            {
                // Deleted between the listing and now: the export shows the tree without it, as if a moment later.
                continue;
            }

            await using (source.ConfigureAwait(false))
            {
                var entry = archive.CreateEntry(path, CompressionLevel.Fastest);
                entry.LastWriteTime = info.LastWriteTime;
                var executable = !OperatingSystem.IsWindows() && (info.UnixFileMode & UnixFileMode.UserExecute) != 0;
                entry.ExternalAttributes = (executable ? UnixExecutableFile : UnixRegularFile) << 16;
                var content = await entry.OpenAsync(cancellationToken).ConfigureAwait(false);
                await using (content.ConfigureAwait(false))
                {
                    await source.CopyToAsync(content, cancellationToken).ConfigureAwait(false);
                }
            }
        }
    }

    /// <summary>Throws <c>repository_empty</c> before a bundle export starts when there is nothing to bundle.</summary>
    public Task EnsureBundleableAsync(Project project, CancellationToken cancellationToken) =>
        _git.EnsureBundleableAsync(project.RootPath, cancellationToken);

    /// <summary>Streams a git bundle of the project's branches, tags and HEAD; <c>git clone</c> restores it.</summary>
    public Task WriteBundleAsync(Project project, Stream destination, CancellationToken cancellationToken) =>
        _git.WriteBundleAsync(project.RootPath, destination, cancellationToken);
}
