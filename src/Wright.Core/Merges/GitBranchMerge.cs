using System.Text;
using Wright.Core.Errors;
using Wright.Core.Git;

namespace Wright.Core.Merges;

/// <summary>One conflicting hunk: where it starts in the merged file (1-based) and both sides' lines.</summary>
public sealed record MergeHunk(int Line, string Ours, string Theirs);

/// <summary>A file both branches changed in ways git cannot combine, with its conflicting hunks (none for a modify/delete or binary conflict).</summary>
public sealed record MergeConflict(string Path, IReadOnlyList<MergeHunk> Hunks);

/// <summary>A merge git could make: the merged tree and the conflicts a strategy settled.</summary>
public sealed record MergedTree(string Tree, IReadOnlyList<MergeConflict> Resolved);

/// <summary>
/// A git merge computed without touching the working tree or the index (<c>git merge-tree
/// --write-tree</c>): a conflict leaves the workspace exactly as it was, and the caller decides.
/// With a strategy, each conflicting hunk takes one side (as <c>-X ours</c> / <c>-X theirs</c>
/// would), and a conflict without hunks (modify/delete, binary) takes that side's whole file.
/// </summary>
internal sealed class GitBranchMerge(GitRunner git)
{
    private const string OursMarker = "<<<<<<< ";
    private const string SplitMarker = "=======";
    private const string TheirsMarker = ">>>>>>> ";

    /// <summary>Merges <paramref name="theirs"/> into <paramref name="ours"/>; throws 409 <c>merge_conflict</c> with the conflicts when they do not combine and no strategy was given.</summary>
    public async Task<MergedTree> MergeAsync(string root, string ours, string theirs, MergeStrategy strategy, CancellationToken cancellationToken)
    {
        var result = await git.RunAsync(root, ["-c", "core.quotePath=false", "merge-tree", "--write-tree", "--name-only", "--no-messages", ours, theirs], cancellationToken).ConfigureAwait(false);
        if (result.ExitCode is not (0 or 1))
        {
            throw GitRunner.Failed(["merge-tree"], result.StandardError);
        }

        var lines = result.StandardOutput.Split('\n');
        var tree = lines[0].Trim();
        var paths = lines.Skip(1).TakeWhile(l => l.Length > 0).Distinct(StringComparer.Ordinal).ToList();
        if (result.ExitCode == 0 || paths.Count == 0)
        {
            return new MergedTree(tree, []);
        }

        var conflicts = new List<(MergeConflict Conflict, string? Content)>();
        foreach (var path in paths)
        {
            var content = await git.RunAsync(root, ["cat-file", "blob", $"{tree}:{path}"], cancellationToken).ConfigureAwait(false);
            var text = content.Succeeded ? content.StandardOutput : null;
            conflicts.Add((new MergeConflict(path, text is null ? [] : Hunks(text)), text));
        }

        if (strategy == MergeStrategy.None)
        {
            throw WrightException.Conflict(
                ErrorCodes.MergeConflict,
                $"The branches change the same lines of {string.Join(", ", paths.Take(10))}: nothing was changed. Merge again with strategy 'ours' or 'theirs' to settle each conflicting hunk with one side.",
                new Dictionary<string, object?> { ["conflicts"] = conflicts.Select(c => c.Conflict).ToList() });
        }

        return new MergedTree(await ResolveAsync(root, tree, strategy == MergeStrategy.Ours ? ours : theirs, strategy, conflicts, cancellationToken).ConfigureAwait(false), conflicts.Select(c => c.Conflict).ToList());
    }

