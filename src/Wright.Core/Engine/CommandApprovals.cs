using System.Collections.Concurrent;

namespace Wright.Core.Engine;

/// <summary>A command waiting for the user's decision under the <c>ask</c> policy.</summary>
public sealed record PendingApproval(Guid Id, Guid SessionId, Guid MessageId, string CallId, string Command);

/// <summary>
/// The commands runs are waiting on under the <c>ask</c> approval policy: a run registers one and
/// pauses; <c>POST /api/sessions/{id}/approvals/{approvalId}</c> resolves it and the run goes on.
/// An approval nobody answers is denied when its timeout passes or the run is stopped.
/// </summary>
public sealed class CommandApprovals
{
    private readonly ConcurrentDictionary<Guid, (PendingApproval Approval, TaskCompletionSource<bool> Decision)> _pending = new();

    /// <summary>Registers a pending approval; dispose the result once the decision is read.</summary>
    public Waiter Register(Guid sessionId, Guid messageId, string callId, string command)
    {
        var approval = new PendingApproval(Guid.NewGuid(), sessionId, messageId, callId, command);
        var decision = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[approval.Id] = (approval, decision);
        return new Waiter(this, approval, decision.Task);
    }

    /// <summary>The approvals pending in a session.</summary>
    public IReadOnlyList<PendingApproval> PendingIn(Guid sessionId) =>
        _pending.Values.Select(p => p.Approval).Where(a => a.SessionId == sessionId).ToList();

    /// <summary>Decides a pending approval of <paramref name="sessionId"/>; false when there is none with that id (decided, timed out, or another session's).</summary>
    public bool Resolve(Guid sessionId, Guid approvalId, bool approve)
    {
        if (!_pending.TryGetValue(approvalId, out var pending) || pending.Approval.SessionId != sessionId)
        {
            return false;
        }

        return pending.Decision.TrySetResult(approve);
    }

    /// <summary>One registered approval: wait for the decision, then dispose to unregister it.</summary>
    public sealed class Waiter(CommandApprovals owner, PendingApproval approval, Task<bool> decision) : IDisposable
    {
        public PendingApproval Approval => approval;

        /// <summary>The user's decision; false when <paramref name="timeout"/> passes first. Cancellation by <paramref name="cancellationToken"/> throws.</summary>
        public async Task<bool> WaitAsync(TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
        {
            try
            {
                return await decision.WaitAsync(timeout, time, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                return false;
            }
        }

        public void Dispose() => owner._pending.TryRemove(approval.Id, out _);
    }
}
