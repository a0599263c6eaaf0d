using System.Globalization;

namespace Wright.Core.Git;

/// <summary>
/// Parses git's machine-readable output: NUL-separated records (<c>-z</c>), so paths with spaces,
/// quotes, newlines or non-ASCII characters arrive exactly as they are on disk. Output cut by a
/// size cap ends in an incomplete record, which is dropped (or, for a commit, kept with its files
/// marked truncated).
/// </summary>
internal static class GitOutputParser
{
    private const char RecordStart = '\x1e';
    private const char FieldSeparator = '\x1f';
    private const char TrailerSeparator = '\x1d';
    private const char TrailerKeySeparator = '\x1c';

    /// <summary>
    /// The <c>--format</c> of <see cref="ParseLog"/>: a record start, the fixed fields, then the
    /// subject and the body last, so nothing a message contains can shift the fields before it.
    /// </summary>
    public const string LogFormat =
        "tformat:%x1e%H%x1f%P%x1f%an%x1f%ae%x1f%aI%x1f%cn%x1f%ce%x1f%cI%x1f"
        + "%(trailers:only=true,unfold=true,separator=%x1d,key_value_separator=%x1c)%x1f%s%x1f%b";

    /// <summary>Parses <c>git status --porcelain=v2 -z --branch</c>.</summary>
    public static GitStatus ParseStatus(string output, bool outputTruncated, int maxEntries)
    {
        string? branch = null;
        string? head = null;
        string? upstream = null;
        int? ahead = null;
        int? behind = null;
        var entries = new List<GitStatusEntry>();
        var truncated = outputTruncated;

        var tokens = output.Split('\0');

        // The text after the last NUL is empty when output is complete, and an unfinished record when it was cut.
        var count = tokens.Length - 1;
        for (var i = 0; i < count; i++)
        {
            var token = tokens[i];
            if (entries.Count >= maxEntries && token.Length > 0 && token[0] != '#')
            {
                truncated = true;
                break;
            }

            switch (token)
            {
                case ['#', ..]:
                    ParseBranchHeader(token, ref branch, ref head, ref upstream, ref ahead, ref behind);
                    break;
                case ['1', ' ', ..]:
                    {
                        var parts = token.Split(' ', 9);
                        entries.Add(new GitStatusEntry(parts[8], null, ChangeOf(parts[1][0]), ChangeOf(parts[1][1])));
                        break;
                    }

                case ['2', ' ', ..]:
                    {
                        if (i + 1 >= count)
                        {
                            // The original path was cut off with the output.
                            truncated = true;
                            break;
                        }

                        var parts = token.Split(' ', 10);
                        entries.Add(new GitStatusEntry(parts[9], tokens[++i], ChangeOf(parts[1][0]), ChangeOf(parts[1][1])));
                        break;
                    }

                case ['u', ' ', ..]:
                    {
                        var parts = token.Split(' ', 11);
                        entries.Add(new GitStatusEntry(parts[10], null, GitChange.Unmerged, GitChange.Unmerged));
                        break;
                    }

                case ['?', ' ', ..]:
                    entries.Add(new GitStatusEntry(token[2..], null, GitChange.Unmodified, GitChange.Untracked));
                    break;
                case ['!', ' ', ..]:
                    entries.Add(new GitStatusEntry(token[2..], null, GitChange.Unmodified, GitChange.Ignored));
                    break;
                default:
                    break;
            }
        }

        return new GitStatus(branch, head, upstream, ahead, behind, entries, truncated);
    }

    private static void ParseBranchHeader(string token, ref string? branch, ref string? head, ref string? upstream, ref int? ahead, ref int? behind)
    {
        if (token.StartsWith("# branch.oid ", StringComparison.Ordinal))
        {
            var value = token["# branch.oid ".Length..];
            head = value == "(initial)" ? null : value;
        }
        else if (token.StartsWith("# branch.head ", StringComparison.Ordinal))
        {
            var value = token["# branch.head ".Length..];
            branch = value == "(detached)" ? null : value;
        }
        else if (token.StartsWith("# branch.upstream ", StringComparison.Ordinal))
        {
            upstream = token["# branch.upstream ".Length..];
        }
        else if (token.StartsWith("# branch.ab ", StringComparison.Ordinal))
        {
            var parts = token["# branch.ab ".Length..].Split(' ');
            if (parts.Length == 2
                && int.TryParse(parts[0].TrimStart('+'), NumberStyles.Integer, CultureInfo.InvariantCulture, out var a)
                && int.TryParse(parts[1].TrimStart('-'), NumberStyles.Integer, CultureInfo.InvariantCulture, out var b))
            {
                ahead = a;
                behind = b;
            }
        }
    }

    /// <summary>
    /// Parses <c>git log -z --format=<see cref="LogFormat"/> --raw --numstat</c>: each commit's
    /// header, then its raw entries (status and paths) and numstat entries (line counts) in the
    /// same order. Returns the commits and whether the output ended inside a commit.
    /// </summary>
    public static (List<GitCommit> Commits, bool Truncated) ParseLog(string output, bool outputTruncated, int maxFilesPerCommit)
    {
        var commits = new List<GitCommit>();
        var reader = new NulReader(output);
        while (reader.SkipTo(RecordStart))
        {
            if (!reader.TryReadToken(out var header))
            {
                return (commits, true);
            }

            var raw = new List<(string Path, string? Original, GitChange Change)>();
            var counts = new List<(int? Additions, int? Deletions, string Path)>();
            var complete = ReadFileEntries(ref reader, raw, counts);
            var (files, filesTruncated) = JoinFiles(raw, counts, maxFilesPerCommit);
            commits.Add(ParseCommitHeader(header, files, filesTruncated || !complete));
            if (!complete)
            {
                return (commits, true);
            }
        }

        return (commits, outputTruncated);
    }

