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
}
