namespace Wright.Core.Previews;

/// <summary>How Wright learned of a dev server's port.</summary>
public enum PreviewSource
{
    /// <summary>A process started from the terminal listens on it.</summary>
    Listening,

    /// <summary>The terminal printed a loopback URL with it.</summary>
    Printed,

    /// <summary>The user added it.</summary>
    Added,

    /// <summary>A background command of the model's listens on it or printed a loopback URL with it.</summary>
    Command,
}

/// <summary>
/// A dev server of a project, reachable through the preview proxy; <see cref="TerminalId"/> names
/// the terminal that started it, or <see cref="CommandId"/> and <see cref="Command"/> the
/// background command, when known.
/// </summary>
public sealed record Preview(Guid ProjectId, int Port, PreviewSource Source, Guid? TerminalId, bool Listening, Guid? CommandId = null, string? Command = null);

/// <summary>Ports users added to a project's previews by hand.</summary>
public interface IPreviewRepository
{
    Task AddAsync(Guid projectId, Guid userId, int port, DateTimeOffset addedAt, CancellationToken cancellationToken);

    Task<IReadOnlyList<int>> ListAsync(Guid projectId, Guid userId, CancellationToken cancellationToken);

    Task<bool> RemoveAsync(Guid projectId, Guid userId, int port, CancellationToken cancellationToken);
}
