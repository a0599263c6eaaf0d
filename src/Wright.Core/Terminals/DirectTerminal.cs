namespace Wright.Core.Terminals;

/// <summary>
/// A terminal whose shell runs in a PTY of the server's own (tmux missing): the PTY's reader
/// thread pushes its output into a ring of the last output, and every attached client reads
/// straight from that ring at its own position — no copy per client, no queue, no other thread in
/// between. A new client starts with a terminal reset and the whole ring (what it needs to paint
/// the screen); a client that falls a whole ring behind is sent the same again — coalesced output.
/// The memory a terminal holds is its ring, whatever its clients do.
/// </summary>
internal sealed class DirectTerminal : IAsyncDisposable
{
    private static readonly byte[] Reset = "\u001bc"u8.ToArray();

    private readonly PtyProcess _shell;
    private readonly byte[] _ring;
    private readonly Lock _lock = new();
    private readonly List<DirectAttachment> _clients = [];
    private readonly Task _end;
    private long _written;
    private bool _ended;

    public DirectTerminal(PtyProcess shell, int bufferBytes)
    {
        _shell = shell;
        _ring = new byte[bufferBytes];
        _end = EndAsync();
        shell.Push(OnOutput);
    }

    public PtyProcess Shell => _shell;

    /// <summary>The shell's exit code, once its output is drained.</summary>
    public Task<int> Exited => _shell.Exited;

    public bool HasEnded
    {
        get
        {
            lock (_lock)
            {
                return _ended;
            }
        }
    }

    public ITerminalAttachment Attach()
    {
        lock (_lock)
        {
            var client = new DirectAttachment(this, Math.Max(0, _written - _ring.Length));
            _clients.Add(client);
            return client;
        }
    }

    public void Resize(int cols, int rows) => _shell.Resize(cols, rows);

    public Task WriteAsync(ReadOnlyMemory<byte> input, CancellationToken cancellationToken) => _shell.WriteAsync(input, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await _shell.DisposeAsync().ConfigureAwait(false);
        await _end.ConfigureAwait(false);
    }

    internal void Detach(DirectAttachment client)
    {
        lock (_lock)
        {
            _clients.Remove(client);
        }
    }

    /// <summary>What the ring holds, in order (the recent output the previews look for URLs in).</summary>
    internal byte[] Snapshot()
    {
        lock (_lock)
        {
            var length = (int)Math.Min(_written, _ring.Length);
            var snapshot = new byte[length];
            var start = (int)((_written - length) % _ring.Length);
            var first = Math.Min(length, _ring.Length - start);
            _ring.AsSpan(start, first).CopyTo(snapshot);
            _ring.AsSpan(0, length - first).CopyTo(snapshot.AsSpan(first));
            return snapshot;
        }
    }

    /// <summary>
    /// Copies the client's next output into <paramref name="buffer"/> and moves its position: the
    /// reset first when it is owed one, then as much of the ring after its position as fits. 0 when
    /// there is nothing yet (the client is then woken by the next output) or nothing ever again
    /// (<paramref name="ended"/>).
    /// </summary>
    internal int Read(DirectAttachment client, Span<byte> buffer, out bool ended)
    {
        lock (_lock)
        {
            var filled = 0;
            if (_written - client.Position > _ring.Length)
            {
                // A ring behind: what it missed is gone; it repaints from what the ring holds.
                client.Position = _written - _ring.Length;
                client.OwesReset = true;
            }

            if (client.OwesReset && buffer.Length >= Reset.Length)
            {
                Reset.CopyTo(buffer);
                filled = Reset.Length;
                client.OwesReset = false;
            }

            var count = (int)Math.Min(buffer.Length - filled, _written - client.Position);
            var at = (int)(client.Position % _ring.Length);
            var first = Math.Min(count, _ring.Length - at);
            _ring.AsSpan(at, first).CopyTo(buffer[filled..]);
            _ring.AsSpan(0, count - first).CopyTo(buffer[(filled + first)..]);
            client.Position += count;
            filled += count;
            ended = _ended && client.Position == _written;
            client.Waiting = filled == 0 && !ended;
            return filled;
        }
    }

    /// <summary>On the PTY's reader thread: keeps the output in the ring and wakes the clients waiting for it.</summary>
    private void OnOutput(ReadOnlySpan<byte> output)
    {
        lock (_lock)
        {
            var chunk = output.Length > _ring.Length ? output[^_ring.Length..] : output;
            var at = (int)((_written + output.Length - chunk.Length) % _ring.Length);
            var first = Math.Min(chunk.Length, _ring.Length - at);
            chunk[..first].CopyTo(_ring.AsSpan(at));
            chunk[first..].CopyTo(_ring);
            _written += output.Length;
            WakeWaiting();
        }
    }

    /// <summary>Once the shell's output is drained (its last push came before), every client is told the end.</summary>
    private async Task EndAsync()
    {
        await _shell.Exited.ConfigureAwait(false);
        lock (_lock)
        {
            _ended = true;
            WakeWaiting();
        }
    }

    private void WakeWaiting()
    {
        foreach (var client in _clients)
        {
            if (client.Waiting)
            {
                client.Waiting = false;
                client.Signal.Release();
            }
        }
    }
}

/// <summary>One client of a <see cref="DirectTerminal"/>: its position in the terminal's output stream.</summary>
internal sealed class DirectAttachment : ITerminalAttachment
{
    private readonly DirectTerminal _terminal;

    public DirectAttachment(DirectTerminal terminal, long position)
    {
        _terminal = terminal;
        Position = position;
    }

    /// <summary>How much of the terminal's output stream this client has been given (under the terminal's lock).</summary>
    internal long Position { get; set; }

    /// <summary>True until the client was sent a terminal reset before repainting from the ring.</summary>
    internal bool OwesReset { get; set; } = true;

    /// <summary>True while the client waits for output (under the terminal's lock).</summary>
    internal bool Waiting { get; set; }

    internal SemaphoreSlim Signal { get; } = new(0);

    /// <summary>As much output as fits in <paramref name="buffer"/>: a client that fell behind gets what piled up in one piece (one WebSocket frame).</summary>
    public async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        while (true)
        {
            var n = _terminal.Read(this, buffer.Span, out var ended);
            if (n > 0 || ended)
            {
                return n;
            }

            await Signal.WaitAsync(cancellationToken).ConfigureAwait(false);
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
