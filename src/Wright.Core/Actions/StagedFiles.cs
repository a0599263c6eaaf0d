namespace Wright.Core.Actions;

/// <summary>
/// The files of a project as an ActionRun will leave them: reads fall through to the project
/// (through a reader the owner supplies, which applies the path jail) until an action stages a
/// new content or a deletion. Nothing touches the disk until the run applies the staged changes,
/// which is what lets every action be checked before any file changes.
/// </summary>
public sealed class StagedFiles
{
    private readonly Func<string, string?> _readBase;
    private readonly Dictionary<string, string?> _base = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string?> _staged = new(StringComparer.Ordinal);
    private readonly List<string> _order = [];

    /// <param name="readBase">Reads a project-relative path from the project; null when no such file exists.</param>
    public StagedFiles(Func<string, string?> readBase)
    {
        _readBase = readBase;
    }

    /// <summary>Paths with a staged change, in the order they were first changed.</summary>
    public IReadOnlyList<string> ChangedPaths => _order;

    /// <summary>The current (staged or on-disk) content of <paramref name="path"/>; null when it does not exist.</summary>
    public string? Read(string path)
    {
        if (_staged.TryGetValue(path, out var staged))
        {
            return staged;
        }

        return Original(path);
    }

    public bool Exists(string path) => Read(path) is not null;

    /// <summary>The content before the run; null when the file did not exist.</summary>
    public string? Original(string path)
    {
        if (!_base.TryGetValue(path, out var content))
        {
            content = _readBase(path);
            _base[path] = content;
        }

        return content;
    }

    public void Write(string path, string content) => Stage(path, content);

    public void Delete(string path) => Stage(path, null);

    /// <summary>The staged content of a changed path (null for a deletion).</summary>
    public string? StagedContent(string path) => _staged[path];

    /// <summary>How a changed path differs from the project before the run, for the commit message.</summary>
    public FileChangeKind KindOf(string path)
    {
        var before = Original(path);
        var after = _staged[path];
        return (before, after) switch
        {
            (null, null) => FileChangeKind.Unchanged,
            (null, _) => FileChangeKind.Created,
            (_, null) => FileChangeKind.Deleted,
            _ when string.Equals(before, after, StringComparison.Ordinal) => FileChangeKind.Unchanged,
            _ => FileChangeKind.Modified,
        };
    }

    /// <summary>A copy that stages on top of this one; <see cref="Adopt"/> takes its changes back when everything in it succeeded.</summary>
    public StagedFiles Fork()
    {
        var fork = new StagedFiles(Read);
        return fork;
    }

    /// <summary>Takes over every change staged in <paramref name="fork"/> (made by <see cref="Fork"/>).</summary>
    public void Adopt(StagedFiles fork)
    {
        foreach (var path in fork._order)
        {
            Stage(path, fork._staged[path]);
        }
    }

    private void Stage(string path, string? content)
    {
        Original(path);
        if (!_staged.ContainsKey(path))
        {
            _order.Add(path);
        }

        _staged[path] = content;
    }
}

/// <summary>How a file ends up after a run compared with before it.</summary>
public enum FileChangeKind
{
    Unchanged,
    Created,
    Modified,
    Deleted,
}
