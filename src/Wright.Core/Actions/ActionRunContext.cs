using Microsoft.Extensions.Logging;
using Wright.Core.Errors;
using Wright.Core.Workspace;

namespace Wright.Core.Actions;

/// <summary>
/// What the handlers of one ActionRun share: the request, the staged files (read through the
/// path jail), the commands' results, and the way to put a staged file on disk.
/// </summary>
public sealed class ActionRunContext
{
    /// <summary>Largest file an action reads or writes.</summary>
    public const long MaxFileBytes = 10 * 1024 * 1024;

    private readonly Dictionary<string, TextFormat> _formats = new(StringComparer.Ordinal);
    private readonly Dictionary<int, IReadOnlyList<string>> _stagedPaths = [];

    internal ActionRunContext(ActionRunRequest request, string actionId, string projectRoot, TimeProvider time, ILogger logger)
    {
        Request = request;
        ActionId = actionId;
        ProjectRoot = projectRoot;
        Time = time;
        Logger = logger;
        Files = new StagedFiles(ReadFromDisk);
    }

    public ActionRunRequest Request { get; }

    public string ActionId { get; }

    /// <summary>The project's root with symbolic links resolved.</summary>
    public string ProjectRoot { get; }

    public StagedFiles Files { get; }

    public TimeProvider Time { get; }

    public ILogger Logger { get; }

    public List<CommandResult> Commands { get; } = [];

    /// <summary>The index of the action being validated, executed or rolled back.</summary>
    public int CurrentIndex { get; internal set; }

    /// <summary>Remembers which paths the current action staged, so its execution writes exactly those.</summary>
    public void RecordStagedPaths(IEnumerable<string> paths) => _stagedPaths[CurrentIndex] = paths.Distinct(StringComparer.Ordinal).ToList();

    public IReadOnlyList<string> StagedPathsOfCurrentAction => _stagedPaths.GetValueOrDefault(CurrentIndex) ?? [];

    /// <summary>The normalized project-relative form of a path, or a path error (outside the project, inside .git, …).</summary>
    public string Normalize(string path) => PathJail.Resolve(ProjectRoot, path).RelativePath;

    /// <summary>Puts the staged state of <paramref name="path"/> on disk: an atomic write, or a deletion.</summary>
    public async Task WriteStagedAsync(string path, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var jailed = PathJail.Resolve(ProjectRoot, path);
        var content = Files.Read(path);
        if (content is null)
        {
            if (File.Exists(jailed.EntryPath) || new FileInfo(jailed.EntryPath).LinkTarget is not null)
            {
                File.Delete(jailed.EntryPath);
            }
        }
        else
        {
            var format = _formats.GetValueOrDefault(path) ?? new TextFormat(false, false, LineEnding.None);
            var bytes = format.Encode(content);
            if (bytes.Length > MaxFileBytes)
            {
                throw new WrightException(ErrorKind.TooLarge, ErrorCodes.FileTooLarge, $"'{path}' would be {bytes.Length} bytes; files an action writes are limited to {MaxFileBytes} bytes.");
            }

            AtomicFile.Write(jailed.RealPath, bytes);
        }

        await ReportAsync(ActionRunStage.FileWritten, path, cancellationToken).ConfigureAwait(false);
    }

    public async Task ReportAsync(ActionRunStage stage, string? subject, CancellationToken cancellationToken)
    {
        if (Request.Progress is { } progress)
        {
            await progress(new ActionRunProgress(ActionId, stage, subject), cancellationToken).ConfigureAwait(false);
        }
    }

    private string? ReadFromDisk(string path)
    {
        var jailed = PathJail.Resolve(ProjectRoot, path);
        if (Directory.Exists(jailed.RealPath))
        {
            throw WrightException.Conflict(ErrorCodes.FileIsDirectory, $"'{jailed.RelativePath}' is a directory, not a file.");
        }

        var info = new FileInfo(jailed.RealPath);
        if (!info.Exists)
        {
            return null;
        }

        if (info.Length > MaxFileBytes)
        {
            throw new WrightException(ErrorKind.TooLarge, ErrorCodes.FileTooLarge, $"'{jailed.RelativePath}' is {info.Length} bytes; actions change files of at most {MaxFileBytes} bytes.");
        }

        var bytes = File.ReadAllBytes(jailed.RealPath);
        var format = TextFormat.Detect(bytes, out var text);
        if (format.Binary || text is null)
        {
            throw WrightException.Conflict(ErrorCodes.FileIsBinary, $"'{jailed.RelativePath}' is a binary file; actions change text files only.");
        }

        _formats[path] = format;

        // Models write '\n'; a CRLF file is edited as LF text and written back with CRLF.
        return format.LineEnding == LineEnding.Crlf ? text.Replace("\r\n", "\n", StringComparison.Ordinal) : text;
    }
}