    private static bool ReadFileEntries(ref NulReader reader, List<(string, string?, GitChange)> raw, List<(int?, int?, string)> counts)
    {
        while (reader.Peek() is { } c && c != RecordStart)
        {
            if (c == '\n')
            {
                reader.Advance();
                continue;
            }

            if (!reader.TryReadToken(out var token))
            {
                return false;
            }

            if (c == ':')
            {
                // ":100644 100644 1a2b3c4 5d6e7f8 R100" then the path, then the new path for renames and copies.
                var status = token[(token.LastIndexOf(' ') + 1)..];
                var change = ChangeOf(status[0]);
                if (!reader.TryReadToken(out var path))
                {
                    return false;
                }

                if (change is GitChange.Renamed or GitChange.Copied)
                {
                    if (!reader.TryReadToken(out var target))
                    {
                        return false;
                    }

                    raw.Add((target, path, change));
                }
                else
                {
                    raw.Add((path, null, change));
                }
            }
            else
            {
                // "added\tdeleted\tpath", or "added\tdeleted\t" followed by the old and new path of a rename; "-" for binary.
                var parts = token.Split('\t', 3);
                if (parts.Length != 3)
                {
                    continue;
                }

                var path = parts[2];
                if (path.Length == 0)
                {
                    if (!reader.TryReadToken(out _) || !reader.TryReadToken(out path))
                    {
                        return false;
                    }
                }

                counts.Add((Count(parts[0]), Count(parts[1]), path));
            }
        }

        return true;
    }

    private static (List<GitCommitFile> Files, bool Truncated) JoinFiles(
        List<(string Path, string? Original, GitChange Change)> raw,
        List<(int? Additions, int? Deletions, string Path)> counts,
        int maxFiles)
    {
        var files = new List<GitCommitFile>(Math.Min(raw.Count, maxFiles));
        for (var i = 0; i < raw.Count && i < maxFiles; i++)
        {
            var (path, original, change) = raw[i];

            // Both lists come from one diff in one order; the path check guards against a git that differs.
            var count = i < counts.Count && counts[i].Path == path ? counts[i] : counts.Find(c => c.Path == path);
            files.Add(new GitCommitFile(path, original, change, count.Additions, count.Deletions));
        }

        return (files, raw.Count > maxFiles);
    }

    private static GitCommit ParseCommitHeader(string header, List<GitCommitFile> files, bool filesTruncated)
    {
        var f = header.Split(FieldSeparator, 11);
        if (f.Length != 11)
        {
            throw new FormatException("git log printed a commit header Wright cannot read.");
        }

        var parents = f[1].Length == 0 ? [] : f[1].Split(' ');
        var trailers = f[8]
            .Split(TrailerSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(t => t.Split(TrailerKeySeparator, 2))
            .Where(kv => kv.Length == 2)
            .Select(kv => new GitTrailer(kv[0].Trim(), kv[1].Trim()))
            .ToList();
        return new GitCommit(
            f[0],
            parents,
            new GitPerson(f[2], f[3], ParseDate(f[4])),
            new GitPerson(f[5], f[6], ParseDate(f[7])),
            f[9],
            f[10].TrimEnd('\n'),
            trailers,
            files,
            filesTruncated);
    }

    private static DateTimeOffset ParseDate(string value) => DateTimeOffset.Parse(value, CultureInfo.InvariantCulture, DateTimeStyles.None);

    private static int? Count(string value) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : null;

    /// <summary>A status letter of <c>--raw</c> or porcelain v2.</summary>
    public static GitChange ChangeOf(char letter) => letter switch
    {
        'M' => GitChange.Modified,
        'T' => GitChange.TypeChanged,
        'A' => GitChange.Added,
        'D' => GitChange.Deleted,
        'R' => GitChange.Renamed,
        'C' => GitChange.Copied,
        'U' => GitChange.Unmerged,
        _ => GitChange.Unmodified,
    };

    /// <summary>Splits a unified diff into its <c>diff --git</c> sections, in order.</summary>
    public static List<string> SplitPatch(string patch)
    {
        var sections = new List<string>();
        var start = -1;
        var position = 0;
        while (position < patch.Length)
        {
            if (string.CompareOrdinal(patch, position, "diff --git ", 0, "diff --git ".Length) == 0)
            {
                if (start >= 0)
                {
                    sections.Add(patch[start..position]);
                }

                start = position;
            }

            var newline = patch.IndexOf('\n', position);
            position = newline < 0 ? patch.Length : newline + 1;
        }

        if (start >= 0)
        {
            sections.Add(patch[start..]);
        }

        return sections;
    }

    /// <summary>Reads NUL-terminated tokens from git output; a token without its NUL is incomplete.</summary>
    private ref struct NulReader
    {
        private readonly string _text;
        private int _position;

        public NulReader(string text)
        {
            _text = text;
            _position = 0;
        }

        public readonly char? Peek() => _position < _text.Length ? _text[_position] : null;

        public void Advance() => _position++;

        public bool SkipTo(char c)
        {
            var index = _text.IndexOf(c, _position);
            if (index < 0)
            {
                _position = _text.Length;
                return false;
            }

            _position = index + 1;
            return true;
        }

        public bool TryReadToken(out string token)
        {
            var end = _text.IndexOf('\0', _position);
            if (end < 0)
            {
                token = "";
                _position = _text.Length;
                return false;
            }

            token = _text[_position..end];
            _position = end + 1;
            return true;
        }
    }
}
