using System.Buffers.Binary;
using System.Text;
using Brigade.Engines.Remote;

namespace Brigade.Processes.Protocol;

/// <summary>
/// A growable byte buffer that builds frames in place: a frame's header is reserved, fields and JSON values are
/// appended, then the length is patched. One buffer per writer; not thread-safe.
/// </summary>
internal sealed class FrameBuffer : IRemoteValueBuffer
{
    private byte[] _buffer;
    private int _length;
    private int _frameStart = -1;

    public FrameBuffer(int initialCapacity = 4096) => _buffer = new byte[initialCapacity];

    public int Length => _length;

    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, _length);

    public void Clear()
    {
        _length = 0;
        _frameStart = -1;

        // A huge batch must not pin its buffer forever.
        if (_buffer.Length > 4 * 1024 * 1024)
        {
            _buffer = new byte[4096];
        }
    }

    public void BeginFrame(MessageType type)
    {
        _frameStart = _length;
        Reserve(WireFormat.HeaderLength);
        _buffer[_frameStart + 4] = (byte)type;
    }

    public void EndFrame()
    {
        var length = _length - _frameStart - 4;
        if (length > WireFormat.MaxFrameLength)
        {
            throw new ProtocolException($"A frame of {length:N0} bytes exceeds the protocol's limit of {WireFormat.MaxFrameLength:N0} bytes: use smaller batches or items.");
        }

        BinaryPrimitives.WriteInt32LittleEndian(_buffer.AsSpan(_frameStart), length);
        _frameStart = -1;
    }

    // Reserve first, then index the (possibly grown) buffer: `_buffer.AsSpan(Reserve(n))` would read the field
    // before Reserve replaced the array, and write into the old one.
    public void WriteByte(byte value)
    {
        var at = Reserve(1);
        _buffer[at] = value;
    }

    public void WriteBytes(ReadOnlySpan<byte> bytes)
    {
        var at = Reserve(bytes.Length);
        bytes.CopyTo(_buffer.AsSpan(at));
    }

    public void WriteInt32(int value)
    {
        var at = Reserve(4);
        BinaryPrimitives.WriteInt32LittleEndian(_buffer.AsSpan(at), value);
    }

    public void WriteUInt32(uint value)
    {
        var at = Reserve(4);
        BinaryPrimitives.WriteUInt32LittleEndian(_buffer.AsSpan(at), value);
    }

    public void WriteUInt16(ushort value)
    {
        var at = Reserve(2);
        BinaryPrimitives.WriteUInt16LittleEndian(_buffer.AsSpan(at), value);
    }

    public void WriteInt64(long value)
    {
        var at = Reserve(8);
        BinaryPrimitives.WriteInt64LittleEndian(_buffer.AsSpan(at), value);
    }

    /// <summary>Writes a UTF-8 string with an int32 byte count; -1 stands for null.</summary>
    public void WriteString(string? value)
    {
        if (value is null)
        {
            WriteInt32(-1);
            return;
        }

        var max = Encoding.UTF8.GetMaxByteCount(value.Length);
        var lengthAt = Reserve(4);
        EnsureCapacity(max);
        var written = Encoding.UTF8.GetBytes(value, _buffer.AsSpan(_length));
        _length += written;
        BinaryPrimitives.WriteInt32LittleEndian(_buffer.AsSpan(lengthAt), written);
    }

    /// <summary>Reserves room for a field patched later with <see cref="PatchInt32"/> or <see cref="PatchInt64"/>; returns where it is.</summary>
    public int ReserveField(int bytes) => Reserve(bytes);

    public void PatchInt32(int at, int value) => BinaryPrimitives.WriteInt32LittleEndian(_buffer.AsSpan(at), value);

    public void PatchInt64(int at, long value) => BinaryPrimitives.WriteInt64LittleEndian(_buffer.AsSpan(at), value);

    public void PatchByte(int at, byte value) => _buffer[at] = value;

    /// <summary>Reserves an int32 length prefix; returns where it is, for <see cref="EndValue"/>.</summary>
    public int BeginValue() => Reserve(4);

    /// <summary>Patches the length prefix reserved by <see cref="BeginValue"/> to cover what was written since.</summary>
    public void EndValue(int lengthAt) => BinaryPrimitives.WriteInt32LittleEndian(_buffer.AsSpan(lengthAt), _length - lengthAt - 4);

    /// <summary>Drops everything written since <paramref name="lengthAt"/>, the prefix included (a value that failed to serialize).</summary>
    public void Truncate(int lengthAt) => _length = lengthAt;

    public void Advance(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (_length + count > _buffer.Length)
        {
            throw new InvalidOperationException("Advanced past the buffer's end.");
        }

        _length += count;
    }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        EnsureCapacity(Math.Max(sizeHint, 256));
        return _buffer.AsMemory(_length);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        EnsureCapacity(Math.Max(sizeHint, 256));
        return _buffer.AsSpan(_length);
    }

    public void WriteTo(Stream stream)
    {
        stream.Write(_buffer, 0, _length);
        stream.Flush();
    }

    private int Reserve(int count)
    {
        EnsureCapacity(count);
        var at = _length;
        _length += count;
        return at;
    }

    private void EnsureCapacity(int count)
    {
        if (_length + count > _buffer.Length)
        {
            var size = Math.Max(_buffer.Length * 2, _length + count);
            Array.Resize(ref _buffer, size);
        }
    }
}
