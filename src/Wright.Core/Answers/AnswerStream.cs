using System.Runtime.CompilerServices;

namespace Wright.Core.Answers;

/// <summary>One event of an answer's stream: its id within the stream (1, 2, 3…), type and payload.</summary>
public sealed record AnswerEvent(long Id, string Type, object Data);

/// <summary>The SSE event types of an answer's stream; never rename one.</summary>
public static class AnswerEventTypes
{
    public const string MessageCreated = "message.created";
    public const string Delta = "delta";
    public const string ToolCall = "toolCall";
    public const string Usage = "usage";
    public const string MessageCompleted = "message.completed";
    public const string Error = "error";
}

/// <summary>Why a run was cancelled.</summary>
public enum AnswerCancelReason
{
    None,
    Stopped,
    Disconnected,
    ServerStopping,
}

/// <summary>
/// An answer being streamed: the log of every event it produced (so a client that reconnects with
/// <c>Last-Event-ID</c> gets what it missed, then the rest live), the clients watching it, and
/// the cancellation of its provider call. When its last client leaves, it waits the grace period
/// for one to come back, then cancels.
/// </summary>
public sealed class AnswerStream : IDisposable
{
    private readonly Lock _lock = new();
    private readonly List<AnswerEvent> _events = [];
    private readonly CancellationTokenSource _cancellation = new();
    private readonly TimeProvider _time;
    private readonly TimeSpan _grace;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    // Until the answer's first output, relays (a client's connection) wake on the appending thread
    // itself: handing the event to the thread pool first cost a queue wait on a busy machine, on
    // the path to the first token. A relay only writes to its connection, which never blocks (a
    // full one awaits). After it they wake on the pool again, where the events that piled up
    // meanwhile go out as one batch (a flood of chunks is then relayed in fewer, larger writes).
    private TaskCompletionSource _relayChanged = new();
    private int _watchers;
    private ITimer? _graceTimer;
    private bool _finished;
    private AnswerCancelReason _cancelReason;

    public AnswerStream(Guid projectId, Guid sessionId, Guid messageId, TimeProvider time, TimeSpan grace)
    {
        ProjectId = projectId;
        SessionId = sessionId;
        MessageId = messageId;
        _time = time;
        _grace = grace;
    }

    public Guid ProjectId { get; }

    public Guid SessionId { get; }

    public Guid MessageId { get; }

    /// <summary>Cancelled when the run is stopped, abandoned by its clients, or the server stops.</summary>
    public CancellationToken Token => _cancellation.Token;

    public AnswerCancelReason CancelReason
    {
        get
        {
            lock (_lock)
            {
                return _cancelReason;
            }
        }
    }

    public bool IsFinished
    {
        get
        {
            lock (_lock)
            {
                return _finished;
            }
        }
    }

    /// <summary>Completes when the run has saved its final state and written its last event.</summary>
    public Task Completion { get; internal set; } = Task.CompletedTask;

    /// <summary>Appends an event and wakes the readers.</summary>
    public AnswerEvent Append(string type, object data)
    {
        TaskCompletionSource changed;
        TaskCompletionSource relay;
        AnswerEvent evt;
        lock (_lock)
        {
            evt = new AnswerEvent(_events.Count + 1, type, data);
            _events.Add(evt);
            changed = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            relay = _relayChanged;
            _relayChanged = new TaskCompletionSource();
        }

        // The relays first: they write on this thread, before the pool is woken for the other
        // readers (the turn's records), so the first token is out before those take a processor.
        relay.TrySetResult();
        changed.TrySetResult();
        return evt;
    }

    /// <summary>Marks the log complete: readers end after its last event.</summary>
    public void Finish()
    {
        TaskCompletionSource changed;
        TaskCompletionSource relay;
        lock (_lock)
        {
            _finished = true;
            _graceTimer?.Dispose();
            _graceTimer = null;
            changed = _changed;
            relay = _relayChanged;
        }

        changed.TrySetResult();
        relay.TrySetResult();
    }

    /// <summary>Every event after <paramref name="afterId"/>, then live ones until the run finishes.</summary>
    public async IAsyncEnumerable<AnswerEvent> ReadAsync(long afterId, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var batch in ReadBatchesAsync(afterId, relay: false, cancellationToken).ConfigureAwait(false))
        {
            foreach (var evt in batch)
            {
                yield return evt;
            }
        }
    }

    /// <summary>
    /// Like <see cref="ReadAsync"/>, but hands over every event ready at once as one batch, so a
    /// writer can flush once per batch: under load a slow client gets fewer, larger writes, while
    /// an idle stream still sends each event the moment it exists.
    /// </summary>
    /// <param name="relay">
    /// True for a reader that only relays events to a connection: up to the answer's first output
    /// (a delta or a tool call) it runs on the thread that appended the event, until its first real
    /// wait. Anything else (storing, deciding) reads with false and runs on the thread pool, off
    /// the answer's path.
    /// </param>
    public async IAsyncEnumerable<IReadOnlyList<AnswerEvent>> ReadBatchesAsync(long afterId, bool relay, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        int next;
        lock (_lock)
        {
            // An id this log never gave out (another server run, garbage) means "from the start".
            next = afterId > _events.Count ? 0 : (int)Math.Max(0, afterId);
        }

        var inline = relay;
        while (true)
        {
            List<AnswerEvent> batch;
            Task changed;
            bool finished;
            lock (_lock)
            {
                batch = next < _events.Count ? _events.GetRange(next, _events.Count - next) : [];
                changed = inline ? _relayChanged.Task : _changed.Task;
                finished = _finished;
            }

            if (batch.Count > 0)
            {
                next += batch.Count;
                inline = inline && !batch.Any(e => e.Type is AnswerEventTypes.Delta or AnswerEventTypes.ToolCall);
                yield return batch;
                continue;
            }

            if (finished)
            {
                yield break;
            }

            await changed.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Registers a client; dispose the result when it leaves.</summary>
    public IDisposable Watch()
    {
        lock (_lock)
        {
            _watchers++;
            _graceTimer?.Dispose();
            _graceTimer = null;
        }

        return new Watcher(this);
    }

    /// <summary>Cancels the provider call; the run then saves what it has with the matching status.</summary>
    public void Cancel(AnswerCancelReason reason)
    {
        lock (_lock)
        {
            if (_finished || _cancelReason != AnswerCancelReason.None)
            {
                return;
            }

            _cancelReason = reason;
        }

        _cancellation.Cancel();
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _graceTimer?.Dispose();
            _graceTimer = null;
        }

        // The token source is not disposed: a late Cancel (a stop racing the end) must stay harmless,
        // and without CancelAfter or a wait handle it holds nothing that needs releasing.
    }

    private void Unwatch()
    {
        lock (_lock)
        {
            _watchers--;
            if (_watchers > 0 || _finished)
            {
                return;
            }

            if (_grace > TimeSpan.Zero)
            {
                _graceTimer?.Dispose();
                _graceTimer = _time.CreateTimer(_ => Cancel(AnswerCancelReason.Disconnected), null, _grace, Timeout.InfiniteTimeSpan);
                return;
            }
        }

        Cancel(AnswerCancelReason.Disconnected);
    }

    private sealed class Watcher : IDisposable
    {
        private AnswerStream? _run;

        public Watcher(AnswerStream run)
        {
            _run = run;
        }

        public void Dispose() => Interlocked.Exchange(ref _run, null)?.Unwatch();
    }
}
