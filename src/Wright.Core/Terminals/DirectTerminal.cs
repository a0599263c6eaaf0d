namespace Wright.Core.Terminals;

/// <summary>
/// A terminal whose shell runs in a PTY of the server's own (tmux missing): one reader drains the
/// PTY into a ring of the last output (what a reattaching client is shown) and hands each
/// attached client its share. A client that falls a whole ring behind loses its queue and is sent
/// the ring again, after a terminal reset — coalesced output, never an unbounded queue.
/// </summary>
internal sealed class DirectTerminal : IAsyncDisposable
{
    private readonly PtyProcess _shell;
    private readonly int _bufferBytes;
    private readonly byte[] _ring;
    private readonly Lock _lock = new();
    private readonly List<DirectAttachment> _clients = [];
    private readonly Task _pump;
    private long _written;

    public DirectTerminal(PtyProcess shell, int bufferBytes)
    {
        _shell = shell;
        _bufferBytes = bufferBytes;
        _ring = new byte[bufferBytes];
        _pump = Task.Run(PumpAsync);
    }

    public PtyProcess Shell => _shell;

    /// <summary>The shell's exit code, once its output is drained.</summary>
    public Task<int> Exited => _shell.Exited;

    public bool HasEnded => _pump.IsCompleted;

    public ITerminalAttachment Attach()
    {
        lock (_lock)
        {
            var client = new DirectAttachment(this, _bufferBytes);
            client.Enqueue(Snapshot());
            if (_pump.IsCompleted)
            {
                client.Complete();
            }
            else
            {
                _clients.Add(client);
            }

            return client;
        }
    }

    public void Resize(int cols, int rows) => _shell.Resize(cols, rows);

    public Task WriteAsync(ReadOnlyMemory<byte> input, CancellationToken cancellationToken) => _shell.WriteAsync(input, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await _shell.DisposeAsync().ConfigureAwait(false);
        await _pump.ConfigureAwait(false);
    }

    internal void Detach(DirectAttachment client)
    {
        lock (_lock)
        {
            _clients.Remove(client);
        }
    }

    /// <summary>The ring's content in order, with a reset in front so a client starts from a clean screen.</summary>
    internal byte[] Snapshot()
    {
        var length = (int)Math.Min(_written, _ring.Length);
        var reset = "\u001bc"u8;
        var snapshot = new byte[reset.Length + length];
        reset.CopyTo(snapshot);
        var start = (int)((_written - length) % _ring.Length);
        var first = Math.Min(length, _ring.Length - start);
        _ring.AsSpan(start, first).CopyTo(snapshot.AsSpan(reset.Length));
        _ring.AsSpan(0, length - first).CopyTo(snapshot.AsSpan(reset.Length + first));
        return snapshot;
    }

    private async Task PumpAsync()
    {
        var buffer = new byte[64 * 1024];
        int n;
        while ((n = await _shell.ReadAsync(buffer, CancellationToken.None).ConfigureAwait(false)) > 0)
        {
            lock (_lock)
            {
                var chunk = buffer.AsSpan(0, n);
                if (chunk.Length > _ring.Length)
                {
                    chunk = chunk[^_ring.Length..];
                }

                var at = (int)(_written % _ring.Length);
                var first = Math.Min(chunk.Length, _ring.Length - at);
                chunk[..first].CopyTo(_ring.AsSpan(at));
                chunk[first..].CopyTo(_ring);
                _written += n;

                if (_clients.Count > 0)
                {
                    var copy = buffer.AsSpan(0, n).ToArray();
                    foreach (var client in _clients)
                    {
                        client.Enqueue(copy);
                    }
                }
            }
        }

        lock (_lock)
        {
            foreach (var client in _clients)
            {
                client.Complete();
            }

            _clients.Clear();
        }
    }
}

/// <summary>One client of a <see cref="DirectTerminal"/>: a queue bounded in bytes.</summary>
internal sealed class DirectAttachment : ITerminalAttachment
{
    private readonly DirectTerminal _terminal;
    private readonly int _limitBytes;
    private readonly Queue<byte[]> _queue = new();
    private readonly SemaphoreSlim _signal = new(0);
    private readonly Lock _lock = new();
    private byte[] _current = [];
    private int _offset;
    private int _queuedBytes;
    private bool _complete;

    public DirectAttachment(DirectTerminal terminal, int limitBytes)
    {
        _terminal = terminal;
        _limitBytes = limitBytes;
    }

    /// <summary>Called under the terminal's lock, in output order.</summary>
    public void Enqueue(byte[] chunk)
    {
        lock (_lock)
        {
            if (_queuedBytes + chunk.Length > _limitBytes && _queue.Count > 0)
            {
                // This client is a ring behind: what it missed is replaced by the ring itself.
                _queue.Clear();
                _current = [];
                _offset = 0;
                chunk = _terminal.Snapshot();
                _queuedBytes = 0;
            }

            _queue.Enqueue(chunk);
            _queuedBytes += chunk.Length;
        }

        _signal.Release();
    }

    public void Complete()
    {
        lock (_lock)
        {
            _complete = true;
        }

        _signal.Release();
    }

    /// <summary>
    /// As much queued output as fits in <paramref name="buffer"/>: a client that fell behind gets
    /// what piled up in one piece (one WebSocket frame) instead of one frame per PTY read.
    /// </summary>
    public async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        while (true)
        {
            lock (_lock)
            {
                var filled = 0;
                while (filled < buffer.Length)
                {
                    if (_offset == _current.Length)
                    {
                        if (!_queue.TryDequeue(out var next))
                        {
                            break;
                        }

                        _current = next;
                        _offset = 0;
                        _queuedBytes -= next.Length;
                    }

                    var count = Math.Min(buffer.Length - filled, _current.Length - _offset);
                    _current.AsSpan(_offset, count).CopyTo(buffer.Span[filled..]);
                    _offset += count;
                    filled += count;
                }

                if (filled > 0)
                {
                    return filled;
                }

                if (_complete)
                {
                    return 0;
                }
            }

            await _signal.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public Task WriteAsync(ReadOnlyMemory<byte> input, CancellationToken cancellationToken) => _terminal.WriteAsync(input, cancellationToken);

    public void Resize(int cols, int rows) => _terminal.Resize(cols, rows);

    public ValueTask DisposeAsync()
    {
        _terminal.Detach(this);
        return ValueTask.CompletedTask;
    }
}
