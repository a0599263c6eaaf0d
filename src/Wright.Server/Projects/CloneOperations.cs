using System.Collections.Concurrent;
using Wright.Core.Accounts;
using Wright.Core.Errors;
using Wright.Core.Git;
using Wright.Core.Projects;

namespace Wright.Server.Projects;

/// <summary>The states of a clone operation; never rename one (clients read them).</summary>
public static class CloneStates
{
    public const string Running = "running";
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";
    public const string Cancelled = "cancelled";
}

/// <summary>Why a clone failed: the problem's code and detail.</summary>
public sealed record CloneErrorDto(string Code, string Detail);

/// <summary>
/// A clone running in the background (<c>/api/clones/{id}</c>): its state, git's current progress
/// meter (phase, percent, done/total), and at the end the project or the error.
/// </summary>
public sealed record CloneOperationDto(
    Guid Id,
    string Url,
    string Name,
    string Path,
    string State,
    string? Phase,
    int Percent,
    long? Done,
    long? Total,
    ProjectDto? Project,
    CloneErrorDto? Error,
    DateTimeOffset StartedAt,
    DateTimeOffset? EndedAt);

/// <summary>
/// One clone: its progress log (every event holds the whole operation, numbered 1, 2, 3… so a
/// client resuming with <c>Last-Event-ID</c> gets what it missed) and its cancellation.
/// </summary>
internal sealed class CloneOperation : IDisposable
{
    private readonly Lock _lock = new();
    private readonly List<(long Id, string Type, CloneOperationDto Data)> _events = [];
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private CloneOperationDto _current;

    public CloneOperation(Guid ownerId, CloneTarget target, DateTimeOffset now)
    {
        OwnerId = ownerId;
        _current = new CloneOperationDto(Guid.CreateVersion7(now), GitService.RedactUserInfo(target.Url), target.Name, target.Root, CloneStates.Running, null, 0, null, null, null, null, now, null);
    }

    public Guid Id => _current.Id;

    public Guid OwnerId { get; }

    public CancellationTokenSource Cancellation { get; } = new();

    public Task Work { get; set; } = Task.CompletedTask;

    public CloneOperationDto Current
    {
        get
        {
            lock (_lock)
            {
                return _current;
            }
        }
    }

    public bool Finished => Current.State != CloneStates.Running;

    public void Progress(GitTransferProgress progress) =>
        Append("progress", c => c with { Phase = progress.Phase, Percent = progress.Percent, Done = progress.Done, Total = progress.Total });

    public void Succeed(ProjectDto project, DateTimeOffset now) =>
        Append(CloneStates.Succeeded, c => c with { State = CloneStates.Succeeded, Percent = 100, Project = project, EndedAt = now });

    public void Fail(string state, CloneErrorDto error, DateTimeOffset now) =>
        Append(state, c => c with { State = state, Error = error, EndedAt = now });

    /// <summary>The events after <paramref name="position"/>, and a task that completes at the next one.</summary>
    public (IReadOnlyList<(long Id, string Type, CloneOperationDto Data)> Events, Task Changed) After(long position)
    {
        lock (_lock)
        {
            return (_events.Where(e => e.Id > position).ToList(), _changed.Task);
        }
    }

    private void Append(string type, Func<CloneOperationDto, CloneOperationDto> change)
    {
        TaskCompletionSource changed;
        lock (_lock)
        {
            if (_current.State != CloneStates.Running)
            {
                return;
            }

            _current = change(_current);
            _events.Add((_events.Count + 1, type, _current));
            changed = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        changed.TrySetResult();
    }

    public void Dispose() => Cancellation.Dispose();
}

/// <summary>
/// The clones this server runs in the background, each visible to the user who started it only
/// (another user's is <c>clone_not_found</c>). A user runs a few at once; finished ones are
/// forgotten after a while. Clones live in the instance that runs them (a team server's other
/// instances do not see them). Stopping the server cancels them, leaving nothing behind.
/// </summary>
internal sealed class CloneOperations(ProjectService projects, TimeProvider time, ILogger<CloneOperations> logger) : IDisposable
{
    public const int MaxRunningPerUser = 3;
    private static readonly TimeSpan KeepFinished = TimeSpan.FromMinutes(15);

