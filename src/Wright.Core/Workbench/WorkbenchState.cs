using System.Text;
using System.Text.Json;
using Wright.Core.Errors;

namespace Wright.Core.Workbench;

/// <summary>
/// The browser workbench's layout for one user in one project (panel sizes, open tabs, the active
/// file and session, cursors): a JSON object the server stores and returns as it was given.
/// </summary>
public sealed record WorkbenchState(Guid UserId, Guid ProjectId, string StateJson, DateTimeOffset UpdatedAt)
{
    /// <summary>The largest state kept, in UTF-8 bytes of its JSON.</summary>
    public const int MaxBytes = 64 * 1024;

    /// <summary>The JSON text of <paramref name="state"/> when it is an object within <see cref="MaxBytes"/>.</summary>
    public static string Validate(JsonElement state)
    {
        if (state.ValueKind != JsonValueKind.Object)
        {
            throw WrightException.Invalid(ErrorCodes.ValidationFailed, "state is a JSON object (send {} to clear it).");
        }

        var json = state.GetRawText();
        if (Encoding.UTF8.GetByteCount(json) > MaxBytes)
        {
            throw TooLarge();
        }

        return json;
    }

    public static WrightException TooLarge() =>
        new(ErrorKind.TooLarge, ErrorCodes.WorkbenchStateTooLarge, $"The workbench state is larger than {MaxBytes / 1024} KiB; keep less in it (fewer tabs or cursors).");
}

/// <summary>Where workbench states are kept: one per user and project.</summary>
public interface IWorkbenchRepository
{
    Task<WorkbenchState?> GetAsync(Guid userId, Guid projectId, CancellationToken cancellationToken);

    /// <summary>Inserts or replaces the state of its user and project.</summary>
    Task SaveAsync(WorkbenchState state, CancellationToken cancellationToken);
}
