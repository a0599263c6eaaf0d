using Microsoft.Extensions.Logging;
using Wright.Core.Errors;
using Wright.Core.Events;
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
    private readonly Dictionary<string, byte[]> _originalBytes = new(StringComparer.Ordinal);

    private readonly IEventBus? _events;

    internal ActionRunContext(ActionRunRequest request, string actionId, string projectRoot, TimeProvider time, ILogger logger, IEventBus? events = null)
    {
        _events = events;
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

    /// <summary>The bytes a file had before the run (null when it did not exist); known for every path read or staged.</summary>
    public byte[]? OriginalBytes(string path)
    {
        Files.Original(path);
        return _originalBytes.GetValueOrDefault(path);
    }

    /// <summary>
    /// Puts the staged state of <paramref name="paths"/> on disk: every new content is first
    /// written to a temp file, then each is renamed over its target (or the file deleted), in
    /// order. A crash leaves every file old or new, and the journal says which run to finish or
    /// undo. The files are not fsynced one by one: the journal is, and it holds every touched
    /// file's old bytes, so even after a power cut the run rolls back from it; once the run's
    /// commit exists, durability is git's own. (Twenty fsyncs cost more than the whole commit.)
    /// </summary>
    public async Task WriteStagedAsync(IReadOnlyList<string> paths, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var plans = paths.Select(path =>
        {
            var jailed = PathJail.Resolve(ProjectRoot, path);
            var content = Files.Read(path);
            byte[]? bytes = null;
            if (content is not null)
            {
                var format = _formats.GetValueOrDefault(path) ?? new TextFormat(false, false, LineEnding.None);
                bytes = format.Encode(content);
                if (bytes.Length > MaxFileBytes)
                {
                    throw new WrightException(ErrorKind.TooLarge, ErrorCodes.FileTooLarge, $"'{path}' would be {bytes.Length} bytes; files an action writes are limited to {MaxFileBytes} bytes.");
                }
            }

            return (Path: path, Jailed: jailed, Bytes: bytes, Temp: (string?)null);
        }).ToArray();

        try
        {
            for (var i = 0; i < plans.Length; i++)
            {
                if (plans[i].Bytes is { } bytes)
                {
                    plans[i].Temp = AtomicFile.Prepare(ProjectRoot, plans[i].Jailed.RealPath, bytes, durable: false);
                }
            }

            for (var i = 0; i < plans.Length; i++)
            {
                if (plans[i].Temp is { } temp)
                {
                    AtomicFile.Commit(temp, plans[i].Jailed.RealPath);
                    plans[i].Temp = null;
                    _events?.Publish(EventTypes.FileChanged, Request.ProjectId, new FileEventData(plans[i].Path, FileETag.Compute(plans[i].Bytes), FileEventSources.Ai, ActionId));
                }
                else if (File.Exists(plans[i].Jailed.EntryPath) || new FileInfo(plans[i].Jailed.EntryPath).LinkTarget is not null)
                {
                    File.Delete(plans[i].Jailed.EntryPath);
                    _events?.Publish(EventTypes.FileDeleted, Request.ProjectId, new FileEventData(plans[i].Path, null, FileEventSources.Ai, ActionId));
                }

                await ReportAsync(ActionRunStage.FileWritten, plans[i].Path, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            foreach (var plan in plans.Where(p => p.Temp is not null))
            {
                AtomicFile.TryDelete(plan.Temp!);
            }
        }
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
        _originalBytes[path] = bytes;

        // Models write '\n'; a CRLF file is edited as LF text and written back with CRLF.
        return format.LineEnding == LineEnding.Crlf ? text.Replace("\r\n", "\n", StringComparison.Ordinal) : text;
    }
}
