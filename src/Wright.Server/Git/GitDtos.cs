using Wright.Core.Git;

namespace Wright.Server.Git;

/// <summary>
/// The working tree against HEAD. <c>branch</c> is null when detached; <c>head</c> is null before
/// the first commit; <c>ahead</c>/<c>behind</c> only with an upstream.
/// </summary>
public sealed record GitStatusDto(
    string? Branch,
    string? Head,
    bool Detached,
    string? Upstream,
    int? Ahead,
    int? Behind,
    bool Clean,
    IReadOnlyList<GitStatusEntryDto> Entries,
    bool Truncated)
{
    public static GitStatusDto From(GitStatus s) => new(
        s.Branch,
        s.Head,
        s.Branch is null,
        s.Upstream,
        s.Ahead,
        s.Behind,
        s.IsClean,
        s.Entries.Select(e => new GitStatusEntryDto(e.Path, e.OriginalPath, e.Index, e.Worktree)).ToList(),
        s.Truncated);
}

/// <summary>A changed path: <c>index</c> is its staged state, <c>worktree</c> its unstaged state.</summary>
public sealed record GitStatusEntryDto(string Path, string? OriginalPath, GitChange Index, GitChange Worktree);

public sealed record GitPersonDto(string Name, string Email, DateTimeOffset Date);

public sealed record GitTrailerDto(string Key, string Value);

/// <summary>A file a commit changed; <c>additions</c>/<c>deletions</c> are null for binary files.</summary>
public sealed record GitCommitFileDto(string Path, string? OriginalPath, GitChange Change, int? Additions, int? Deletions)
{
    public static GitCommitFileDto From(GitCommitFile f) => new(f.Path, f.OriginalPath, f.Change, f.Additions, f.Deletions);
}

/// <summary>A commit: <c>body</c> is the message after the subject, trailers included; <c>trailers</c> parses them.</summary>
public sealed record GitCommitDto(
    string Sha,
    IReadOnlyList<string> Parents,
    GitPersonDto Author,
    GitPersonDto Committer,
    string Subject,
    string Body,
    IReadOnlyList<GitTrailerDto> Trailers,
    IReadOnlyList<GitCommitFileDto> Files,
    bool FilesTruncated)
{
    public static GitCommitDto From(GitCommit c) => new(
        c.Sha,
        c.Parents,
        new GitPersonDto(c.Author.Name, c.Author.Email, c.Author.Date),
        new GitPersonDto(c.Committer.Name, c.Committer.Email, c.Committer.Date),
        c.Subject,
        c.Body,
        c.Trailers.Select(t => new GitTrailerDto(t.Key, t.Value)).ToList(),
        c.Files.Select(GitCommitFileDto.From).ToList(),
        c.FilesTruncated);
}

/// <summary>One file's unified diff; <c>patch</c> is null when the diff was cut before it.</summary>
public sealed record GitFileDiffDto(string Path, string? OriginalPath, GitChange Change, int? Additions, int? Deletions, bool Binary, string? Patch, bool Truncated);

/// <summary><c>GET git/commits/{rev}</c>: the commit and each file's diff, <c>truncated</c> when the diff was capped.</summary>
public sealed record GitCommitDiffDto(GitCommitDto Commit, IReadOnlyList<GitFileDiffDto> Files, bool Truncated)
{
    public static GitCommitDiffDto From(GitCommitDiff d) => new(
        GitCommitDto.From(d.Commit),
        d.Files.Select(f => new GitFileDiffDto(f.File.Path, f.File.OriginalPath, f.File.Change, f.File.Additions, f.File.Deletions, f.Binary, f.Patch, f.Truncated)).ToList(),
        d.Truncated);
}

public sealed record GitBranchDto(string Name, string Sha, bool Current, string? Upstream, int? Ahead, int? Behind)
{
    public static GitBranchDto From(GitBranch b) => new(b.Name, b.Sha, b.Current, b.Upstream, b.Ahead, b.Behind);
}

public sealed record SafetyPointDto(string Id, string Ref, string? Head, string? Branch, string Snapshot, DateTimeOffset CreatedAt)
{
    public static SafetyPointDto From(SafetyPoint p) => new(p.Id, p.Ref, p.Head, p.Branch, p.Snapshot, p.CreatedAt);
}

/// <summary>Body of <c>POST git/commits</c>: commits <c>paths</c> (all changes when absent) with the message and trailers.</summary>
public sealed record CreateCommitRequest(string Message, IReadOnlyList<string>? Paths, Dictionary<string, string>? Trailers);

/// <summary>Body of <c>POST git/branches</c>: a new branch at <c>startPoint</c> (HEAD by default), switched to when <c>switch</c>.</summary>
public sealed record CreateBranchRequest(string Name, string? StartPoint, bool? Switch);

/// <summary>Body of <c>POST git/checkout</c>: the local branch to switch to.</summary>
public sealed record CheckoutRequest(string Branch);
