using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Wright.Core.Workspace;

namespace Wright.Core.Context;

/// <summary>
/// Assembles a prompt's context from a workspace snapshot and the previous prompt's record — a
/// pure function, so the same inputs always give the same context. Sources are given room in
/// priority order (mentioned files, open files, the user's changes, git status, then on a
/// session's first prompt the project overview, the files its ranking finds most relevant sent
/// whole, the repository map and docs; on later prompts a
/// smaller map and a note of what was already sent, then history), each cut to what is left, and
/// the total never exceeds the budget.
/// </summary>
public static partial class ContextAssembler
{
    /// <summary>The legend of the git status section; every code <see cref="StatusCode"/> writes is in it.</summary>
    internal const string StatusLegend = "Git status (index, worktree: . unchanged, M modified, T type changed, A added, D deleted, R renamed, C copied, U unmerged, ? untracked, ! ignored)";

    /// <summary>git's own porcelain letters, so the legend and the codes cannot disagree (Untracked and Unmerged both start with U).</summary>
    internal static char StatusCode(Git.GitChange change) => change switch
    {
        Git.GitChange.Unmodified => '.',
        Git.GitChange.Modified => 'M',
        Git.GitChange.TypeChanged => 'T',
        Git.GitChange.Added => 'A',
        Git.GitChange.Deleted => 'D',
        Git.GitChange.Renamed => 'R',
        Git.GitChange.Copied => 'C',
        Git.GitChange.Unmerged => 'U',
        Git.GitChange.Untracked => '?',
        _ => '!',
    };

    /// <summary>Most files a first prompt's ranking sends whole (the best-ranked that fit, only files the prompt's words point at).</summary>
    public const int MaxRelevantFiles = 20;

    /// <summary>
    /// What a first prompt's repository map keeps when relevant files are sent whole: the room
    /// Aider gives its map once files are in the chat (1,024 tokens); the map leaves out the files
    /// sent whole, so it outlines the rest of the repository.
    /// </summary>
    private const int MapFloor = 1024;

    /// <summary>What a first prompt's docs keep (the opening of the README: what the project is).</summary>
    private const int DocsFloor = 512;

    /// <summary>The most of what is left (after the user's files, changes, status and overview) that the map's and docs' floors hold back, in percent: a small budget still gets relevant files.</summary>
    private const int MostHeldBack = 30;

