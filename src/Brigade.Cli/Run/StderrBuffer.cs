using System.Buffers;
using System.Text;

namespace Brigade.Cli.Run;

/// <summary>
/// One command's stderr as it is read: its last 2 KB (the failure's report says the last line), and, when it is passed
/// through (<see cref="CommandStderr"/>), what has not been handed over yet, in bounded memory: a command writing gigabytes
/// of stderr is streamed through in chunks, each ending at a line's end (<c>\n</c>, or the <c>\r</c> a progress meter
/// redraws its line with), so another command's stderr written between two chunks lands between two lines.
/// </summary>
/// <remarks>
/// A chunk is taken once <see cref="Bound"/> bytes wait and they hold a line end. A line longer than that is kept whole
/// up to <see cref="LongLineBound"/> bytes (review 23 S2: a 70,000-byte line was cut at 64 KiB and another command's
/// stderr written between its pieces); only a single line longer than that is cut, and may be split by other commands'
/// stderr. The rest of a cut line is not waited for before others are written: a command writing a long line slowly
/// would hold the whole run's stderr.
/// </remarks>
/// <param name="pass">Whether the bytes are kept to be passed through.</param>
/// <param name="holdBack">How many of the last bytes a chunk never takes (the older path's CPU report, which comes last
/// and is taken off at the end: <see cref="TakeRest"/>).</param>
internal sealed class StderrBuffer(bool pass, int holdBack = 0)
{
    /// <summary>The most a command's stderr waits in memory before a chunk of whole lines is written (below the large-object heap's 85,000 bytes).</summary>
    public const int Bound = 64 * 1024;

    /// <summary>The most a command's stderr waits in memory when what waits holds no line end (one long line): then it is cut.</summary>
    public const int LongLineBound = 1024 * 1024;

    private const int TailBytes = 2048;

    private static readonly SearchValues<byte> LineEnds = SearchValues.Create("\n\r"u8);

    private bool _pass = pass;
    private byte[]? _tail;
    private long _total;
    private byte[]? _pending;
    private int _pendingLength;

    // How much of what waits (from its start) was searched for line ends, and where the last one found ends (0: none).
    private int _scanned;
    private int _lineEnd;

    /// <summary>Gets whether the bytes are kept to be passed through.</summary>
    public bool Passes => _pass;

    /// <summary>
    /// Gets how many bytes may be appended before a chunk must be taken (<see cref="TakeChunk"/>): 0 or less when one must
    /// be; unbounded when not passed.
    /// </summary>
    public int Room
    {
        get
        {
            if (!_pass)
            {
                return int.MaxValue;
            }

            if (_pendingLength < Bound)
            {
                return Bound - _pendingLength;
            }

            return LastLineEnd() > 0 ? 0 : LongLineBound - _pendingLength;
        }
    }

    /// <summary>Gets how many bytes were read in all.</summary>
    public long Total => _total;

    /// <summary>Appends bytes read (at most <see cref="Room"/>).</summary>
    public void Append(ReadOnlySpan<byte> bytes)
    {
        AppendTail(bytes);
        if (!_pass || bytes.IsEmpty)
        {
            return;
        }

        if (_pending is null || _pendingLength + bytes.Length > _pending.Length)
        {
            // Most commands write a line or two: the buffer starts at what came and doubles up to the bound (the long
            // line's bound only while one line is longer than the first).
            var cap = _pendingLength + bytes.Length > Bound ? LongLineBound : Bound;
            var size = Math.Max(_pendingLength + bytes.Length, Math.Min(cap, Math.Max(256, (_pending?.Length ?? 0) * 2)));
            Array.Resize(ref _pending, size);
        }

        bytes.CopyTo(_pending.AsSpan(_pendingLength));
        _pendingLength += bytes.Length;
    }

    /// <summary>Keeps no more to pass (the command is being killed: its stderr is read to its end without waiting for a
    /// stderr that may be stuck); what waits stays for <see cref="TakeRest"/>.</summary>
    public void StopPassing() => _pass = false;

