using System.Globalization;
using System.Text;
using Wright.Core.Actions.EditFormats;
using Wright.Core.Errors;

namespace Wright.Core.Actions;

/// <summary>
/// FILE_CHANGE: the native file tools (write, exact-match edit, delete, move) and edits written
/// in the answer's text. Everything is staged and checked during validation; execution writes
/// the staged files one by one, each atomically.
/// </summary>
public sealed class FileChangeHandler : IActionHandler
{
    public bool CanHandle(WrightAction action) => action is FileChangeAction or TextEditAction;

    public Task ValidateAsync(WrightAction action, ActionRunContext context, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var files = context.Files;
        switch (action)
        {
            case FileChangeAction changes:
                var scratch = files.Fork();
                var touched = new List<string>();
                for (var i = 0; i < changes.Changes.Count; i++)
                {
                    touched.AddRange(Stage(changes.Changes[i], i, changes.Changes.Count, scratch, context));
                }

                files.Adopt(scratch);
                context.RecordStagedPaths(touched);
                break;

            case TextEditAction text:
                var options = text.Options;
                var report = TextEdits.Apply(text.Format, text.Response, files, options);
                context.RecordStagedPaths(report.ChangedPaths);
                break;

            default:
                throw new ArgumentException($"{action.GetType().Name} is not a file change.", nameof(action));
        }

        return Task.CompletedTask;
    }

    public async Task ExecuteAsync(WrightAction action, ActionRunContext context, CancellationToken cancellationToken)
    {
        await context.WriteStagedAsync(context.StagedPathsOfCurrentAction, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Nothing to undo by hand: every file this handler writes is in the working tree the safety point restores.</summary>
    public Task RollbackAsync(WrightAction action, ActionRunContext context, CancellationToken cancellationToken) => Task.CompletedTask;

    private static IEnumerable<string> Stage(FileChange change, int index, int count, StagedFiles files, ActionRunContext context)
    {
        var path = context.Normalize(change.Path);
        var where = count > 1 ? $"Change {index + 1} of {count} ({change.GetType().Name} {path})" : $"{change.GetType().Name} {path}";
        switch (change)
        {
            case WriteFile write:
                files.Write(path, write.Content);
                return [path];

            case EditFile edit:
            {
                var content = files.Read(path) ?? throw EditErrors.FileState($"{where}: there is no file '{path}' to edit; create it with write_file.");
                if (edit.OldText.Length == 0)
                {
                    throw WrightException.Invalid(ActionErrorCodes.EditNoMatch, $"{where}: old_text is empty; give the exact text to replace.");
                }

                var occurrences = TextLines.CountOccurrences(content, edit.OldText);
                if (occurrences == 0)
                {
                    var detail = new StringBuilder();
                    detail.Append(CultureInfo.InvariantCulture, $"{where}: old_text does not occur in '{path}'.\n");
                    TextEdits.AppendClosest(detail, path, content, edit.OldText);
                    detail.Append("old_text must match the file exactly, including whitespace and indentation.");
                    throw EditErrors.NoMatch(detail.ToString());
                }

                if (occurrences > 1)
                {
                    throw WrightException.Conflict(ActionErrorCodes.EditAmbiguous, $"{where}: old_text occurs {occurrences} times in '{path}'; include enough surrounding lines to make it unique.");
                }

                var at = content.IndexOf(edit.OldText, StringComparison.Ordinal);
                files.Write(path, string.Concat(content.AsSpan(0, at), edit.NewText, content.AsSpan(at + edit.OldText.Length)));
                return [path];
            }

            case DeleteFile:
                if (!files.Exists(path))
                {
                    throw EditErrors.FileState($"{where}: there is no file '{path}' to delete.");
                }

                files.Delete(path);
                return [path];

            case MoveFile move:
            {
                var destination = context.Normalize(move.Destination);
                var content = files.Read(path) ?? throw EditErrors.FileState($"{where}: there is no file '{path}' to move.");
                if (files.Exists(destination))
                {
                    throw EditErrors.FileState($"{where}: '{destination}' already exists; delete it first or choose another name.");
                }

                files.Delete(path);
                files.Write(destination, content);
                return [path, destination];
            }

            default:
                throw new ArgumentException($"Unknown file change {change.GetType().Name}.", nameof(change));
        }
    }
}