    public static BuiltContext Assemble(ContextRequest request, WorkspaceSnapshot snapshot, TokenEstimator estimator, DateTimeOffset now, Guid id)
    {
        var budget = new Budget(Math.Max(0, request.BudgetTokens), estimator, request.Model);
        var previous = request.Previous;
        var first = previous is null;
        var sentBefore = previous?.FilesSent.Where(f => f.Whole).ToDictionary(f => f.Path, f => f.Hash, StringComparer.Ordinal) ?? [];
        var alreadySent = new List<string>();
        var sentNow = new List<ContextFileRecord>();

        // 1–2. Files the user named, then files they have open.
        var mentioned = request.MentionedFiles.Distinct(StringComparer.Ordinal).ToList();
        var open = request.OpenFiles.Where(p => !mentioned.Contains(p, StringComparer.Ordinal)).Distinct(StringComparer.Ordinal).ToList();
        foreach (var (paths, kind, label) in new[] { (mentioned, ContextSourceKind.MentionedFile, "File"), (open, ContextSourceKind.OpenFile, "Open file") })
        {
            foreach (var path in paths)
            {
                if (!snapshot.Files.TryGetValue(path, out var file))
                {
                    continue;
                }

                if (sentBefore.TryGetValue(path, out var hash) && FileETag.SameContent(hash, file.Hash))
                {
                    alreadySent.Add(path);
                    continue;
                }

                if (budget.Add(kind, $"{label}: {path}", FileBody(file.Text), [path], budget.Remaining) is { } section)
                {
                    sentNow.Add(new ContextFileRecord(path, file.Hash, !section.Truncated));
                }
            }
        }

        // 3. The user's own changes: since the last prompt, or (first prompt) uncommitted.
        if (first)
        {
            if (snapshot.ChangesDiff.Length > 0)
            {
                budget.Add(ContextSourceKind.UserChanges, "Uncommitted changes (diff against HEAD)", Fenced(snapshot.ChangesDiff, "diff"), [], budget.Remaining / 2);
            }
        }
        else
        {
            var body = ChangesSincePrevious(previous!, snapshot, out var changedFiles);
            if (body.Length > 0)
            {
                if (budget.Add(ContextSourceKind.UserChanges, "Changed since the last prompt (highlighted: read these first)", body, changedFiles, budget.Remaining * 3 / 5) is { } section)
                {
                    sentNow.AddRange(changedFiles.Where(snapshot.Files.ContainsKey).Select(p => new ContextFileRecord(p, snapshot.Files[p].Hash, false)));
                }
            }
        }

        // 4. Git status.
        if (snapshot.Status.Count > 0)
        {
            var status = new StringBuilder();
            foreach (var entry in snapshot.Status.Take(200))
            {
                status.Append(CultureInfo.InvariantCulture, $"{StatusCode(entry.Index)}{StatusCode(entry.Worktree)} {entry.Path}\n");
            }

            if (snapshot.Status.Count > 200)
            {
                status.Append(CultureInfo.InvariantCulture, $"… and {snapshot.Status.Count - 200} more\n");
            }

            budget.Add(ContextSourceKind.GitStatus, StatusLegend, status.ToString(), [], budget.Remaining / 10);
        }

        // 5–7. The overview of a first prompt, or the relevant part of the map on later ones.
        if (first)
        {
            budget.Add(ContextSourceKind.ProjectOverview, "Project overview", Overview(snapshot), [], budget.Remaining / 10);
        }

        var ranking = RankMap(request, snapshot, mentioned.Concat(open).ToHashSet(StringComparer.Ordinal));
        var chat = mentioned.Concat(open).ToHashSet(StringComparer.Ordinal);

        // A first prompt also gets the files most likely to change sent whole (the best-ranked that
        // fit in what is left, less the map's and docs' floors; a file too big for what remains
        // gives way to the next), so the model rarely needs a read_file round trip to find them;
        // only files the prompt's words point at, since the graph and the history alone rank every file.
        if (first)
        {
            var share = budget.Remaining - Math.Min(MapFloor + DocsFloor, budget.Remaining * MostHeldBack / 100);
            var candidates = RankFiles(request, snapshot, ranking).Where(c => c.WordScore > 0 && !chat.Contains(c.Path) && snapshot.Files.ContainsKey(c.Path)).Take(MaxRelevantFiles);
            foreach (var candidate in candidates)
            {
                var file = snapshot.Files[candidate.Path];

                var title = $"Relevant file: {candidate.Path}";
                var body = FileBody(file.Text);
                var cost = estimator.Estimate($"## {title}\n{body}\n", request.Model);
                if (cost > share)
                {
                    continue;
                }

                if (budget.Add(ContextSourceKind.RelevantFile, title, body, [candidate.Path], cost) is { Truncated: false })
                {
                    share -= cost;
                    chat.Add(candidate.Path);
                    sentNow.Add(new ContextFileRecord(candidate.Path, file.Hash, true));
                }
            }
        }

        // A first prompt's map takes half of what the relevant files left, and at least its floor.
        var mapLimit = first ? Math.Max(budget.Remaining / 2, Math.Min(MapFloor, budget.Remaining - Math.Min(DocsFloor, budget.Remaining / 3))) : budget.Remaining / 5;
        var map = RepoMap.Render(ranking, mapLimit - budget.HeadingCost("Repository map"), estimator, request.Model, chat);
        if (map.Length > 0)
        {
            budget.Add(ContextSourceKind.RepoMap, first ? "Repository map" : "Repository map (relevant to this prompt)", map, MapFiles(map), mapLimit);
        }

        if (first)
        {
            foreach (var doc in Docs(snapshot).Where(d => !chat.Contains(d)))
            {
                var file = snapshot.Files[doc];
                if (budget.Add(ContextSourceKind.Docs, $"Doc: {doc}", FileBody(file.Text), [doc], budget.Remaining * 7 / 10) is { } section)
                {
                    sentNow.Add(new ContextFileRecord(doc, file.Hash, !section.Truncated));
                }
            }
        }
        else
        {
            var note = new StringBuilder();
            note.Append(CultureInfo.InvariantCulture, $"The project overview, repository map and docs were sent with prompt {previous!.Turn} or earlier and are not repeated.\n");
            if (alreadySent.Count > 0)
            {
                note.Append("Unchanged since sent earlier (not repeated): ").Append(string.Join(", ", alreadySent)).Append('\n');
            }

            budget.Add(ContextSourceKind.PreviouslySent, "Already sent", note.ToString(), alreadySent, budget.Remaining);
        }

        // 8. History, newest first, as far as it fits.
        if (request.History.Count > 0)
        {
            var kept = new List<string>();
            var cost = budget.HeadingCost("Conversation so far");
            for (var i = request.History.Count - 1; i >= 0; i--)
            {
                var turnCost = estimator.Estimate(request.History[i].Length + 1, request.Model);
                if (cost + turnCost + 20 > budget.Remaining)
                {
                    break;
                }

                cost += turnCost;
                kept.Insert(0, request.History[i]);
            }

            var omitted = request.History.Count - kept.Count;
            var body = (omitted > 0 ? $"({omitted} earlier turns not shown)\n" : "") + string.Join("\n", kept) + "\n";
            budget.Add(ContextSourceKind.History, "Conversation so far", body, [], budget.Remaining);
        }

        var sections = budget.Sections;
        var record = new ContextRecord(
            id,
            now,
            (previous?.Turn ?? 0) + 1,
            snapshot.Head,
            request.BudgetTokens,
            sections.Sum(s => s.Tokens),
            sections.Select(s => new ContextSourceRecord(s.Kind, s.Title, s.Tokens, s.Files, s.Truncated)).ToList(),
            sentNow,
            snapshot.Files.ToDictionary(kv => kv.Key, kv => kv.Value.Hash, StringComparer.Ordinal),
            snapshot.Excluded);
        return new BuiltContext(record, sections);
    }

