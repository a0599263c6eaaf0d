using Wright.Core.Errors;

namespace Wright.Core.Merges;

/// <summary>
/// The session-level lock between a merge and an answer: a merge refuses to start while a prompt
/// of the session is starting (409 <c>session_answering</c>; a prompt already answering is seen
/// by <see cref="SessionMerge"/> as a stored streaming message), and a prompt refuses to start
/// while a merge of its session runs (409 <c>session_merging</c>): the merge moves the session's
/// workspace and current leaf, which an answer must not do underneath it.
/// </summary>
/// <remarks>Process-wide, like <see cref="Workspace.ProjectGate"/>: the server, the CLI and tests each build their own container.</remarks>
public static class SessionMergeLock
{
    private static readonly Dictionary<Guid, Claims> Sessions = [];
    private static readonly Lock Guard = new();

    /// <summary>Claims the session for a merge until the result is disposed.</summary>
    public static IDisposable BeginMerge(Guid sessionId)
    {
        lock (Guard)
        {
            var claims = Sessions.GetValueOrDefault(sessionId);
            if (claims is { Merging: true })
            {
                throw WrightException.Conflict(ErrorCodes.SessionMerging, "Another merge into this session is running; retry when it has finished.");
            }

            if (claims is { Starting: > 0 })
            {
                throw Answering();
            }

            Sessions[sessionId] = new Claims(true, 0);
        }

        return new Release(() => Leave(sessionId, merge: true));
    }

    /// <summary>Claims the session while a prompt starts (until its answer is stored as streaming).</summary>
    public static IDisposable BeginPrompt(Guid sessionId)
    {
        lock (Guard)
        {
            var claims = Sessions.GetValueOrDefault(sessionId);
            if (claims is { Merging: true })
            {
                throw WrightException.Conflict(ErrorCodes.SessionMerging, "A merge into this session is running; send the prompt when it has finished.");
            }

            Sessions[sessionId] = new Claims(false, (claims?.Starting ?? 0) + 1);
        }

        return new Release(() => Leave(sessionId, merge: false));
    }

    /// <summary>True while a merge into <paramref name="sessionId"/> runs in this process.</summary>
    public static bool IsMerging(Guid sessionId)
    {
        lock (Guard)
        {
            return Sessions.GetValueOrDefault(sessionId) is { Merging: true };
        }
    }

    /// <summary>The refusal of a merge while an answer of the session streams.</summary>
    public static WrightException Answering() =>
        WrightException.Conflict(ErrorCodes.SessionAnswering, "An answer is streaming in this session; merge when it has finished (or stop it).");

    private static void Leave(Guid sessionId, bool merge)
    {
        lock (Guard)
        {
            var claims = Sessions[sessionId];
            var next = merge ? claims with { Merging = false } : claims with { Starting = claims.Starting - 1 };
            if (next is { Merging: false, Starting: 0 })
            {
                Sessions.Remove(sessionId);
            }
            else
            {
                Sessions[sessionId] = next;
            }
        }
    }

    private sealed record Claims(bool Merging, int Starting);

    private sealed class Release(Action action) : IDisposable
    {
        private Action? _action = action;

        public void Dispose() => Interlocked.Exchange(ref _action, null)?.Invoke();
    }
}
