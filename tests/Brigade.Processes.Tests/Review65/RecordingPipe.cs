namespace Brigade.Processes.Tests.Review65;

/// <summary>
/// A pipe for the by-reference and staging tests (reviews 65-66): keeps what was written and, per write, its length and,
/// for a write from an array (<see cref="Write(byte[], int, int)"/>, which is how a stage writes), which array.
/// </summary>
internal sealed class RecordingPipe : Stream
{
    private readonly MemoryStream _written = new();

    /// <summary>Gets each write: its length, and the array it came from (null for a write of a span).</summary>
    public List<(int Length, byte[]? Array)> Writes { get; } = [];

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => _written.Length;

    public override long Position { get => _written.Position; set => throw new NotSupportedException(); }

    public byte[] ToArray() => _written.ToArray();

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        Writes.Add((buffer.Length, null));
        _written.Write(buffer);
    }

    public override void Write(byte[] buffer, int offset, int count)
    {
        Writes.Add((count, buffer));
        _written.Write(buffer, offset, count);
    }

    public override void Flush()
    {
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();
}
