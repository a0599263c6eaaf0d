namespace Wright.Core.Git;

/// <summary>A file as git's index records it: its mode and the id of its blob.</summary>
/// <param name="Mode">Octal as git prints it: <c>100644</c>, <c>100755</c>, <c>120000</c> (a symbolic link), <c>160000</c> (a submodule).</param>
public sealed record GitIndexEntry(string Mode, string BlobId)
{
    /// <summary>A regular file, whose blob is its content (a link's blob is its target; a submodule has none).</summary>
    public bool IsRegularFile => Mode is "100644" or "100755";
}

public sealed partial class GitService
{
    /// <summary>
    /// Every path of the index at stage 0 with its mode and blob id (<c>git ls-files --stage</c>); a
    /// conflicted path (stages 1–3) is left out. Where the working tree has not changed a file (git
    /// status says so), the blob id names its content without reading it.
    /// </summary>
    public Task<IReadOnlyDictionary<string, GitIndexEntry>> ListIndexAsync(string root, CancellationToken cancellationToken) =>
        WatchedGitState.ReadAsync(root, WatchedGitState.Question.Index, () => ReadIndexAsync(root, cancellationToken));

    private async Task<IReadOnlyDictionary<string, GitIndexEntry>> ReadIndexAsync(string root, CancellationToken cancellationToken)
    {
        var output = await _git.RunCheckedAsync(root, ["ls-files", "-z", "--cached", "--stage"], cancellationToken).ConfigureAwait(false);
        var entries = new Dictionary<string, GitIndexEntry>(StringComparer.Ordinal);
        foreach (var record in output.Split('\0', StringSplitOptions.RemoveEmptyEntries))
        {
            // "<mode> <blob> <stage>\t<path>"
            var tab = record.IndexOf('\t', StringComparison.Ordinal);
            var firstSpace = record.IndexOf(' ', StringComparison.Ordinal);
            var secondSpace = firstSpace < 0 ? -1 : record.IndexOf(' ', firstSpace + 1);
            if (tab < 0 || secondSpace < 0 || secondSpace > tab || record.AsSpan(secondSpace + 1, tab - secondSpace - 1) is not "0")
            {
                continue;
            }

            entries[record[(tab + 1)..]] = new GitIndexEntry(record[..firstSpace], record[(firstSpace + 1)..secondSpace]);
        }

        return entries;
    }
}
