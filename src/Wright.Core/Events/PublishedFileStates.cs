namespace Wright.Core.Events;

/// <summary>
/// The last file event published per (project, path), kept for a few minutes: a watcher event
/// that says what the last event already said (the API's own write seen again on disk, a touch
/// that changed nothing) is not published. Only the bus uses it, under its lock.
/// </summary>
internal sealed class PublishedFileStates
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(5);
    private const int Capacity = 20_000;

    private readonly Dictionary<(Guid Project, string Path), (string Type, string? ETag, long At)> _states = [];
    private readonly TimeProvider _time;

    public PublishedFileStates(TimeProvider time)
    {
        _time = time;
    }

    public bool IsUnchanged(Guid project, string type, FileEventData data)
    {
        if (!_states.TryGetValue((project, data.Path), out var last) || _time.GetElapsedTime(last.At) > Lifetime || last.Type != type)
        {
            return false;
        }

        // A changed file without an ETag (too large to hash) cannot be compared: report it.
        return type == EventTypes.FileDeleted || (data.ETag is not null && last.ETag is not null && Bare(data.ETag).Equals(Bare(last.ETag), StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>The hash inside an ETag, whether a publisher passed it bare or in HTTP form (<c>"…"</c>, <c>W/"…"</c>).</summary>
    private static ReadOnlySpan<char> Bare(string etag)
    {
        var span = etag.AsSpan().Trim();
        if (span.StartsWith("W/", StringComparison.Ordinal))
        {
            span = span[2..];
        }

        return span.Trim('"');
    }

    public void Record(Guid project, string type, FileEventData data)
    {
        if (_states.Count >= Capacity)
        {
            Prune();
        }

        _states[(project, data.Path)] = (type, data.ETag, _time.GetTimestamp());
    }

    private void Prune()
    {
        foreach (var (key, state) in _states)
        {
            if (_time.GetElapsedTime(state.At) > Lifetime)
            {
                _states.Remove(key);
            }
        }

        // Still full of fresh entries (a huge burst): forgetting only risks a duplicate event.
        if (_states.Count >= Capacity)
        {
            _states.Clear();
        }
    }
}
