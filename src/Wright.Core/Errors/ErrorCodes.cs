namespace Wright.Core.Errors;

/// <summary>The stable error codes clients may branch on; never rename one.</summary>
public static class ErrorCodes
{
    public const string ValidationFailed = "validation_failed";
    public const string NotFound = "not_found";
    public const string RouteNotFound = "route_not_found";
    public const string MethodNotAllowed = "method_not_allowed";
    public const string PayloadTooLarge = "payload_too_large";
    public const string InternalError = "internal_error";
    public const string InvalidCursor = "invalid_cursor";
    public const string InvalidBody = "invalid_body";
    public const string UriTooLong = "uri_too_long";

    public const string ProjectNotFound = "project_not_found";
    public const string ProjectPathTaken = "project_path_taken";
    public const string ProjectPathMissing = "project_path_missing";
    public const string ProjectPathExists = "project_path_exists";
    public const string ProjectNotGitRepository = "project_not_git_repository";
    public const string ProjectArchived = "project_archived";
    public const string ProjectPathOverlaps = "project_path_overlaps";
    public const string ProjectDeleteRefused = "project_delete_refused";
    public const string CloneUrlInvalid = "clone_url_invalid";
    public const string CloneFailed = "clone_failed";
    public const string CloneNotFound = "clone_not_found";
    public const string CloneCancelled = "clone_cancelled";
    public const string ProjectPathReserved = "project_path_reserved";
    public const string ProjectPathNotAllowed = "project_path_not_allowed";

    public const string PathOutsideProject = "path_outside_project";
    public const string PathInvalid = "path_invalid";
    public const string PathInsideGit = "path_inside_git";
    public const string PathIgnored = "path_ignored";
    public const string FileNotFound = "file_not_found";
    public const string FileTooLarge = "file_too_large";
    public const string FileIsBinary = "file_is_binary";
    public const string FileIsDirectory = "file_is_directory";
    public const string DirectoryNotFound = "directory_not_found";
    public const string FileExists = "file_exists";
    public const string DirectoryNotEmpty = "directory_not_empty";
    public const string DestinationExists = "destination_exists";
    public const string VersionConflict = "version_conflict";
    public const string ProjectBusy = "project_busy";
    public const string NotARegularFile = "not_a_regular_file";
    public const string FileHardLinked = "file_hard_linked";

    public const string GitUnavailable = "git_unavailable";
    public const string GitFailed = "git_failed";
    public const string CommitNotFound = "commit_not_found";
    public const string BranchNotFound = "branch_not_found";
    public const string BranchExists = "branch_exists";
    public const string NothingToCommit = "nothing_to_commit";
    public const string RefInvalid = "ref_invalid";
    public const string BranchNameInvalid = "branch_name_invalid";
    public const string UncommittedChanges = "uncommitted_changes";
    public const string RepositoryEmpty = "repository_empty";
    public const string SafetyPointNotFound = "safety_point_not_found";
    public const string RemoteNotFound = "remote_not_found";
    public const string RemoteExists = "remote_exists";
    public const string RemoteNameInvalid = "remote_name_invalid";
    public const string RemoteUrlInvalid = "remote_url_invalid";
    public const string RemoteAuthFailed = "remote_auth_failed";
    public const string RemoteUnreachable = "remote_unreachable";
    public const string PushRejected = "push_rejected";
    public const string NoMergeInProgress = "no_merge_in_progress";
    public const string MergeInProgress = "merge_in_progress";
    public const string InvalidRegex = "invalid_regex";
    public const string WorkbenchStateTooLarge = "workbench_state_too_large";

    public const string DatabaseTooNew = "database_too_new";
    public const string DatabaseUnavailable = "database_unavailable";
    public const string TlsCertificateInvalid = "tls_certificate_invalid";

    public const string Unauthenticated = "unauthenticated";
    public const string TokenExpired = "token_expired";
    public const string InvalidCredentials = "invalid_credentials";
    public const string RefreshTokenInvalid = "refresh_token_invalid";
    public const string RefreshTokenReused = "refresh_token_reused";
    public const string UserDisabled = "user_disabled";
    public const string InsufficientScope = "insufficient_scope";
    public const string AdminRequired = "admin_required";
    public const string ProjectOwnerRequired = "project_owner_required";
    public const string CsrfFailed = "csrf_failed";
    public const string RateLimited = "rate_limited";
    public const string UserNotFound = "user_not_found";
    public const string UserNameTaken = "user_name_taken";
    public const string UserSelfLockout = "user_self_lockout";
    public const string TokenNotFound = "token_not_found";
    public const string SetupUnavailable = "setup_unavailable";
    public const string SetupTokenInvalid = "setup_token_invalid";
    public const string MemberNotFound = "member_not_found";

    public const string ModelUnknown = "model_unknown";
    public const string ProviderUnknown = "provider_unknown";
    public const string ProviderNotConfigured = "provider_not_configured";
    public const string ProviderUnavailable = "provider_unavailable";
    public const string ProviderAuthFailed = "provider_auth_failed";
    public const string ProviderOverloaded = "provider_overloaded";
    public const string ProviderTimeout = "provider_timeout";
    public const string ProviderRejected = "provider_rejected";
    public const string ProviderStreamFailed = "provider_stream_failed";
    public const string ContextTooLong = "context_too_long";

    public const string SessionNotFound = "session_not_found";
    public const string MessageNotFound = "message_not_found";
    public const string ImportInvalid = "import_invalid";

    public const string TerminalNotFound = "terminal_not_found";
    public const string TerminalShellNotFound = "terminal_shell_not_found";
    public const string TerminalSizeInvalid = "terminal_size_invalid";
    public const string TerminalStartFailed = "terminal_start_failed";
    public const string WebSocketRequired = "websocket_required";
    public const string SandboxUnavailable = "sandbox_unavailable";
    public const string AgentNotFound = "agent_not_found";
    public const string HookPayloadInvalid = "hook_payload_invalid";
    public const string HookUncorrelated = "hook_uncorrelated";
    public const string PreviewNotFound = "preview_not_found";
    public const string PreviewPortInvalid = "preview_port_invalid";
    public const string BackgroundCommandNotFound = "background_command_not_found";
    public const string BackgroundCommandLimit = "background_command_limit";

    public const string HistorySummaryEmpty = "history_summary_empty";
    public const string MergeConflict = "merge_conflict";
    public const string MergeSourceInvalid = "merge_source_invalid";
    public const string MergeNothingToMerge = "merge_nothing_to_merge";
    public const string SessionAnswering = "session_answering";
    public const string SessionMerging = "session_merging";
}
