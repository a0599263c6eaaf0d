using System.Text;
using Wright.Core.Errors;
using Wright.Core.Git;
using Wright.Core.Projects;

namespace Wright.Core.Workspace;

/// <summary>The outcome of a three-way merge: the merged text (with conflict markers when <see cref="Conflicts"/> &gt; 0) and the ETag of the disk version merged as "theirs".</summary>
public sealed record FileMergeResult(string Path, string Content, int Conflicts, string ETag);

/// <summary>
/// Merges a client's edit of a file with the version on disk now, from the text the client
/// started from, with <c>git merge-file</c>. Nothing in the project is written: the client reviews
/// the result and saves it with <c>If-Match</c> on the returned ETag.
/// </summary>
public sealed class FileMerge
{
    /// <summary>The conflict labels the merged text shows: the client's side, the common ancestor, the disk.</summary>
    public const string MineLabel = "mine";
    public const string BaseLabel = "base";
    public const string TheirsLabel = "disk";

    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    private readonly ProjectFiles _files;
    private readonly GitRunner _git;

    public FileMerge(ProjectFiles files, GitRunner git)
    {
        _files = files;
        _git = git;
    }

    public async Task<FileMergeResult> MergeAsync(Project project, string? path, string? baseText, string? mineText, CancellationToken cancellationToken)
    {
        if (baseText is null || mineText is null)
        {
            throw WrightException.Invalid(ErrorCodes.ValidationFailed, "A merge needs 'base' (the text the editor loaded) and 'mine' (the edited text).");
        }

        if (Utf8.GetByteCount(baseText) > _files.MaxFileBytes || Utf8.GetByteCount(mineText) > _files.MaxFileBytes)
        {
            throw new WrightException(ErrorKind.TooLarge, ErrorCodes.FileTooLarge, $"A merged text is larger than the files API accepts ({_files.MaxFileBytes} bytes, Wright:MaxFileBytes).");
        }

        if (baseText.Contains('\0', StringComparison.Ordinal) || mineText.Contains('\0', StringComparison.Ordinal))
        {
            throw WrightException.Invalid(ErrorCodes.FileIsBinary, "Only text can be merged: 'base' or 'mine' contains a NUL character.");
        }

        var theirs = await _files.ReadAsync(project, path, cancellationToken).ConfigureAwait(false);
        if (theirs.Format.Binary || theirs.Text is null)
        {
            throw WrightException.Invalid(ErrorCodes.FileIsBinary, $"'{theirs.Path}' is binary on disk; only text files can be merged. Keep one version instead.");
        }

        // Editors hand back their own line endings; comparing lines needs one convention. The
        // merged text comes back with LF, and saving it through the files API restores the file's.
        var crlf = theirs.Format.LineEnding == LineEnding.Crlf;
        var merged = await RunMergeFileAsync(Lines(mineText, crlf), Lines(baseText, crlf), Lines(theirs.Text, crlf), cancellationToken).ConfigureAwait(false);
        return new FileMergeResult(theirs.Path, merged.Content, merged.Conflicts, theirs.ETag);
    }

    private async Task<(string Content, int Conflicts)> RunMergeFileAsync(string mine, string ancestor, string theirs, CancellationToken cancellationToken)
    {
        // The three versions go to a private directory outside every project, so no watcher sees
        // them and nothing of the project is touched; the directory goes away whatever happens.
        var directory = Path.Combine(Path.GetTempPath(), "wright-merge-" + Guid.NewGuid().ToString("N"));
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(directory);
        }
        else
        {
            Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        try
        {
            var minePath = Path.Combine(directory, "mine");
            var basePath = Path.Combine(directory, "base");
            var theirsPath = Path.Combine(directory, "theirs");
            await File.WriteAllTextAsync(minePath, mine, Utf8, cancellationToken).ConfigureAwait(false);
            await File.WriteAllTextAsync(basePath, ancestor, Utf8, cancellationToken).ConfigureAwait(false);
            await File.WriteAllTextAsync(theirsPath, theirs, Utf8, cancellationToken).ConfigureAwait(false);

            // Exit code: the number of conflicts (capped by the shell's range), or 255 on error.
            var result = await _git.RunAsync(
                directory,
                ["merge-file", "-p", "-L", MineLabel, "-L", BaseLabel, "-L", TheirsLabel, minePath, basePath, theirsPath],
                cancellationToken).ConfigureAwait(false);
            if (result.ExitCode is < 0 or >= 128)
            {
                throw WrightException.Conflict(ErrorCodes.GitFailed, "git merge-file failed: " + result.StandardError.Trim());
            }

            // git caps the count at 127; only then are the markers counted (a file may hold marker-like lines of its own).
            var conflicts = result.ExitCode < 127 ? result.ExitCode : Math.Max(127, CountConflicts(result.StandardOutput));
            return (result.StandardOutput, conflicts);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>Conflict regions are the lines that open with git's marker and the mine label.</summary>
    private static int CountConflicts(string merged)
    {
        var marker = "<<<<<<< " + MineLabel;
        var count = 0;
        foreach (var line in merged.Split('\n'))
        {
            if (line == marker)
            {
                count++;
            }
        }

        return count;
    }

    private static string Lines(string text, bool crlf) => crlf ? text.Replace("\r\n", "\n", StringComparison.Ordinal) : text;
}
