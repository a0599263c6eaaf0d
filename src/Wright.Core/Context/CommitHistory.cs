using System.Collections.Concurrent;
using Wright.Core.Git;

namespace Wright.Core.Context;

/// <summary>A commit of the history before HEAD: its message and the files it changed.</summary>
public sealed record HistoryCommit(string Id, string Message, IReadOnlyList<string> Files);

/// <summary>
/// The newest commits before HEAD (merges left out), as a first prompt's ranking uses them: which
/// files the last commits changed (recent activity), and the words of every commit's message as
/// postings (word → commits), so a prompt can find the past commits that were about the same
/// thing and the files they changed. Built once per HEAD by <see cref="CommitHistoryReader"/>.
/// </summary>
public sealed class CommitHistory
{
    /// <summary>How many of the newest commits say which files are being worked on.</summary>
    public const int RecentCommits = 30;

    /// <summary>Commits that touch more files than this (a reformat, a rename sweep, a vendored import) say nothing about where a subject lives.</summary>
    public const int MaxFilesPerCommit = 40;

    public static readonly CommitHistory Empty = new([]);

    public CommitHistory(IReadOnlyList<HistoryCommit> commits)
    {
        Commits = commits;
        RecentChanges = Recent(commits);
        Lengths = new int[commits.Count];
        for (var c = 0; c < commits.Count; c++)
        {
            if (commits[c].Files.Count is 0 or > MaxFilesPerCommit)
            {
                continue;
            }

            var terms = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var term in FileRanker.Words(commits[c].Message))
            {
                terms[term] = terms.GetValueOrDefault(term) + 1;
                Lengths[c]++;
            }

            foreach (var (term, hits) in terms)
            {
                if (!Postings.TryGetValue(term, out var list))
                {
                    Postings[term] = list = [];
                }

                list.Add((c, hits));
            }

            foreach (var file in commits[c].Files)
            {
                if (!CommitsOf.TryGetValue(file, out var changedIn))
                {
                    CommitsOf[file] = changedIn = [];
                }

                changedIn.Add(c);
            }

            Described++;
        }

        AverageLength = Described == 0 ? 1 : Math.Max(1, Lengths.Sum() / (double)Described);
    }

    /// <summary>Newest first.</summary>
    public IReadOnlyList<HistoryCommit> Commits { get; }

    /// <summary>Files the last <see cref="RecentCommits"/> commits changed, each weighted in (0, 1] by how recently and how often.</summary>
    public IReadOnlyDictionary<string, double> RecentChanges { get; }

    /// <summary>Per word of the messages (as <see cref="FileRanker.Terms"/> splits a prompt): the commits whose message has it, and how often.</summary>
    internal Dictionary<string, List<(int Commit, int Hits)>> Postings { get; } = new(StringComparer.Ordinal);

    /// <summary>Per file: the commits in the postings that changed it, newest first.</summary>
    internal Dictionary<string, List<int>> CommitsOf { get; } = new(StringComparer.Ordinal);

    /// <summary>Per commit: the words of its message (BM25's document length); 0 for a commit left out.</summary>
    internal int[] Lengths { get; }

    internal double AverageLength { get; }

    /// <summary>How many commits' messages are in the postings (changed at least one file, and not too many).</summary>
    internal int Described { get; }

    /// <summary>
    /// The files the last <see cref="RecentCommits"/> commits changed, weighted by recency (the
    /// newest commit counts most) and summed over commits, then scaled to at most 1. Commits that
    /// touch very many files say nothing about focus and are skipped.
    /// </summary>
    private static Dictionary<string, double> Recent(IReadOnlyList<HistoryCommit> commits)
    {
        var weights = new Dictionary<string, double>(StringComparer.Ordinal);
        for (var k = 0; k < Math.Min(RecentCommits, commits.Count); k++)
        {
            if (commits[k].Files.Count > MaxFilesPerCommit)
            {
                continue;
            }

            foreach (var path in commits[k].Files)
            {
                weights[path] = weights.GetValueOrDefault(path) + (1.0 / (k + 1));
            }
        }

        var best = weights.Count == 0 ? 1 : weights.Values.Max();
        return weights.ToDictionary(kv => kv.Key, kv => kv.Value / best, StringComparer.Ordinal);
    }
}

/// <summary>
/// Reads a repository's <see cref="CommitHistory"/> with one git log of the newest
/// <see cref="MaxCommits"/> commits, and remembers it per repository and HEAD: prompts at the same
/// commit start no git process, and when HEAD moves forward (an answer's commit) only the new
/// commits are read.
/// </summary>
public sealed class CommitHistoryReader(GitRunner git)
{
    /// <summary>How far back the history is read.</summary>
    public const int MaxCommits = 2_000;

    private const string Format = "--format=%x01%H%x02%P%x02%B%x02";

    private readonly ConcurrentDictionary<string, (string Head, CommitHistory History)> _known = new(StringComparer.Ordinal);

    /// <summary>The history before and at <paramref name="head"/> of the repository at <paramref name="root"/>; empty when there is no commit or git cannot read it.</summary>
    public async Task<CommitHistory> ReadAsync(string root, string? head, CancellationToken cancellationToken)
    {
        if (head is null)
        {
            return CommitHistory.Empty;
        }

        var known = _known.TryGetValue(root, out var k) ? k : default;
        if (known.Head == head)
        {
            return known.History;
        }

        CommitHistory? history = null;
        if (known.Head is not null)
        {
            // Only what is new since the known HEAD, when the known HEAD is an ancestor: one of the
            // new commits has it as a parent (a reset or a branch switch reads everything again).
            var added = await LogAsync(root, [head, "--not", known.Head], cancellationToken).ConfigureAwait(false);
            if (added is { Count: > 0 and < MaxCommits } && added.Any(c => c.Parents.Contains(known.Head, StringComparer.Ordinal)))
            {
                history = new CommitHistory([.. added.Where(c => c.Parents.Length <= 1).Select(c => c.Commit), .. known.History.Commits.Take(MaxCommits - added.Count)]);
            }
        }

        if (history is null)
        {
            var all = await LogAsync(root, [head], cancellationToken).ConfigureAwait(false);
            if (all is null)
            {
                // No commit yet (or an unreadable history): nothing to learn from.
                return CommitHistory.Empty;
            }

            history = new CommitHistory([.. all.Where(c => c.Parents.Length <= 1).Select(c => c.Commit)]);
        }

        _known[root] = (head, history);
        return history;
    }

    private async Task<List<(HistoryCommit Commit, string[] Parents)>?> LogAsync(string root, string[] revisions, CancellationToken cancellationToken)
    {
        var result = await git.RunAsync(root, ["log", "-z", $"--max-count={MaxCommits}", Format, "--name-only", "--no-renames", .. revisions, "--"], cancellationToken).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            return null;
        }

        var commits = new List<(HistoryCommit, string[])>();
        foreach (var entry in result.StandardOutput.Split('\u0001', StringSplitOptions.RemoveEmptyEntries))
        {
            var fields = entry.Split('\u0002');
            if (fields.Length < 4)
            {
                continue;
            }

            var files = fields[3].Split(['\0', '\n'], StringSplitOptions.RemoveEmptyEntries);
            commits.Add((new HistoryCommit(fields[0], fields[2].Trim(), files), fields[1].Split(' ', StringSplitOptions.RemoveEmptyEntries)));
        }

        return commits;
    }
}
