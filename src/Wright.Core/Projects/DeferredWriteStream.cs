namespace Wright.Core.Projects;

/// <summary>
/// A write-only stream in front of one that must only be written asynchronously (an HTTP
/// response). <see cref="System.IO.Compression.ZipArchive"/> still finishes each entry with a few
/// small synchronous writes even through its async API; those are held here and sent by the next
/// asynchronous write or <see cref="FlushAsync(CancellationToken)"/>. Held bytes are bounded by
/// what the synchronous paths write (a deflate tail and an entry trailer), and asynchronous writes
/// pass through once <see cref="Threshold"/> bytes are pending.
/// </summary>
internal sealed class DeferredWriteStream : Stream
{
    private const int Threshold = 64 * 1024;

    private readonly Stream _inner;
    private readonly MemoryStream _pending = new();
    private long _written;

    public DeferredWriteStream(Stream inner)
    {
        _inner = inner;
    }

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => _written + _pending.Length;
        set => throw new NotSupportedException();
    }

    public override void Write(byte[] buffer, int offset, int count) => _pending.Write(buffer, offset, count);

    public override void Write(ReadOnlySpan<byte> buffer) => _pending.Write(buffer);

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        _pending.Write(buffer.Span);
        if (_pending.Length >= Threshold)
        {
            await SendPendingAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <summary>Sending happens in <see cref="FlushAsync(CancellationToken)"/>; a synchronous flush keeps the bytes for it.</summary>
    public override void Flush()
    {
    }

    public override async Task FlushAsync(CancellationToken cancellationToken)
    {
        await SendPendingAsync(cancellationToken).ConfigureAwait(false);
        await _inner.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _pending.Dispose();
        }

        base.Dispose(disposing);
    }

    private async Task SendPendingAsync(CancellationToken cancellationToken)
    {
        if (_pending.Length == 0)
        {
            return;
        }

        await _inner.WriteAsync(_pending.GetBuffer().AsMemory(0, (int)_pending.Length), cancellationToken).ConfigureAwait(false);
        _written += _pending.Length;
        _pending.SetLength(0);
    }
}
