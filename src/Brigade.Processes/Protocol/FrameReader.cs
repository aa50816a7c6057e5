using System.Buffers.Binary;

namespace Brigade.Processes.Protocol;

/// <summary>
/// Reads frames from a stream, buffering so that many small frames cost one read. A payload stays valid until the
/// next call. A stream that ends inside a frame, a length out of range or an unknown type is a
/// <see cref="ProtocolException"/>: the reader never waits for bytes a malformed header promised beyond the limit.
/// </summary>
internal sealed class FrameReader(Stream stream, string peer)
{
    private const int InitialSize = 64 * 1024;

    // A buffer grown past this for one large frame is given back once that frame has been handled.
    private const int KeptSize = 4 * 1024 * 1024;

    private byte[] _buffer = new byte[InitialSize];
    private int _start;
    private int _end;

    /// <summary>Gets how many bytes the reader holds on to.</summary>
    public int Capacity => _buffer.Length;

    /// <summary>Reads the next frame; returns false when the stream ends cleanly between frames.</summary>
    public bool TryRead(out MessageType type, out ReadOnlyMemory<byte> payload)
    {
        if (_buffer.Length > KeptSize && _end - _start <= InitialSize)
        {
            // The last payload (valid until this call) was a large frame's: a worker's 200 MB result otherwise kept a
            // buffer of up to 512 MiB for as long as its channel lived (lib56).
            var smaller = new byte[InitialSize];
            Buffer.BlockCopy(_buffer, _start, smaller, 0, _end - _start);
            _end -= _start;
            _start = 0;
            _buffer = smaller;
        }

        if (!Fill(WireFormat.HeaderLength, allowEnd: true))
        {
            type = default;
            payload = default;
            return false;
        }

        var length = BinaryPrimitives.ReadInt32LittleEndian(_buffer.AsSpan(_start));
        if (length < 1 || length > WireFormat.MaxFrameLength)
        {
            throw new ProtocolException($"Malformed frame from {peer}: length {length} is outside 1..{WireFormat.MaxFrameLength:N0}.");
        }

        type = (MessageType)_buffer[_start + 4];
        if (!Enum.IsDefined(type))
        {
            throw new ProtocolException($"Malformed frame from {peer}: unknown message type {(byte)type}.");
        }

        Fill(4 + length, allowEnd: false);
        payload = _buffer.AsMemory(_start + WireFormat.HeaderLength, length - 1);
        _start += 4 + length;
        return true;
    }

    /// <summary>Reads the next frame; the stream's end is a protocol error.</summary>
    public (MessageType Type, ReadOnlyMemory<byte> Payload) Read()
    {
        if (!TryRead(out var type, out var payload))
        {
            throw new EndOfStreamException($"{peer} closed the channel.");
        }

        return (type, payload);
    }

    private bool Fill(int count, bool allowEnd)
    {
        if (_end - _start >= count)
        {
            return true;
        }

        if (_buffer.Length - _start < count)
        {
            // Compact, growing the buffer when the frame is larger than it.
            var target = _buffer.Length >= count ? _buffer : new byte[Math.Max(count, _buffer.Length * 2)];
            Buffer.BlockCopy(_buffer, _start, target, 0, _end - _start);
            _end -= _start;
            _start = 0;
            _buffer = target;
        }

        while (_end - _start < count)
        {
            var read = stream.Read(_buffer, _end, _buffer.Length - _end);
            if (read == 0)
            {
                if (allowEnd && _end == _start)
                {
                    return false;
                }

                throw new ProtocolException($"Truncated frame from {peer}: the stream ended {_end - _start} bytes into a frame that needs {count}.");
            }

            _end += read;
        }

        return true;
    }
}
