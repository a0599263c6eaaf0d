namespace Wright.Core.Git;

/// <summary>Who made a commit (or committed it) and when.</summary>
public sealed record GitPerson(string Name, string Email, DateTimeOffset Date);

/// <summary>One <c>Key: value</c> line of a commit message's trailer block; keys may repeat.</summary>
public sealed record GitTrailer(string Key, string Value);

/// <summary>
/// A path a commit changed against its first parent. Additions and deletions are null for binary files.
/// </summary>
public sealed record GitCommitFile(string Path, string? OriginalPath, GitChange Change, int? Additions, int? Deletions);

/// <summary>
/// A commit with its message split into subject, body and trailers. <see cref="Body"/> is the
/// message after the subject as git stores it (the trailer block included). <see cref="FilesTruncated"/>
/// when the commit changed more files than one response carries.
/// </summary>
public sealed record GitCommit(
    string Sha,
    IReadOnlyList<string> Parents,
    GitPerson Author,
    GitPerson Committer,
    string Subject,
    string Body,
    IReadOnlyList<GitTrailer> Trailers,
    IReadOnlyList<GitCommitFile> Files,
    bool FilesTruncated);

/// <summary>A page of history, newest first, and the cursor of the next page.</summary>
public sealed record GitLogPage(IReadOnlyList<GitCommit> Commits, string? NextCursor);

/// <summary>
/// One file's unified diff in a commit. <see cref="Patch"/> is null when the diff was cut before
/// this file; <see cref="Truncated"/> when any of it is missing.
/// </summary>
public sealed record GitFileDiff(GitCommitFile File, bool Binary, string? Patch, bool Truncated);

/// <summary>A commit and the diff of each file it changed, capped in size (<see cref="Truncated"/>).</summary>
public sealed record GitCommitDiff(GitCommit Commit, IReadOnlyList<GitFileDiff> Files, bool Truncated);
