namespace Wright.Core.Actions;

/// <summary>
/// Carries out one type of action inside an ActionRun (the seed's ActionHandler). The run calls
/// <see cref="ValidateAsync"/> for every action before anything changes — file changes are staged
/// then, so a bad one fails the run with the project untouched — then <see cref="ExecuteAsync"/>
/// for each in order, and <see cref="RollbackAsync"/> (newest first) for those that executed when a
/// later step fails. The safety point restores the working tree afterwards in any case; rollback
/// is for effects outside it.
/// </summary>
public interface IActionHandler
{
    bool CanHandle(WrightAction action);

    /// <summary>Checks the action and stages its file changes in <see cref="ActionRunContext.Files"/>; throws a <see cref="Errors.WrightException"/> saying why it cannot run.</summary>
    Task ValidateAsync(WrightAction action, ActionRunContext context, CancellationToken cancellationToken);

    Task ExecuteAsync(WrightAction action, ActionRunContext context, CancellationToken cancellationToken);

    Task RollbackAsync(WrightAction action, ActionRunContext context, CancellationToken cancellationToken);
}
