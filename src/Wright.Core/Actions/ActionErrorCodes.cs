using Wright.Core.Errors;

namespace Wright.Core.Actions;

/// <summary>The stable error codes of ActionRuns, edit formats and undo; never rename one.</summary>
public static class ActionErrorCodes
{
    /// <summary>The answer's edits are not well-formed (an unclosed block, no file name).</summary>
    public const string EditMalformed = "edit_malformed";

    /// <summary>An edit's search text (or diff context) matches nothing in the file.</summary>
    public const string EditNoMatch = "edit_no_match";

    /// <summary>An exact-match edit's old text occurs more than once.</summary>
    public const string EditAmbiguous = "edit_ambiguous";

    /// <summary>An edit names a file that must exist and does not (or must not and does).</summary>
    public const string EditFileState = "edit_file_state";

    /// <summary>An action of a run failed; the workspace was restored to the safety point.</summary>
    public const string ActionFailed = "action_failed";

    /// <summary>No handler accepts an action of this type.</summary>
    public const string ActionUnsupported = "action_unsupported";

    /// <summary>The project's approval policy (or the user) refused a command.</summary>
    public const string CommandDenied = "command_denied";

    public const string CommandFailed = "command_failed";

    public const string CommandTimedOut = "command_timed_out";

    /// <summary><c>.wright/config</c> is not valid JSON or has a setting of the wrong type.</summary>
    public const string ConfigInvalid = "config_invalid";

    public const string ScaffoldTemplateNotFound = "scaffold_template_not_found";

    public const string ScaffoldTargetNotEmpty = "scaffold_target_not_empty";

    public const string UndoNothingToUndo = "undo_nothing_to_undo";

    public const string UndoNotAiCommit = "undo_not_ai_commit";

    public const string UndoNotHead = "undo_not_head";

    public const string UndoCommitPushed = "undo_commit_pushed";

    public const string UndoUncommittedChanges = "undo_uncommitted_changes";

    public const string UndoMergeCommit = "undo_merge_commit";

    public const string UndoRootCommit = "undo_root_commit";
}

/// <summary>Builds the errors of edit formats.</summary>
internal static class EditErrors
{
    public static WrightException Malformed(string detail) => WrightException.Invalid(ActionErrorCodes.EditMalformed, detail);

    public static WrightException NoMatch(string detail) => WrightException.Conflict(ActionErrorCodes.EditNoMatch, detail);

    public static WrightException FileState(string detail) => WrightException.Conflict(ActionErrorCodes.EditFileState, detail);
}
