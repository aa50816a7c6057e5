using System.Buffers;

namespace Brigade.Cli.Run;

/// <summary>
/// Splits a byte stream into records at a separator byte (LF, or NUL for <c>--null</c>), reading asynchronously in
/// blocks, so inputs of any size and encoding run in bounded memory: a record longer than the limit is not held but
/// handed to <c>spill</c> block by block as it is read, and only its first bytes are kept.
/// </summary>
/// <remarks>
/// Before review 51 a record was held whole however long it was: a 1.1 GB line took the run to 3 GB of memory and an
/// <see cref="OutOfMemoryException"/> after ~80 s, every other item's result with it.
/// </remarks>
internal sealed class RecordReader(Stream stream, byte separator, long limit = long.MaxValue, Action<ReadOnlyMemory<byte>>? spill = null)
{
    /// <summary>How many of an oversized record's first bytes are kept (its item's text in the failures file).</summary>
    public const int KeptBytes = 1024;

    private readonly byte[] _block = new byte[1 << 16];
    // Only for a record that spans blocks.
    private readonly ArrayBufferWriter<byte> _record = new();
    private int _start;
    private int _end;
    private bool _eof;

    /// <summary>
    /// Reads the next record as it was in the input, separator included (absent on a last record without one); the
    /// memory is valid until the next call. Empty at the end of the input. A record whose content (without its separator)
    /// is longer than the limit comes back <see cref="RawRecord.Oversized"/>: its bytes went to <c>spill</c>, in order.
    /// </summary>
    public async ValueTask<RawRecord> NextAsync(CancellationToken cancellationToken)
    {
        _record.ResetWrittenCount();
        long length = 0;
        byte[]? kept = null;
        while (true)
        {
            if (_start < _end)
            {
                var at = Array.IndexOf(_block, separator, _start, _end - _start);
                var stop = at >= 0 ? at + 1 : _end;
                var piece = _block.AsMemory(_start, stop - _start);
                var content = length + (at >= 0 ? at - _start : piece.Length);
                if (kept is null && content > limit)
                {
                    // Over the limit: keep its first bytes, hand out what was held, and from now on hold nothing of it.
                    kept = Kept(_record.WrittenSpan, piece.Span);
                    if (_record.WrittenCount > 0)
                    {
                        spill?.Invoke(_record.WrittenMemory);
                        _record.ResetWrittenCount();
                    }
                }

                length += piece.Length;
                _start = stop;
                if (kept is not null)
                {
                    spill?.Invoke(piece);
                }
                else if (at >= 0 && _record.WrittenCount == 0)
                {
                    // The whole record is in this block: hand it out without a copy.
                    return new RawRecord(piece, length, Oversized: false, Terminated: true);
                }
                else
                {
                    _record.Write(piece.Span);
                }

                if (at >= 0)
                {
                    return new RawRecord(kept is not null ? (ReadOnlyMemory<byte>)kept : _record.WrittenMemory, length, kept is not null, Terminated: true);
                }
            }

            if (_eof)
            {
                return new RawRecord(kept is not null ? (ReadOnlyMemory<byte>)kept : _record.WrittenMemory, length, kept is not null, Terminated: false);
            }

            _start = 0;
            _end = await stream.ReadAsync(_block, cancellationToken).ConfigureAwait(false);
            _eof = _end == 0;
        }
    }

    // The first KeptBytes of held + piece, cut before a UTF-8 sequence the cut would split.
    private static byte[] Kept(ReadOnlySpan<byte> held, ReadOnlySpan<byte> piece)
    {
        var kept = new byte[Math.Min(KeptBytes, held.Length + piece.Length)];
        var fromHeld = Math.Min(kept.Length, held.Length);
        held[..fromHeld].CopyTo(kept);
        piece[..(kept.Length - fromHeld)].CopyTo(kept.AsSpan(fromHeld));
        var end = kept.Length;
        if (end == KeptBytes)
        {
            var back = end;
            while (back > 0 && back > end - 4 && (kept[back - 1] & 0xC0) == 0x80)
            {
                back--;
            }

            if (back > 0 && kept[back - 1] >= 0xC0)
            {
                end = back - 1;
            }
        }

        return end == kept.Length ? kept : kept[..end];
    }
}

/// <summary>A record as <see cref="RecordReader"/> read it.</summary>
/// <param name="Bytes">The record, separator included; of an oversized record only its first bytes.</param>
/// <param name="Length">The record's length in the input, separator included.</param>
/// <param name="Oversized">The record was over the limit: <paramref name="Bytes"/> holds only its start.</param>
/// <param name="Terminated">The record ends with the separator (not the input's last record without one).</param>
internal readonly record struct RawRecord(ReadOnlyMemory<byte> Bytes, long Length, bool Oversized, bool Terminated)
{
    /// <summary>Gets whether this is the end of the input.</summary>
    public bool IsEmpty => Length == 0;

    /// <summary>Gets the record's length without its separator.</summary>
    public long ContentLength => Terminated ? Length - 1 : Length;
}
