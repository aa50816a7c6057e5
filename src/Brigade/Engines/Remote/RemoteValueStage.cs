using System.Text;

namespace Brigade.Engines.Remote;

/// <summary>
/// A kept buffer through which a large value referred to (<see cref="RemoteValueBuffer.References"/>) goes to a pipe, a
/// piece at a time, rather than straight from its own array. One per pipe's writer (a worker's channel, the host's side
/// of a worker), used under that writer's lock; allocated by its first large value and kept, so its pages stay warm.
/// </summary>
/// <remarks>
/// Review 65c/65d: on the reference machine (a PVM guest) the kernel's copy into a pipe from pages the process has just
/// faulted in (every new 10 MB array, a work's result or a user's input) cost about ten times per byte what it costs from
/// pages already written from. Copying into this buffer first costs about 1 ms per 10 MB in user space and keeps the
/// memory win of referring (no buffer the size of the value is grown or kept).
/// </remarks>
internal sealed class RemoteValueStage
{
    /// <summary>The buffer's size (256 KiB): no write of a staged value is larger.</summary>
    public const int Bytes = 256 * 1024;

    private byte[]? _buffer;
    private Encoder? _encoder;

    /// <summary>Gets whether the buffer is allocated (by the first value staged).</summary>
    public bool Holds => _buffer is not null;

    /// <summary>Writes <paramref name="bytes"/> to <paramref name="stream"/>: through the buffer when larger than a quarter
    /// of it, straight otherwise (one copy either way).</summary>
    public void Write(Stream stream, ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length <= Bytes / 4)
        {
            stream.Write(bytes);
            return;
        }

        var stage = _buffer ??= new byte[Bytes];
        for (var at = 0; at < bytes.Length; at += stage.Length)
        {
            var piece = bytes.Slice(at, Math.Min(stage.Length, bytes.Length - at));
            piece.CopyTo(stage);
            stream.Write(stage, 0, piece.Length);
        }
    }

    /// <summary>Writes a value referred to: its bytes (<see cref="Write(Stream, ReadOnlySpan{byte})"/>), or its string
    /// encoded to UTF-8 straight into the buffer, a piece at a time (<see cref="WriteText"/>).</summary>
    public void Write(Stream stream, in RemoteValueReference reference)
    {
        if (reference.Text is { } text)
        {
            WriteText(stream, text, reference.TextBytes);
        }
        else
        {
            Write(stream, reference.Bytes.Span);
        }
    }

    /// <summary>
    /// Writes <paramref name="text"/>'s UTF-8 encoding to <paramref name="stream"/>, encoded into the buffer as much as
    /// fills it at a time: no array the size of the string's bytes is made (review 66: a 10 MB string input cost the
    /// host a 30 MB buffer, the serializer asking for three bytes a character, grown, copied and let go per batch).
    /// </summary>
    /// <remarks>The encoder never splits a character's bytes across pieces: a piece ends before a character whose bytes
    /// do not fit (a three-byte character, a surrogate pair's four), which starts the next. Lone surrogates become U+FFFD,
    /// as <see cref="Encoding.UTF8"/> and System.Text.Json write them.</remarks>
    /// <param name="stream">Where the bytes go.</param>
    /// <param name="text">The string.</param>
    /// <param name="byteCount">The length of its encoding, as counted when the frame's length was (the check that the
    /// frame is whole).</param>
    /// <exception cref="InvalidOperationException">The encoding's length is not <paramref name="byteCount"/>.</exception>
    public void WriteText(Stream stream, string text, int byteCount)
    {
        var stage = _buffer ??= new byte[Bytes];
        var encoder = _encoder ??= Encoding.UTF8.GetEncoder();
        encoder.Reset();
        ReadOnlySpan<char> rest = text;
        long written = 0;
        bool completed;
        do
        {
            // The rest of the string each time, so flush: the encoder holds nothing back but what does not fit.
            encoder.Convert(rest, stage, flush: true, out var charsUsed, out var bytesUsed, out completed);
            stream.Write(stage, 0, bytesUsed);
            written += bytesUsed;
            rest = rest[charsUsed..];
        }
        while (!completed);

        if (written != byteCount)
        {
            throw new InvalidOperationException($"A string of {text.Length:N0} characters encoded to {written:N0} bytes where {byteCount:N0} were counted.");
        }
    }
}
