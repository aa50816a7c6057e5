namespace Brigade.Cli.Run;

/// <summary>
/// A read-only stream over an input that may wait for its producer indefinitely (stdin, a named pipe), whose reads end as
/// soon as their token is cancelled: Ctrl+C while <c>tail -f log | brigade run -</c> waits for the next line.
/// </summary>
/// <remarks>
/// The console's and a pipe's ReadAsync run a blocking read(2) that checks its token only before it starts. Here that
/// read goes into a buffer of this stream's own and is awaited with the caller's token: cancelled, the caller stops
/// waiting and the read stays pending; bytes it brings later are handed to the next read, if one comes (none does after
/// an interrupt). The inner stream is disposed only once no read of it is pending.
/// </remarks>
internal sealed class AbandonableReadStream(Stream inner) : Stream
{
    private readonly byte[] _buffer = new byte[1 << 16];
    private Task<int>? _pending;
    private int _start;
    private int _end;
    private bool _disposed;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (buffer.IsEmpty)
        {
            return 0;
        }

        if (_start == _end)
        {
            cancellationToken.ThrowIfCancellationRequested();
            _pending ??= inner.ReadAsync(_buffer, CancellationToken.None).AsTask();

            // Cancelled, the read stays pending (in _pending): its bytes are not lost, a next call takes them.
            var read = await _pending.WaitAsync(cancellationToken).ConfigureAwait(false);
            _pending = null;
            _start = 0;
            _end = read;
            if (read == 0)
            {
                return 0;
            }
        }

        var count = Math.Min(buffer.Length, _end - _start);
        _buffer.AsSpan(_start, count).CopyTo(buffer.Span);
        _start += count;
        return count;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count, CancellationToken.None).GetAwaiter().GetResult();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_disposed)
        {
            _disposed = true;
            if (_pending is { IsCompleted: false } pending)
            {
                // A read is still under way on the inner stream: it is closed once that read ends (observing its error).
                pending.ContinueWith(static (_, s) => ((Stream)s!).Dispose(), inner, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            }
            else
            {
                inner.Dispose();
            }
        }

        base.Dispose(disposing);
    }
}
