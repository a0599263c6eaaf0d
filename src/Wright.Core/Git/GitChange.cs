namespace Wright.Core.Git;

/// <summary>How a path differs between two states (HEAD, index, working tree, a commit and its parent).</summary>
public enum GitChange
{
    Unmodified,
    Modified,
    TypeChanged,
    Added,
    Deleted,
    Renamed,
    Copied,
    Unmerged,
    Untracked,
    Ignored,
}
