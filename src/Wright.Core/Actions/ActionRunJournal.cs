using System.Text.Json;
using System.Text.Json.Serialization;
using Wright.Core.Git;
using Wright.Core.Workspace;

namespace Wright.Core.Actions;

/// <summary>A file as it was before a run: its bytes (base64), or null when it did not exist.</summary>
public sealed record JournalFile(string Path, string? Content);

/// <summary>
/// The record that an ActionRun is changing the working tree, in <c>.git/wright/actionrun.json</c>
/// (inside the git directory, so it is never committed, listed or edited as a project file). It
/// is written atomically and fsynced before the first file changes, and removed once the run has
/// committed or rolled back; a journal found later means a run died in between.
/// </summary>
/// <remarks>
/// The journal is also the run's safety point when every action is a file change (FILE_CHANGE,
/// CONFIG, SCAFFOLD): those can only change the files they staged, so <see cref="Files"/> — each
/// one's bytes before the run — plus <see cref="Head"/> restore everything, without snapshotting the
/// whole working tree. A run with a COMMAND (which may change any file) records a full git safety
/// point as well (<see cref="SafetyPointId"/>), and rollback resets to it.
/// </remarks>
/// <param name="Head">HEAD when the run began applying (after the user's own commit, if any); null on an unborn branch.</param>
/// <param name="ProcessId">The process that ran it, to tell a dead run's leftover git lock from a live one.</param>
public sealed record ActionRunJournal(string ActionId, string? SafetyPointId, string? Head, DateTimeOffset StartedAt, int ProcessId, IReadOnlyList<JournalFile> Files)
{
    public const string FileName = "actionrun.json";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { DefaultIgnoreCondition = JsonIgnoreCondition.Never };

    public static async Task<string> PathAsync(GitRunner git, string root, CancellationToken cancellationToken)
    {
        // The usual repository keeps its git directory at <root>/.git: no process needed, which
        // matters when the server checks every project for an interrupted run at start-up. A
        // worktree or submodule (.git is a file) asks git where its directory is.
        var dotGit = Path.Combine(root, ".git");
        if (Directory.Exists(dotGit))
        {
            return Path.Combine(dotGit, "wright", FileName);
        }

        var gitDir = (await git.RunCheckedAsync(root, ["rev-parse", "--absolute-git-dir"], cancellationToken).ConfigureAwait(false)).TrimEnd('\n');
        return Path.Combine(gitDir, "wright", FileName);
    }

    public static ActionRunJournal? Read(string path)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<ActionRunJournal>(File.ReadAllBytes(path), Json);
        }
        catch (JsonException)
        {
            // Journals are written by rename, so a torn one cannot exist; an unreadable one was
            // damaged by hand and says nothing we could act on.
            return null;
        }
    }

    public void Write(string path) => AtomicFile.Write(projectRoot: null, path, JsonSerializer.SerializeToUtf8Bytes(this, Json));

    public static void Delete(string path) => File.Delete(path);
}
