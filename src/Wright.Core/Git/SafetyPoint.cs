namespace Wright.Core.Git;

/// <summary>
/// A state of a repository to return to: the commit HEAD was on (<see cref="Head"/>, null before
/// the first commit), the branch, and a snapshot commit of the index and working tree at that
/// moment (uncommitted and untracked changes included, ignored files not), kept under
/// <see cref="Ref"/> so git's garbage collection never removes it.
/// </summary>
public sealed record SafetyPoint(string Id, string Ref, string? Head, string? Branch, string Snapshot, DateTimeOffset CreatedAt);