    /// <summary>The repository map's ranking for this prompt: PageRank over the reference graph, personalized to the files the user named or has open and those the prompt's words point at.</summary>
    public static RepoMapRanking RankMap(ContextRequest request, WorkspaceSnapshot snapshot, IReadOnlySet<string> chat)
    {
        var identifiers = Words().Matches(request.Prompt).Select(m => m.Value).ToHashSet(StringComparer.Ordinal);
        var mentionedInPrompt = snapshot.Files.Keys.Where(p => request.Prompt.Contains(p, StringComparison.Ordinal)).ToHashSet(StringComparer.Ordinal);
        return RepoMap.Rank(snapshot.Symbols, chat, mentionedInPrompt, identifiers);
    }

    /// <summary>The files a first prompt is most likely about, best first (see <see cref="FileRanker"/>).</summary>
    public static IReadOnlyList<RankedFile> RankFiles(ContextRequest request, WorkspaceSnapshot snapshot, RepoMapRanking ranking) =>
        FileRanker.Rank(snapshot.Symbols, request.Prompt, ranking.FileRanks, snapshot.History);

    private static string ChangesSincePrevious(ContextRecord previous, WorkspaceSnapshot snapshot, out List<string> changed)
    {
        var added = snapshot.Files.Keys.Where(p => !previous.Workspace.ContainsKey(p)).Order(StringComparer.Ordinal).ToList();
        var modified = snapshot.Files.Where(kv => previous.Workspace.TryGetValue(kv.Key, out var hash) && !FileETag.SameContent(hash, kv.Value.Hash)).Select(kv => kv.Key).Order(StringComparer.Ordinal).ToList();
        var deleted = previous.Workspace.Keys.Where(p => !snapshot.Files.ContainsKey(p)).Order(StringComparer.Ordinal).ToList();
        changed = [.. modified, .. added, .. deleted];
        if (changed.Count == 0)
        {
            return "";
        }

        var text = new StringBuilder();
        foreach (var path in modified)
        {
            text.Append("M ").Append(path).Append('\n');
        }

        foreach (var path in added)
        {
            text.Append("A ").Append(path).Append('\n');
        }

        foreach (var path in deleted)
        {
            text.Append("D ").Append(path).Append('\n');
        }

        if (snapshot.ChangesDiff.Length > 0)
        {
            text.Append('\n').Append(Fenced(snapshot.ChangesDiff, "diff"));
        }

        // New files are not in a diff against a commit that lacks them: show them whole.
        var diffed = snapshot.ChangesDiff;
        foreach (var path in added.Where(p => !diffed.Contains("+++ b/" + p, StringComparison.Ordinal)))
        {
            text.Append('\n').Append("New file ").Append(path).Append(":\n").Append(FileBody(snapshot.Files[path].Text));
        }

        return text.ToString();
    }

