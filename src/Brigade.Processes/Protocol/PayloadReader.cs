using System.Buffers.Binary;
using System.Text;

namespace Brigade.Processes.Protocol;

/// <summary>Reads the fields of one frame's payload; running past its end is a <see cref="ProtocolException"/>.</summary>
internal ref struct PayloadReader(ReadOnlySpan<byte> payload)
{
    private readonly ReadOnlySpan<byte> _payload = payload;
    private int _position;

    public readonly int Remaining => _payload.Length - _position;

    public byte ReadByte() => Take(1)[0];

    public int ReadInt32() => BinaryPrimitives.ReadInt32LittleEndian(Take(4));

    public uint ReadUInt32() => BinaryPrimitives.ReadUInt32LittleEndian(Take(4));

    public ushort ReadUInt16() => BinaryPrimitives.ReadUInt16LittleEndian(Take(2));

    public long ReadInt64() => BinaryPrimitives.ReadInt64LittleEndian(Take(8));

    public string? ReadString()
    {
        var length = ReadInt32();
        if (length == -1)
        {
            return null;
        }

        return Encoding.UTF8.GetString(Take(length));
    }

    /// <summary>Reads <paramref name="count"/> raw bytes.</summary>
    public ReadOnlySpan<byte> ReadBytes(int count) => Take(count);

    /// <summary>Gets what is left to read, without reading it (see <see cref="Skip"/>).</summary>
    public readonly ReadOnlySpan<byte> Rest => _payload[_position..];

    /// <summary>Skips <paramref name="count"/> bytes, read elsewhere from <see cref="Rest"/>.</summary>
    public void Skip(int count) => Take(count);

    /// <summary>Reads a length-prefixed value (JSON bytes).</summary>
    public ReadOnlySpan<byte> ReadValue() => Take(ReadInt32());

    private ReadOnlySpan<byte> Take(int count)
    {
        if (count < 0 || count > _payload.Length - _position)
        {
            throw new ProtocolException($"Malformed payload: a field of {count} bytes at offset {_position} runs past the payload's {_payload.Length} bytes.");
        }

        var span = _payload.Slice(_position, count);
        _position += count;
        return span;
    }
}
