using System.Buffers;

namespace Brigade.Engines.Remote;

/// <summary>Where <see cref="RemoteValueCodec{T}"/> writes: a growable buffer with length-prefixed values that can be
/// cut back when a value fails to serialize. Little-endian, like the rest of every Brigade wire.</summary>
internal interface IRemoteValueBuffer : IBufferWriter<byte>
{
    /// <summary>Gets how many bytes were written.</summary>
    int Length { get; }

    void WriteByte(byte value);

    void WriteInt32(int value);

    void WriteBytes(ReadOnlySpan<byte> bytes);

    /// <summary>Reserves an int32 length prefix; returns where it is, for <see cref="EndValue"/>.</summary>
    int BeginValue();

    /// <summary>Patches the length prefix reserved by <see cref="BeginValue"/> to cover what was written since.</summary>
    void EndValue(int lengthAt);

    /// <summary>Drops everything written from <paramref name="length"/> on.</summary>
    void Truncate(int length);
}
