using System.Buffers.Binary;

namespace Brigade.Engines.Remote;

/// <summary>
/// A growable byte buffer for a wire message: fields and length-prefixed values are appended in place, and a value
/// that fails to serialize is cut back out. One buffer per writer; not thread-safe. Transports derive their framing
/// from it (the worker processes' frames).
/// </summary>
internal class RemoteValueBuffer : IRemoteValueBuffer
{
    private byte[] _buffer;
    private int _length;

    public RemoteValueBuffer(int initialCapacity = 4096) => _buffer = new byte[initialCapacity];

    public int Length => _length;

    /// <summary>Gets how many bytes the buffer holds on to, written or not.</summary>
    public int Capacity => _buffer.Length;

    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, _length);

    /// <summary>Forgets what was written; a huge buffer (over 4 MiB) is let go rather than pinned forever.</summary>
    public virtual void Clear()
    {
        _length = 0;
        if (_buffer.Length > 4 * 1024 * 1024)
        {
            _buffer = new byte[4096];
        }
    }

    /// <summary>Forgets what was written and keeps the buffer, however large (its owner gives it back with <see cref="Clear"/>).</summary>
    public void Reset() => _length = 0;

    public byte[] ToArray() => WrittenSpan.ToArray();

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

    public void WriteInt32(int value) => PatchInt32(Reserve(4), value);

    public void WriteInt64(long value) => PatchInt64(Reserve(8), value);

    /// <summary>Reserves room for a field patched later; returns where it is.</summary>
    public int ReserveField(int bytes) => Reserve(bytes);

    public void PatchInt32(int at, int value) => BinaryPrimitives.WriteInt32LittleEndian(_buffer.AsSpan(at), value);

    public void PatchInt64(int at, long value) => BinaryPrimitives.WriteInt64LittleEndian(_buffer.AsSpan(at), value);

    public void PatchByte(int at, byte value) => _buffer[at] = value;

    public int BeginValue() => Reserve(4);

    public void EndValue(int lengthAt) => PatchInt32(lengthAt, _length - lengthAt - 4);

    public void Truncate(int length) => _length = length;

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
        ArgumentNullException.ThrowIfNull(stream);
        stream.Write(_buffer, 0, _length);
        stream.Flush();
    }

    /// <summary>Makes room for <paramref name="count"/> bytes and counts them written; returns where they start.</summary>
    protected int Reserve(int count)
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