    /// <summary>The merged tree with every conflicted file settled by one side, written through a temporary index (the real one is never touched).</summary>
    private async Task<string> ResolveAsync(string root, string tree, string side, MergeStrategy strategy, List<(MergeConflict Conflict, string? Content)> conflicts, CancellationToken cancellationToken)
    {
        var index = Path.Combine(Path.GetTempPath(), $"wright-merge-index-{Guid.NewGuid():N}");
        var environment = new Dictionary<string, string> { ["GIT_INDEX_FILE"] = index };
        try
        {
            await CheckedAsync(root, ["read-tree", tree], environment, cancellationToken).ConfigureAwait(false);
            foreach (var (conflict, content) in conflicts)
            {
                if (content is not null && conflict.Hunks.Count > 0)
                {
                    var settled = Settle(content, strategy);
                    var blob = (await CheckedAsync(root, ["hash-object", "-w", "--stdin"], null, cancellationToken, settled).ConfigureAwait(false)).Trim();
                    var mode = (await CheckedAsync(root, ["ls-tree", tree, "--", conflict.Path], null, cancellationToken).ConfigureAwait(false)).Split(' ', 2)[0];
                    await CheckedAsync(root, ["update-index", "--add", "--cacheinfo", $"{(mode.Length > 0 ? mode : "100644")},{blob},{conflict.Path}"], environment, cancellationToken).ConfigureAwait(false);
                    continue;
                }

                // No hunks to settle (a file deleted on one side, a binary file): the chosen side's file, or its absence.
                var entry = (await CheckedAsync(root, ["ls-tree", side, "--", conflict.Path], null, cancellationToken).ConfigureAwait(false)).Trim();
                if (entry.Length == 0)
                {
                    await CheckedAsync(root, ["update-index", "--force-remove", "--", conflict.Path], environment, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    var parts = entry.Split('\t', 2)[0].Split(' ');
                    await CheckedAsync(root, ["update-index", "--add", "--cacheinfo", $"{parts[0]},{parts[2]},{conflict.Path}"], environment, cancellationToken).ConfigureAwait(false);
                }
            }

            return (await CheckedAsync(root, ["write-tree"], environment, cancellationToken).ConfigureAwait(false)).Trim();
        }
        finally
        {
            File.Delete(index);
        }
    }

    private async Task<string> CheckedAsync(string root, IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string>? environment, CancellationToken cancellationToken, string? input = null)
    {
        var result = await git.RunAsync(root, arguments, cancellationToken, input, environment).ConfigureAwait(false);
        return result.Succeeded ? result.StandardOutput : throw GitRunner.Failed(arguments, result.StandardError);
    }

    /// <summary>The conflict blocks of a file git left with markers.</summary>
    internal static List<MergeHunk> Hunks(string content)
    {
        var hunks = new List<MergeHunk>();
        var lines = content.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            if (!lines[i].StartsWith(OursMarker, StringComparison.Ordinal))
            {
                continue;
            }

            var start = i + 1;
            var split = Array.FindIndex(lines, start, l => l == SplitMarker);
            var end = split < 0 ? -1 : Array.FindIndex(lines, split + 1, l => l.StartsWith(TheirsMarker, StringComparison.Ordinal));
            if (end < 0)
            {
                break;
            }

            hunks.Add(new MergeHunk(start, Join(lines[start..split]), Join(lines[(split + 1)..end])));
            i = end;
        }

        return hunks;
    }

    /// <summary>The file with each conflict block replaced by one side.</summary>
    internal static string Settle(string content, MergeStrategy strategy)
    {
        var output = new StringBuilder(content.Length);
        var lines = content.Split('\n');
        var state = 0; // 0 outside, 1 in ours, 2 in theirs
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            if (state == 0 && line.StartsWith(OursMarker, StringComparison.Ordinal))
            {
                state = 1;
                continue;
            }

            if (state == 1 && line == SplitMarker)
            {
                state = 2;
                continue;
            }

            if (state == 2 && line.StartsWith(TheirsMarker, StringComparison.Ordinal))
            {
                state = 0;
                continue;
            }

            if (state == 0 || (state == 1 && strategy == MergeStrategy.Ours) || (state == 2 && strategy == MergeStrategy.Theirs))
            {
                output.Append(line);
                if (i < lines.Length - 1)
                {
                    output.Append('\n');
                }
            }
        }

        return output.ToString();
    }

    private static string Join(string[] lines) => lines.Length == 0 ? "" : string.Join('\n', lines) + "\n";
}
