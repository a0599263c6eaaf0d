using Microsoft.Extensions.Logging;
using Wright.Core.Actions;
using Wright.Core.Paging;
using Wright.Core.Projects;

namespace Wright.Core.Engine;

/// <summary>
/// At start-up, settles the ActionRuns a killed process left in any registered project (each
/// completes if its commit landed, else rolls back to its safety point). Every run and undo also
/// recovers its project first, so a project that fails here is retried lazily before it is used.
/// </summary>
public sealed class EngineRecovery
{
    private readonly IProjectRepository _projects;
    private readonly ActionRunner _runner;
    private readonly ILogger<EngineRecovery> _logger;

    public EngineRecovery(IProjectRepository projects, ActionRunner runner, ILogger<EngineRecovery> logger)
    {
        _projects = projects;
        _runner = runner;
        _logger = logger;
    }

    /// <summary>Recovers every project's interrupted run; returns how many projects had one.</summary>
    public async Task<int> RecoverAllAsync(CancellationToken cancellationToken)
    {
        var recovered = 0;
        string? cursor = null;
        do
        {
            var page = await _projects.ListAsync(PageRequest.From(200, cursor), includeArchived: true, visibleTo: null, cancellationToken).ConfigureAwait(false);
            foreach (var project in page.Items.Where(p => Directory.Exists(Path.Combine(p.RootPath, ".git")) || File.Exists(Path.Combine(p.RootPath, ".git"))))
            {
                try
                {
                    var outcome = await _runner.RecoverAsync(project.RootPath, cancellationToken, project.Id).ConfigureAwait(false);
                    if (outcome != RecoveryOutcome.NothingToRecover)
                    {
                        recovered++;
                        EngineLog.Recovered(_logger, project.Id, outcome.ToString());
                    }
                }
                catch (Exception ex) when (ex is Errors.WrightException or IOException or UnauthorizedAccessException)
                {
                    EngineLog.RecoveryFailed(_logger, ex, project.Id);
                }
            }

            cursor = page.NextCursor;
        }
        while (cursor is not null);

        return recovered;
    }
}