    private static string Overview(WorkspaceSnapshot snapshot)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"{snapshot.Files.Count} files readable by the assistant (ignored, binary, large and secret files are never shown); HEAD {snapshot.Head?[..Math.Min(12, snapshot.Head.Length)] ?? "(no commit yet)"}.\n");
        var languages = snapshot.Files.Keys
            .GroupBy(p => Path.GetExtension(p) is { Length: > 0 } e ? e.ToLowerInvariant() : "(no extension)")
            .OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).Take(12)
            .Select(g => $"{g.Key} {g.Count()}");
        text.Append("By extension: ").Append(string.Join(", ", languages)).Append('\n');
        var folders = snapshot.Files.Keys
            .Select(p => p.Contains('/', StringComparison.Ordinal) ? p[..p.IndexOf('/', StringComparison.Ordinal)] + "/" : p)
            .GroupBy(p => p, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal).Take(40)
            .Select(g => g.Key.EndsWith('/') ? $"{g.Key} ({g.Count()} files)" : g.Key);
        text.Append("Top level: ").Append(string.Join(", ", folders)).Append('\n');
        return text.ToString();
    }

    private static IEnumerable<string> Docs(WorkspaceSnapshot snapshot) =>
        snapshot.Files.Keys
            .Where(p => (!p.Contains('/', StringComparison.Ordinal) && p.StartsWith("README", StringComparison.OrdinalIgnoreCase)) || p.StartsWith(".wright/docs/", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal);

    private static List<string> MapFiles(string map) =>
        map.Split('\n').Where(l => l.Length > 0 && l[0] != '│' && l.EndsWith(':')).Select(l => l[..^1]).ToList();

    private static string FileBody(string text) => Fenced(text, "");

    private static string Fenced(string text, string language)
    {
        var fence = text.Contains("```", StringComparison.Ordinal) ? "````" : "```";
        return $"{fence}{language}\n{(text.EndsWith('\n') ? text : text + "\n")}{fence}\n";
    }

    [GeneratedRegex(@"[A-Za-z_][A-Za-z0-9_]{2,}", RegexOptions.CultureInvariant)]
    private static partial Regex Words();

    /// <summary>The running total: every section is measured as sent, cut to fit, or left out.</summary>
    private sealed class Budget(int total, TokenEstimator estimator, string? model)
    {
        private const string CutMarker = "\n… (cut to fit the context budget)\n";

        public List<ContextSection> Sections { get; } = [];

        public int Remaining => total - Sections.Sum(s => s.Tokens);

        public int HeadingCost(string title) => estimator.Estimate($"## {title}\n", model);

        /// <summary>Adds a section within <paramref name="limit"/> tokens (and what remains), cutting its body at a line end if needed; null when not even a useful part fits.</summary>
        public ContextSection? Add(ContextSourceKind kind, string title, string body, IReadOnlyList<string> files, int limit)
        {
            limit = Math.Min(limit, Remaining);
            var heading = $"## {title}\n";
            var text = heading + body + "\n";
            var tokens = estimator.Estimate(text, model);
            var truncated = false;
            if (tokens > limit)
            {
                truncated = true;
                var room = (int)Math.Floor((limit / estimator.FactorFor(model) * TokenEstimator.CharsPerToken) - heading.Length - CutMarker.Length - 1);
                while (true)
                {
                    if (room < 40 || body.Length == 0)
                    {
                        return null;
                    }

                    var cut = body.LastIndexOf('\n', Math.Min(room, body.Length - 1));
                    var kept = cut > 0 ? body[..cut] : body[..Math.Min(room, body.Length)];
                    text = heading + kept + CutMarker;
                    tokens = estimator.Estimate(text, model);
                    if (tokens <= limit)
                    {
                        break;
                    }

                    room -= Math.Max(8, room / 10);
                }
            }

            var section = new ContextSection(kind, title, text, tokens, files, truncated);
            Sections.Add(section);
            return section;
        }
    }
}
