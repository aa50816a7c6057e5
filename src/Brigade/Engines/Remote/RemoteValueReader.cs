using System.Buffers.Binary;

namespace Brigade.Engines.Remote;

/// <summary>Reads what <see cref="RemoteValueCodec{T}"/> wrote; running past the end is a <see cref="RemoteFormatException"/>.</summary>
internal ref struct RemoteValueReader(ReadOnlySpan<byte> source)
{
    private readonly ReadOnlySpan<byte> _source = source;

    /// <summary>Gets how many bytes were read.</summary>
    public int Position { get; private set; }

    public byte ReadByte() => Take(1)[0];

    public int ReadInt32() => BinaryPrimitives.ReadInt32LittleEndian(Take(4));

    /// <summary>Reads a length-prefixed value.</summary>
    public ReadOnlySpan<byte> ReadValue() => Take(ReadInt32());

    /// <summary>Reads <paramref name="count"/> bytes; a negative count is a <see cref="RemoteFormatException"/>.</summary>
    public ReadOnlySpan<byte> ReadBytes(int count) => Take(count);

    private ReadOnlySpan<byte> Take(int count)
    {
        if (count < 0 || count > _source.Length - Position)
        {
            throw new RemoteFormatException($"Malformed payload: a field of {count} bytes at offset {Position} runs past the values' {_source.Length} bytes.");
        }

        var span = _source.Slice(Position, count);
        Position += count;
        return span;
    }
}
