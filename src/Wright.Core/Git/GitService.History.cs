using System.Buffers.Text;
using System.Globalization;
using System.Text;
using Wright.Core.Errors;
using Wright.Core.Paging;

namespace Wright.Core.Git;

public sealed partial class GitService
{
    /// <summary>Largest log output read for one page; a page that would be larger ends early and its cursor continues.</summary>
    internal const int MaxLogChars = 8 * 1024 * 1024;

    /// <summary>Most files listed per commit; the commit says FilesTruncated past it.</summary>
    internal const int MaxFilesPerCommit = 1_000;

    /// <summary>Default cap of one commit's unified diff, in characters.</summary>
    public const int DefaultMaxPatchChars = 2 * 1024 * 1024;

    /// <summary>
    /// Options that make git's output the same whatever the user's configuration says: no
    /// signatures mixed into the format, root commits shown with their files, no colour, no
    /// external diff programs, renames detected, merges diffed against their first parent.
    /// </summary>
    private static readonly string[] StableLogConfig = ["-c", "log.showSignature=false", "-c", "log.showRoot=true", "-c", "diff.noprefix=false", "-c", "diff.mnemonicPrefix=false"];

    private static readonly string[] StableDiffOptions = ["--no-color", "--no-ext-diff", "--no-textconv", "-M", "--diff-merges=first-parent", "--no-relative"];

    /// <summary>
    /// History reachable from <paramref name="revision"/> (HEAD by default), newest first. The
    /// cursor pins the tip the first page started from, so later commits never shift a page.
    /// </summary>
    public async Task<GitLogPage> GetLogAsync(string root, PageRequest page, string? revision, CancellationToken cancellationToken)
    {
        string tip;
        var skip = 0;
        if (page.Cursor is not null)
        {
            (tip, skip) = DecodeLogCursor(page.Cursor);
        }
        else if (revision is null)
        {
            var head = await TryResolveCommitAsync(root, "HEAD", cancellationToken).ConfigureAwait(false);
            if (head is null)
            {
                // A repository without commits has an empty history, not a missing one.
                return new GitLogPage([], null);
            }

            tip = head;
        }
        else
        {
            tip = await ResolveCommitAsync(root, revision, cancellationToken).ConfigureAwait(false);
        }

        var (commits, truncated) = await ReadLogAsync(root, tip, skip, page.Limit + 1, cancellationToken).ConfigureAwait(false);
        var more = commits.Count > page.Limit || truncated;
        if (commits.Count > page.Limit)
        {
            commits.RemoveRange(page.Limit, commits.Count - page.Limit);
        }

        var next = more && commits.Count > 0 ? EncodeLogCursor(tip, skip + commits.Count) : null;
        return new GitLogPage(commits, next);
    }

    /// <summary>One commit with its files; <c>commit_not_found</c> when <paramref name="revision"/> names none.</summary>
    public async Task<GitCommit> GetCommitAsync(string root, string revision, CancellationToken cancellationToken)
    {
        var sha = await ResolveCommitAsync(root, revision, cancellationToken).ConfigureAwait(false);
        var (commits, _) = await ReadLogAsync(root, sha, 0, 1, cancellationToken).ConfigureAwait(false);
        return commits.Count == 1
            ? commits[0]
            : throw WrightException.NotFound(ErrorCodes.CommitNotFound, $"'{revision}' does not name a commit in this repository.");
    }

    /// <summary>
    /// One commit and the unified diff of each file against its first parent, at most
    /// <paramref name="maxPatchChars"/> characters of it: past the cap git is stopped and the
    /// files after it come without a patch, marked truncated.
    /// </summary>
    public async Task<GitCommitDiff> GetCommitDiffAsync(string root, string revision, int maxPatchChars, CancellationToken cancellationToken)
    {
        var commit = await GetCommitAsync(root, revision, cancellationToken).ConfigureAwait(false);
        var patch = await _git.RunCappedAsync(
            root,
            [.. StableLogConfig, "show", "--format=", "--patch", .. StableDiffOptions, commit.Sha, "--"],
            maxPatchChars,
            cancellationToken).ConfigureAwait(false);
        var sections = GitOutputParser.SplitPatch(patch.Output);

        var files = new List<GitFileDiff>(commit.Files.Count);
        var next = 0;
        foreach (var file in commit.Files)
        {
            // git prints a type change (file to symlink) as a deletion and an addition: two sections, one file.
            var take = file.Change == GitChange.TypeChanged ? 2 : 1;
            if (next >= sections.Count)
            {
                files.Add(new GitFileDiff(file, false, null, patch.Truncated));
                continue;
            }

            var text = string.Concat(sections.Skip(next).Take(take));
            next += take;
            var cut = patch.Truncated && next >= sections.Count;
            var binary = text.Contains("\nBinary files ", StringComparison.Ordinal) || text.Contains("\nGIT binary patch", StringComparison.Ordinal);
            files.Add(new GitFileDiff(file, binary, text, cut));
        }

        return new GitCommitDiff(commit, files, patch.Truncated || commit.FilesTruncated);
    }

    private async Task<(List<GitCommit> Commits, bool Truncated)> ReadLogAsync(string root, string tip, int skip, int count, CancellationToken cancellationToken)
    {
        var result = await _git.RunCappedAsync(
            root,
            [
                .. StableLogConfig, "log", "-z", "--format=" + GitOutputParser.LogFormat, "--raw", "--numstat", .. StableDiffOptions,
                "--skip=" + skip.ToString(CultureInfo.InvariantCulture), "--max-count=" + count.ToString(CultureInfo.InvariantCulture), tip, "--",
            ],
            MaxLogChars,
            cancellationToken).ConfigureAwait(false);
        return GitOutputParser.ParseLog(result.Output, result.Truncated, MaxFilesPerCommit);
    }

    private static string EncodeLogCursor(string tip, int skip) =>
        Base64Url.EncodeToString(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{tip}:{skip}")));

    private static (string Tip, int Skip) DecodeLogCursor(string cursor)
    {
        try
        {
            var text = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(cursor));
            var parts = text.Split(':');
            if (parts.Length == 2
                && parts[0].Length is 40 or 64
                && parts[0].All(char.IsAsciiHexDigitLower)
                && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var skip))
            {
                return (parts[0], skip);
            }
        }
        catch (FormatException)
        {
            // Not base64url at all: reported below like any other malformed cursor.
        }

        throw WrightException.Invalid(ErrorCodes.InvalidCursor, "The cursor is not one this endpoint returned; start again without a cursor.");
    }
}
