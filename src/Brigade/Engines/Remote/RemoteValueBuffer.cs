using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

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
    private List<RemoteValueReference>? _references;

    public RemoteValueBuffer(int initialCapacity = 4096) => _buffer = new byte[initialCapacity];

    public int Length => _length;

    /// <summary>Gets how many bytes the buffer holds on to, written or not.</summary>
    public int Capacity => _buffer.Length;

    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, _length);

    /// <summary>The smallest value <see cref="WriteOrReference"/> refers to rather than copies (64 KiB): smaller ones ride in
    /// the buffer, one write with the rest.</summary>
    public const int ReferenceThreshold = 64 * 1024;

    /// <summary>Gets or sets whether <see cref="WriteOrReference"/> may refer to large values' bytes rather than copy them
    /// (a transport that writes <see cref="References"/> in place, between the buffer's bytes: a worker process's pipe).</summary>
    public bool ReferencesLargeValues { get; set; }

    /// <summary>Gets the large values referred to, in order (none unless <see cref="ReferencesLargeValues"/>): the message is
    /// <see cref="WrittenSpan"/> with each one's bytes spliced in at its <see cref="RemoteValueReference.At"/>.</summary>
    public ReadOnlySpan<RemoteValueReference> References => CollectionsMarshal.AsSpan(_references);

    /// <summary>Gets the bytes of <see cref="References"/>, which the message holds beside <see cref="Length"/>.</summary>
    public long ReferencedBytes { get; private set; }

    /// <summary>Appends a value's bytes: a reference to them when <see cref="ReferencesLargeValues"/> and they are large
    /// (the caller keeps them unchanged until the message is sent), else a copy.</summary>
    public void WriteOrReference(ReadOnlyMemory<byte> bytes)
    {
        if (!ReferencesLargeValues || bytes.Length < ReferenceThreshold)
        {
            WriteBytes(bytes.Span);
            return;
        }

        (_references ??= []).Add(new RemoteValueReference(_length, bytes));
        ReferencedBytes += bytes.Length;
    }

    /// <summary>Appends a string's UTF-8 encoding, <paramref name="byteCount"/> bytes long (<c>Encoding.UTF8.GetByteCount</c>):
    /// a reference to the string when <see cref="ReferencesLargeValues"/> and the encoding is large, encoded as it is
    /// written (<see cref="RemoteValueStage.WriteText"/>), else encoded into the buffer.</summary>
    public void WriteTextOrReference(string text, int byteCount)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!ReferencesLargeValues || byteCount < ReferenceThreshold)
        {
            var at = Reserve(byteCount);
            Encoding.UTF8.GetBytes(text, _buffer.AsSpan(at, byteCount));
            return;
        }

        (_references ??= []).Add(new RemoteValueReference(_length, default, text, byteCount));
        ReferencedBytes += byteCount;
    }

    /// <summary>Forgets what was written; a huge buffer (over 4 MiB) is let go rather than pinned forever.</summary>
    public virtual void Clear()
    {
        _length = 0;
        ForgetReferences();
        if (_buffer.Length > 4 * 1024 * 1024)
        {
            _buffer = new byte[4096];
        }
    }

    /// <summary>Forgets what was written and keeps the buffer, however large (its owner gives it back with <see cref="Clear"/>).</summary>
    public void Reset()
    {
        _length = 0;
        ForgetReferences();
    }

    /// <summary>Returns the message as one array: the buffer's bytes with <see cref="References"/>' bytes in their places.</summary>
    public byte[] ToArray()
    {
        if (_references is not { Count: > 0 })
        {
            // The cluster's batches and every small message: one copy, as before references.
            return WrittenSpan.ToArray();
        }

        var array = new byte[checked(_length + ReferencedBytes)];
        var at = 0;
        var written = 0;
        foreach (var reference in _references)
        {
            _buffer.AsSpan(written, reference.At - written).CopyTo(array.AsSpan(at));
            at += reference.At - written;
            reference.CopyTo(array.AsSpan(at));
            at += reference.Length;
            written = reference.At;
        }

        _buffer.AsSpan(written, _length - written).CopyTo(array.AsSpan(at));
        return array;
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

    public void WriteInt32(int value) => PatchInt32(Reserve(4), value);

    public void WriteInt64(long value) => PatchInt64(Reserve(8), value);

    /// <summary>Reserves room for a field patched later; returns where it is.</summary>
    public int ReserveField(int bytes) => Reserve(bytes);

    public void PatchInt32(int at, int value) => BinaryPrimitives.WriteInt32LittleEndian(_buffer.AsSpan(at), value);

    public void PatchInt64(int at, long value) => BinaryPrimitives.WriteInt64LittleEndian(_buffer.AsSpan(at), value);

    public void PatchByte(int at, byte value) => _buffer[at] = value;

    public int BeginValue() => Reserve(4);

    public void EndValue(int lengthAt) => PatchInt32(lengthAt, _length - lengthAt - 4);

    // A reference at `length` stays: it was written before the cut (every value referred to follows its own length prefix,
    // so none is written right at a mark taken before it).
    public void Truncate(int length)
    {
        _length = length;
        if (_references is { Count: > 0 } references)
        {
            var keep = references.FindIndex(r => r.At > length);
            if (keep >= 0)
            {
                for (var i = keep; i < references.Count; i++)
                {
                    ReferencedBytes -= references[i].Length;
                }

                references.RemoveRange(keep, references.Count - keep);
            }
        }
    }

    // Let go of the values referred to: they are the work's results, free to collect once sent.
    private void ForgetReferences()
    {
        _references?.Clear();
        ReferencedBytes = 0;
    }

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

    /// <summary>Writes the message: the buffer's bytes with <see cref="References"/>' bytes in their places, each one
    /// straight from its own memory.</summary>
    public void WriteTo(Stream stream) => WriteTo(stream, stage: null);

    /// <summary>Writes the message: the buffer's bytes with <see cref="References"/>' bytes in their places, a large one
    /// through <paramref name="stage"/> (or straight from its own memory when it is <see langword="null"/>).</summary>
    public void WriteTo(Stream stream, RemoteValueStage? stage)
    {
        ArgumentNullException.ThrowIfNull(stream);
        WriteSpliced(stream, default, WrittenSpan, References, stage);
    }

    /// <summary>Writes one message and flushes: <paramref name="head"/>, then <paramref name="tail"/> with each of
    /// <paramref name="references"/>' bytes spliced in at its <see cref="RemoteValueReference.At"/> (an offset into
    /// <paramref name="tail"/>), through <paramref name="stage"/> when given. The one splicing loop of the host's and the
    /// worker's writers.</summary>
    internal static void WriteSpliced(Stream stream, ReadOnlySpan<byte> head, ReadOnlySpan<byte> tail, ReadOnlySpan<RemoteValueReference> references, RemoteValueStage? stage)
    {
        stream.Write(head);
        RemoteValueStage? ownStage = null;
        var written = 0;
        foreach (var reference in references)
        {
            stream.Write(tail[written..reference.At]);
            if (stage is not null)
            {
                stage.Write(stream, reference);
            }
            else if (reference.Text is null)
            {
                stream.Write(reference.Bytes.Span);
            }
            else
            {
                // A string has no bytes of its own to write from: it is encoded through a buffer, made for this message.
                (ownStage ??= new RemoteValueStage()).Write(stream, reference);
            }

            written = reference.At;
        }

        stream.Write(tail[written..]);
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
