using System.Buffers;

namespace Brigade.Cli.Run;

/// <summary>
/// Splits a byte stream into records at a separator byte (LF, or NUL for <c>--null</c>), reading asynchronously in
/// blocks, so inputs of any size and encoding run in bounded memory.
/// </summary>
internal sealed class RecordReader(Stream stream, byte separator)
{
    private readonly byte[] _block = new byte[1 << 16];
    // Only for a record that spans blocks.
    private readonly ArrayBufferWriter<byte> _record = new();
    private int _start;
    private int _end;
    private bool _eof;

    /// <summary>
    /// Reads the next record as it was in the input, separator included (absent on a last record without one); the
    /// memory is valid until the next call. Empty at the end of the input.
    /// </summary>
    public async ValueTask<ReadOnlyMemory<byte>> NextAsync(CancellationToken cancellationToken)
    {
        _record.ResetWrittenCount();
        while (true)
        {
            if (_start < _end)
            {
                var at = Array.IndexOf(_block, separator, _start, _end - _start);
                if (at >= 0)
                {
                    var count = at + 1 - _start;
                    ReadOnlyMemory<byte> record;
                    if (_record.WrittenCount == 0)
                    {
                        // The whole record is in this block: hand it out without a copy.
                        record = _block.AsMemory(_start, count);
                    }
                    else
                    {
                        _record.Write(_block.AsSpan(_start, count));
                        record = _record.WrittenMemory;
                    }

                    _start = at + 1;
                    return record;
                }

                _record.Write(_block.AsSpan(_start, _end - _start));
                _start = _end;
            }

            if (_eof)
            {
                return _record.WrittenMemory;
            }

            _start = 0;
            _end = await stream.ReadAsync(_block, cancellationToken).ConfigureAwait(false);
            _eof = _end == 0;
        }
    }
}
