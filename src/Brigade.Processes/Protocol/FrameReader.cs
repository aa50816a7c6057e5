using System.Buffers.Binary;
using System.Diagnostics;

namespace Brigade.Processes.Protocol;

/// <summary>
/// Reads frames from a stream, buffering so that many small frames cost one read. A payload stays valid until the
/// next call. A stream that ends inside a frame, a length out of range or an unknown type is a
/// <see cref="ProtocolException"/>: the reader never waits for bytes a malformed header promised beyond the limit.
/// </summary>
/// <param name="stream">The stream the frames come from.</param>
/// <param name="peer">Who writes them, for the errors.</param>
/// <param name="ownLargePayloads">Whether a frame larger than the buffer keeps (4 MiB) is read into an array of its own,
/// whole and exact, rather than into the buffer (see <see cref="TryReadOwned"/>).</param>
internal sealed class FrameReader(Stream stream, string peer, bool ownLargePayloads = false)
{
    private const int InitialSize = 64 * 1024;

    // A buffer grown past this for large frames is given back by Trim (the run is over) or once no frame has needed it
    // for LargeIdle (lib56: a worker's 200 MB result otherwise kept a buffer of up to 512 MiB for the channel's life).
    private const int KeptSize = 4 * 1024 * 1024;

    // How long a grown buffer waits for another large frame: results of one size come one after another in a run, and
    // a buffer let go after each (lib56's first fix) cost a fresh 13 MB buffer, its page faults and its copy per 10 MB
    // result (review 63).
    private static readonly TimeSpan LargeIdle = TimeSpan.FromSeconds(2);

    private byte[] _buffer = new byte[InitialSize];
    private int _start;
    private int _end;
    private long _largeFrameAt;

    /// <summary>Gets how many bytes the reader holds on to.</summary>
    public int Capacity => _buffer.Length;

    /// <summary>Gives back a buffer grown for large frames, keeping what is buffered. Call between frames (a payload read
    /// before is no longer valid), from the reading thread: at the end of a run.</summary>
    public void Trim()
    {
        if (_buffer.Length > KeptSize && _end - _start <= InitialSize)
        {
            var smaller = new byte[InitialSize];
            Buffer.BlockCopy(_buffer, _start, smaller, 0, _end - _start);
            _end -= _start;
            _start = 0;
            _buffer = smaller;
        }
    }

    /// <summary>Reads the next frame; returns false when the stream ends cleanly between frames.</summary>
    public bool TryRead(out MessageType type, out ReadOnlyMemory<byte> payload)
    {
        if (_buffer.Length > KeptSize && Stopwatch.GetElapsedTime(_largeFrameAt) > LargeIdle)
        {
            // The last payload (valid until this call) may have been a large frame's: the buffer is let go when a run
            // goes on with small frames only.
            Trim();
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

        if (4 + length > KeptSize)
        {
            if (ownLargePayloads)
            {
                payload = ReadOwned(length - 1);
                return true;
            }

            _largeFrameAt = Stopwatch.GetTimestamp();
        }

        Fill(4 + length, allowEnd: false);
        payload = _buffer.AsMemory(_start + WireFormat.HeaderLength, length - 1);
        _start += 4 + length;
        return true;
    }

    /// <summary>Reads the next frame into an array the caller keeps (a payload handed to another thread): a large frame's
    /// own array when the reader was made with ownLargePayloads (no copy), else a copy of the payload.</summary>
    public bool TryReadOwned(out MessageType type, out byte[] payload)
    {
        if (!TryRead(out type, out var memory))
        {
            payload = [];
            return false;
        }

        payload = System.Runtime.InteropServices.MemoryMarshal.TryGetArray(memory, out var segment)
            && segment.Array != _buffer && segment.Offset == 0 && segment.Count == segment.Array!.Length
            ? segment.Array
            : memory.ToArray();
        return true;
    }

    // A large frame's payload (the header already buffered) read into an array of its own: what is buffered of it first,
    // then the rest straight from the stream. The buffer does not grow for it, so nothing large stays behind in a reader
    // that then waits idle in a read (lib64: the worker kept a buffer grown for 10 MB inputs for good, since Trim runs
    // only on the next frame), and the payload needs no copy to outlive the next read.
    private byte[] ReadOwned(int payloadLength)
    {
        _start += WireFormat.HeaderLength;
        var owned = GC.AllocateUninitializedArray<byte>(payloadLength);
        var buffered = Math.Min(_end - _start, payloadLength);
        Buffer.BlockCopy(_buffer, _start, owned, 0, buffered);
        _start += buffered;
        var filled = buffered;
        while (filled < payloadLength)
        {
            var read = stream.Read(owned, filled, payloadLength - filled);
            if (read == 0)
            {
                throw new ProtocolException($"Truncated frame from {peer}: the stream ended {WireFormat.HeaderLength + filled} bytes into a frame that needs {WireFormat.HeaderLength + payloadLength}.");
            }

            filled += read;
        }

        return owned;
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
