using System.Text;
using Brigade.Engines.Remote;

namespace Brigade.Processes.Protocol;

/// <summary>
/// A growable byte buffer that builds frames in place: a frame's header is reserved, fields and JSON values are
/// appended (<see cref="RemoteValueBuffer"/>), then the length is patched. One buffer per writer; not thread-safe.
/// </summary>
internal sealed class FrameBuffer(int initialCapacity = 4096) : RemoteValueBuffer(initialCapacity)
{
    private int _frameStart = -1;

    public override void Clear()
    {
        base.Clear();
        _frameStart = -1;
    }

    public void BeginFrame(MessageType type)
    {
        _frameStart = Reserve(WireFormat.HeaderLength);
        PatchByte(_frameStart + 4, (byte)type);
    }

    /// <summary>Gets the length the frame begun by <see cref="BeginFrame"/> would have if it ended now (values referred to
    /// included: <see cref="RemoteValueBuffer.References"/>).</summary>
    public long PendingFrameLength => (long)Length - _frameStart - 4 + ReferencedBytes;

    public void EndFrame() => EndFrame(0);

    /// <summary>Ends the frame, counting <paramref name="trailingBytes"/> that the writer sends after this buffer's bytes
    /// (a large result's values, written to the channel from where they were serialized rather than copied in).</summary>
    public void EndFrame(int trailingBytes)
    {
        var length = PendingFrameLength + trailingBytes;
        if (length > WireFormat.MaxFrameLength)
        {
            throw new ProtocolException($"A frame of {length:N0} bytes exceeds the protocol's limit of {WireFormat.MaxFrameLength:N0} bytes: use smaller batches or items.");
        }

        PatchInt32(_frameStart, (int)length);
        _frameStart = -1;
    }

    public void WriteUInt32(uint value) => PatchInt32(Reserve(4), unchecked((int)value));

    public void WriteUInt16(ushort value)
    {
        var at = Reserve(2);
        PatchByte(at, (byte)value);
        PatchByte(at + 1, (byte)(value >> 8));
    }

    /// <summary>Writes a UTF-8 string with an int32 byte count; -1 stands for null.</summary>
    public void WriteString(string? value)
    {
        if (value is null)
        {
            WriteInt32(-1);
            return;
        }

        var lengthAt = Reserve(4);
        var written = Encoding.UTF8.GetBytes(value, GetSpan(Encoding.UTF8.GetMaxByteCount(value.Length)));
        Advance(written);
        PatchInt32(lengthAt, written);
    }
}
