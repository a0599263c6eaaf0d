namespace Wright.Core.Git;

/// <summary>A local branch: its tip, whether HEAD is on it, and its upstream with ahead/behind counts if it has one.</summary>
public sealed record GitBranch(string Name, string Sha, bool Current, string? Upstream, int? Ahead, int? Behind);
