namespace Wright.Core.Terminals;

/// <summary>
/// One client's view of a running terminal: the bytes to paint (first whatever restores the
/// screen and scrollback, then live output), the input to send, and the client's size.
/// </summary>
public interface ITerminalAttachment : IAsyncDisposable
{
    /// <summary>The next output for this client; 0 when the terminal has ended for it.</summary>
    ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken);

    Task WriteAsync(ReadOnlyMemory<byte> input, CancellationToken cancellationToken);

    void Resize(int cols, int rows);
}

/// <summary>
/// A client of a tmux-hosted terminal: its own tmux client in a PTY of Wright's, after the
/// scrollback tmux kept. tmux paints the whole screen on attach (vim included) and, when this
/// client reads slowly, skips intermediate frames instead of queueing them — the coalescing
/// comes from tmux, and the memory Wright spends on a flood is one read buffer.
/// </summary>
internal sealed class TmuxAttachment : ITerminalAttachment
{
    private readonly PtyProcess _client;
    private byte[] _prefix;
    private int _prefixSent;

    public TmuxAttachment(PtyProcess client, byte[] scrollback)
    {
        _client = client;
        _prefix = scrollback;
    }

    public async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        if (_prefixSent < _prefix.Length)
        {
            var count = Math.Min(buffer.Length, _prefix.Length - _prefixSent);
            _prefix.AsSpan(_prefixSent, count).CopyTo(buffer.Span);
            _prefixSent += count;
            if (_prefixSent == _prefix.Length)
            {
                _prefix = [];
                _prefixSent = 0;
            }

            return count;
        }

        return await _client.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
    }

    public Task WriteAsync(ReadOnlyMemory<byte> input, CancellationToken cancellationToken) => _client.WriteAsync(input, cancellationToken);

    public void Resize(int cols, int rows) => _client.Resize(cols, rows);

    public ValueTask DisposeAsync() => _client.DisposeAsync();
}