    private readonly ConcurrentDictionary<Guid, CloneOperation> _operations = new();

    public CloneOperation Start(Actor actor, CloneTarget target)
    {
        Forget();
        if (_operations.Values.Count(o => o.OwnerId == actor.UserId && !o.Finished) >= MaxRunningPerUser)
        {
            throw new WrightException(ErrorKind.RateLimited, ErrorCodes.RateLimited, $"At most {MaxRunningPerUser} clones run at once per user; wait for one to finish or cancel it.");
        }

        var operation = new CloneOperation(actor.UserId, target, time.GetUtcNow());
        _operations[operation.Id] = operation;
        var token = operation.Cancellation.Token;
        operation.Work = Task.Run(() => RunAsync(actor, target, operation, token), CancellationToken.None);
        return operation;
    }

    public CloneOperation Get(Actor actor, Guid id) =>
        _operations.TryGetValue(id, out var operation) && operation.OwnerId == actor.UserId
            ? operation
            : throw WrightException.NotFound(ErrorCodes.CloneNotFound, $"There is no clone '{id}'.");

    /// <summary>Cancels a running clone and waits (bounded by the token) until its directory is gone.</summary>
    public async Task<CloneOperation> CancelAsync(Actor actor, Guid id, CancellationToken cancellationToken)
    {
        var operation = Get(actor, id);
        if (!operation.Finished)
        {
            await operation.Cancellation.CancelAsync().ConfigureAwait(false);
        }

        await operation.Work.WaitAsync(cancellationToken).ConfigureAwait(false);
        return operation;
    }

    private async Task RunAsync(Actor actor, CloneTarget target, CloneOperation operation, CancellationToken cancellationToken)
    {
        try
        {
            var project = await projects.CloneAsync(actor, target, new Reporter(operation), cancellationToken).ConfigureAwait(false);
            operation.Succeed(ProjectDto.From(project), time.GetUtcNow());
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            operation.Fail(CloneStates.Cancelled, new CloneErrorDto(ErrorCodes.CloneCancelled, "The clone was cancelled; nothing was kept."), time.GetUtcNow());
        }
        catch (WrightException ex)
        {
            operation.Fail(CloneStates.Failed, new CloneErrorDto(ex.Code, ex.Message), time.GetUtcNow());
        }
        catch (Exception ex)
        {
            // Anything else still ends the operation (a client following it must not wait forever).
            CloneLog.WriteFailed(logger, ex, operation.Id);
            operation.Fail(CloneStates.Failed, new CloneErrorDto(ErrorCodes.CloneFailed, "The clone could not be completed; the server log says why."), time.GetUtcNow());
        }
    }

    private void Forget()
    {
        var now = time.GetUtcNow();
        foreach (var (id, operation) in _operations)
        {
            if (operation.Current.EndedAt is { } ended && now - ended > KeepFinished && _operations.TryRemove(id, out var removed))
            {
                removed.Dispose();
            }
        }
    }

    public void Dispose()
    {
        foreach (var operation in _operations.Values)
        {
            operation.Cancellation.Cancel();
        }

        // Bounded: each clone's git is killed at once and its directory removed.
        Task.WaitAll([.. _operations.Values.Select(o => o.Work)], TimeSpan.FromSeconds(10));
        foreach (var operation in _operations.Values)
        {
            operation.Dispose();
        }
    }

    /// <summary>Reports on git's own reading thread, in order (<see cref="Progress{T}"/> would post and reorder).</summary>
    private sealed class Reporter(CloneOperation operation) : IProgress<GitTransferProgress>
    {
        public void Report(GitTransferProgress value) => operation.Progress(value);
    }
}

internal static partial class CloneLog
{
    [LoggerMessage(EventId = 9301, Level = LogLevel.Warning, Message = "Clone {CloneId} failed")]
    public static partial void WriteFailed(ILogger logger, Exception exception, Guid cloneId);
}
