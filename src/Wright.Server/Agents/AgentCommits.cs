using Microsoft.AspNetCore.Http.HttpResults;
using Wright.Core.Agents;
using Wright.Core.Errors;
using Wright.Core.Git;
using Wright.Core.Projects;
using Wright.Server.Accounts;
using Wright.Server.Git;

namespace Wright.Server.Agents;

/// <summary>The commits made during one task of an agent: its project's history between the task's start and end.</summary>
public sealed record AgentTaskCommitsDto(Guid TaskId, IReadOnlyList<GitCommitDto> Commits);

/// <summary>
/// An agent's commits per task. <c>wrightProjectId</c> when the directory is a Wright project (its
/// History can show them); <c>unavailable</c> says in words why there are none to show.
/// </summary>
public sealed record AgentCommitsDto(Guid? WrightProjectId, string? Unavailable, IReadOnlyList<AgentTaskCommitsDto> Tasks);

/// <summary>
/// <c>GET /api/agents/{id}/commits</c>: what each task of an agent committed, from git itself, so
/// the board shows diffs even for agents Wright did not launch.
/// </summary>
internal static class AgentCommits
{
    /// <summary>The newest tasks looked at; older ones are a scroll through History away.</summary>
    private const int MaxTasks = 100;

    private const int MaxCommits = 500;

    public static async Task<Ok<AgentCommitsDto>> GetAsync(Guid id, HttpContext http, IAgentRepository agents, ProjectService projects, GitService git, TimeProvider time, CancellationToken cancellationToken)
    {
        var actor = http.Actor();
        var summary = await agents.GetSummaryAsync(actor.UserId, id, cancellationToken).ConfigureAwait(false)
            ?? throw WrightException.NotFound(ErrorCodes.AgentNotFound, $"Agent {id} does not exist.");
        var project = summary.Project;

        // A Wright project is read through its own record (access checked again: a membership may
        // have ended since the agent was linked); any other directory only where the user could
        // open a project, so a hook cannot name someone else's directory and read its history.
        string root;
        Guid? wrightProjectId = null;
        try
        {
            if (project.WrightProjectId is { } linked)
            {
                root = (await projects.GetAsync(actor, linked, cancellationToken).ConfigureAwait(false)).RootPath;
                wrightProjectId = linked;
            }
            else
            {
                await projects.EnsureMayOpenAsync(actor, project.Path, cancellationToken).ConfigureAwait(false);
                root = project.Path;
            }
        }
        catch (WrightException ex) when (ex.Kind is ErrorKind.NotFound or ErrorKind.Forbidden or ErrorKind.Invalid)
        {
            return Unavailable("Wright may not read the history of this directory (it is outside your workspace roots).");
        }

        if (!Directory.Exists(root))
        {
            return Unavailable("The agent's directory no longer exists.");
        }

        if (await git.FindWorkTreeRootAsync(root, cancellationToken).ConfigureAwait(false) is null)
        {
            return Unavailable("The agent's directory is not a git repository.");
        }

        var tasks = (await agents.ListTasksAsync(id, cancellationToken).ConfigureAwait(false))
            .OrderByDescending(t => t.StartedAt)
            .Take(MaxTasks)
            .ToList();
        if (tasks.Count == 0)
        {
            return TypedResults.Ok(new AgentCommitsDto(wrightProjectId, null, []));
        }

        var now = time.GetUtcNow();
        var commits = await git.GetCommitsBetweenAsync(root, tasks.Min(t => t.StartedAt), tasks.Max(t => t.CompletedAt ?? now), MaxCommits, cancellationToken).ConfigureAwait(false);

        // git dates are whole seconds: a task's window is widened to the seconds it touches, and a
        // commit in a second two tasks share is shown under both rather than guessed into one.
        var perTask = tasks.Select(t => new AgentTaskCommitsDto(
            t.Id,
            commits.Where(c => c.Committer.Date.ToUnixTimeSeconds() >= t.StartedAt.ToUnixTimeSeconds()
                    && c.Committer.Date.ToUnixTimeSeconds() <= (t.CompletedAt ?? now).ToUnixTimeSeconds())
                .Select(GitCommitDto.From)
                .ToList())).ToList();
        return TypedResults.Ok(new AgentCommitsDto(wrightProjectId, null, perTask));
    }

    private static Ok<AgentCommitsDto> Unavailable(string reason) => TypedResults.Ok(new AgentCommitsDto(null, reason, []));
}