    /// <summary>
    /// Takes what waits up to its last line end, leaving a partial last line for later; everything but the bytes held back
    /// when it holds no line end (a line longer than <see cref="LongLineBound"/>, cut). Call when <see cref="Room"/> is 0 or less.
    /// </summary>
    public byte[] TakeChunk()
    {
        if (_pending is null)
        {
            return [];
        }

        var usable = Math.Max(0, _pendingLength - holdBack);
        var end = LastLineEnd();
        if (end > 1 && _pending[end - 1] == '\r' && (end == _pendingLength || _pending[end] == '\n'))
        {
            // The first half of a "\r\n" (or possibly, at the end): end at the line end before it when there is one.
            var before = _pending.AsSpan(0, end - 1).LastIndexOfAny(LineEnds);
            if (before >= 0)
            {
                end = before + 1;
            }
        }

        if (end == 0)
        {
            end = usable;
        }

        var chunk = _pending.AsSpan(0, end).ToArray();
        _pending.AsSpan(end, _pendingLength - end).CopyTo(_pending);
        _pendingLength -= end;
        _scanned = 0;
        _lineEnd = 0;
        if (_pending.Length > Bound && _pendingLength <= Bound / 2)
        {
            // The long line is written: back to the usual bound's memory.
            Array.Resize(ref _pending, Bound);
        }

        return chunk;
    }

    /// <summary>Takes everything that waits (before the last <paramref name="cutFrom"/>, when it holds that), or null when nothing does.</summary>
    public byte[]? TakeRest(ReadOnlySpan<byte> cutFrom = default)
    {
        var waiting = _pending.AsSpan(0, _pendingLength);
        var cut = cutFrom.IsEmpty ? -1 : waiting.LastIndexOf(cutFrom);
        var rest = cut >= 0 ? waiting[..cut] : waiting;
        var taken = rest.IsEmpty ? null : rest.ToArray();
        _pending = null;
        _pendingLength = 0;
        _scanned = 0;
        _lineEnd = 0;
        return taken;
    }

    /// <summary>The last 2 KB read, as text, without trailing white space.</summary>
    public string Tail()
    {
        if (_tail is null || _total == 0)
        {
            return "";
        }

        byte[] ordered;
        if (_total <= TailBytes)
        {
            ordered = _tail.AsSpan(0, (int)_total).ToArray();
        }
        else
        {
            var start = (int)(_total % TailBytes);
            ordered = [.. _tail.AsSpan(start), .. _tail.AsSpan(0, start)];
        }

        return Encoding.UTF8.GetString(ordered).TrimEnd();
    }

    // Where the last line end in what a chunk may take ends (0: none), searching only what was not searched before.
    private int LastLineEnd()
    {
        var usable = Math.Max(0, _pendingLength - holdBack);
        if (usable > _scanned)
        {
            var at = _pending.AsSpan(_scanned, usable - _scanned).LastIndexOfAny(LineEnds);
            if (at >= 0)
            {
                _lineEnd = _scanned + at + 1;
            }

            _scanned = usable;
        }

        return _lineEnd;
    }

    private void AppendTail(ReadOnlySpan<byte> bytes)
    {
        _tail ??= new byte[TailBytes];
        if (bytes.Length >= TailBytes)
        {
            // Placed where a byte at this total length would go, so the ring stays in order.
            _total += bytes.Length;
            var start = (int)(_total % TailBytes);
            var last = bytes[^TailBytes..];
            last[..(TailBytes - start)].CopyTo(_tail.AsSpan(start));
            last[(TailBytes - start)..].CopyTo(_tail);
            return;
        }

        // A ring of the last bytes: position = total length modulo the size.
        foreach (var b in bytes)
        {
            _tail[(int)(_total++ % TailBytes)] = b;
        }
    }
}
