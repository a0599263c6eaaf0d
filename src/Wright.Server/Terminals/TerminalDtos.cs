using Wright.Core.Terminals;

namespace Wright.Server.Terminals;

/// <summary>
/// A terminal as the API shows it. <c>survivesRestart</c> is false for a terminal the server holds
/// itself (tmux missing): its shell ends when the server stops, and the UI says so.
/// </summary>
public sealed record TerminalDto(
    Guid Id,
    Guid ProjectId,
    string Name,
    string Shell,
    string Cwd,
    int Cols,
    int Rows,
    string Host,
    bool SurvivesRestart,
    string Status,
    DateTimeOffset StartedAt,
    DateTimeOffset? ExitedAt,
    int? ExitCode,
    bool Sandboxed,
    string AttachUrl)
{
    public static TerminalDto From(Terminal t) => new(
        t.Id,
        t.ProjectId,
        t.Name,
        t.Shell,
        t.Cwd,
        t.Cols,
        t.Rows,
        t.Host == TerminalHost.Tmux ? "tmux" : "pty",
        t.SurvivesRestart,
        t.IsRunning ? "running" : "exited",
        t.StartedAt,
        t.ExitedAt,
        t.ExitCode,
        t.Sandboxed,
        $"/api/terminals/{t.Id}/attach");
}

/// <summary>Body of <c>POST /api/projects/{id}/terminals</c>; <c>cwd</c> is relative to the project root; <c>sandbox</c> runs the shell under the project's sandbox.</summary>
public sealed record CreateTerminalRequest(string? Name, string? Shell, string? Cwd, int? Cols, int? Rows, bool? Sandbox = null);

/// <summary>Body of <c>PATCH /api/terminals/{id}</c>.</summary>
public sealed record RenameTerminalRequest(string? Name);
