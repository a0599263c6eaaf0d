using Wright.Core.Conversations;

namespace Wright.Core.Answers;

/// <summary>
/// Saves what the streaming answers of this server have said so far, beside their relay: every
/// answer's newest text asked for since the last save goes into one transaction, written by one
/// writer at a time. So the last chunk before a stall (or a crash) is on disk within a save
/// interval, while no chunk ever waits for the database. With a hundred answers streaming, a save
/// of its own for each queued a hundred writers for the database's write lock, each holding a
/// thread-pool thread while it waited: the relay then waited for threads, and chunks were held
/// back by a tenth of a second and more.
/// </summary>
/// <param name="write">Stores a batch in one transaction (<see cref="IConversationRepository.UpdateStreamingContentAsync"/>).</param>
/// <param name="time">The clock the saved texts are stamped with.</param>
internal sealed class ProgressSaves(Func<IReadOnlyList<StreamingContent>, CancellationToken, Task> write, TimeProvider time)
{
    private readonly Lock _gate = new();
    private Dictionary<Guid, Entry> _pending = [];
    private Dictionary<Guid, Entry> _writing = [];
    private readonly Dictionary<Guid, Exception> _failed = [];
    private bool _active;

    /// <summary>Asks for an answer's text so far to be saved; a newer text before the next save replaces it.</summary>
    public void Save(Guid messageId, string text, IReadOnlyList<ToolCall> calls)
    {
        var content = new StreamingContent(messageId, text, calls, time.GetUtcNow());
        lock (_gate)
        {
            if (_pending.TryGetValue(messageId, out var entry))
            {
                entry.Content = content;
            }
            else
            {
                _pending[messageId] = new Entry(content);
            }

            if (!_active)
            {
                _active = true;
                _ = Task.Run(WriteAsync, CancellationToken.None);
            }
        }
    }

    /// <summary>
    /// Completes when every save asked for this answer so far has landed, or fails with the
    /// exception of its last save when that failed (reported once).
    /// </summary>
    public Task SavedAsync(Guid messageId)
    {
        lock (_gate)
        {
            // A pending save is written after the one in flight, so it is the one to wait for.
            var entry = _pending.GetValueOrDefault(messageId) ?? _writing.GetValueOrDefault(messageId);
            if (entry is not null)
            {
                entry.Observed = true;
                return entry.Landed.Task;
            }

            return _failed.Remove(messageId, out var failure) ? Task.FromException(failure) : Task.CompletedTask;
        }
    }

    private async Task WriteAsync()
    {
        while (true)
        {
            Dictionary<Guid, Entry> batch;
            lock (_gate)
            {
                if (_pending.Count == 0)
                {
                    _active = false;
                    return;
                }

                batch = _pending;
                _pending = [];
                _writing = batch;
            }

            Exception? failure = null;
            try
            {
                await write([.. batch.Values.Select(e => e.Content)], CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                failure = ex;
            }

            lock (_gate)
            {
                // An answer that asks only after this batch still learns that its save failed;
                // the next save is tried afresh.
                foreach (var (id, entry) in batch)
                {
                    if (failure is null)
                    {
                        _failed.Remove(id);
                    }
                    else if (!entry.Observed)
                    {
                        _failed[id] = failure;
                    }
                }

                _writing = [];
            }

            foreach (var entry in batch.Values)
            {
                if (failure is null)
                {
                    entry.Landed.TrySetResult();
                }
                else
                {
                    entry.Landed.TrySetException(failure);
                }
            }
        }
    }

    private sealed class Entry(StreamingContent content)
    {
        public StreamingContent Content { get; set; } = content;

        public TaskCompletionSource Landed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Somebody waits for <see cref="Landed"/>, so a failure reaches them there.</summary>
        public bool Observed { get; set; }
    }
}
