using System.Text;

namespace Brigade.Cli.Run;

/// <summary>
/// One command's stderr as it is read: its last 2 KB (the failure's report says the last line), and, when it is passed
/// through (<see cref="CommandStderr"/>), what has not been handed over yet: at most <see cref="Bound"/> bytes, so a
/// command writing gigabytes of stderr is streamed through in chunks, each ending at a line's end where it can.
/// </summary>
internal sealed class StderrBuffer(bool pass)
{
    private bool _pass = pass;

    /// <summary>The most a command's stderr waits in memory before a chunk of it is written (below the large-object heap's 85,000 bytes).</summary>
    public const int Bound = 64 * 1024;

    private const int TailBytes = 2048;

    private byte[]? _tail;
    private long _total;
    private byte[]? _pending;
    private int _pendingLength;

    /// <summary>Gets whether the bytes are kept to be passed through.</summary>
    public bool Passes => _pass;

    /// <summary>Gets how many bytes may be appended before a chunk must be taken (<see cref="TakeChunk"/>); unbounded when not passed.</summary>
    public int Room => _pass ? Bound - _pendingLength : int.MaxValue;

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
            // Most commands write a line or two: the buffer starts at what came and doubles up to the bound.
            var size = Math.Max(_pendingLength + bytes.Length, Math.Min(Bound, Math.Max(256, (_pending?.Length ?? 0) * 2)));
            Array.Resize(ref _pending, size);
        }

        bytes.CopyTo(_pending.AsSpan(_pendingLength));
        _pendingLength += bytes.Length;
    }

    /// <summary>Keeps no more to pass (the command is being killed: its stderr is read to its end without waiting for a
    /// stderr that may be stuck); what waits stays for <see cref="TakeRest"/>.</summary>
    public void StopPassing() => _pass = false;

    /// <summary>
    /// Takes what waits up to its last line end (everything when it holds none), leaving a partial last line for later;
    /// never past <paramref name="holdFrom"/> when it holds that (the older path's CPU report, taken off at the end).
    /// </summary>
    public byte[] TakeChunk(ReadOnlySpan<byte> holdFrom = default)
    {
        var waiting = _pending.AsSpan(0, _pendingLength);
        var limit = holdFrom.IsEmpty ? -1 : waiting.LastIndexOf(holdFrom);
        var usable = limit >= 0 ? waiting[..limit] : waiting;
        var end = usable.LastIndexOf((byte)'\n') + 1;
        if (end == 0)
        {
            end = usable.Length;
        }

        var chunk = waiting[..end].ToArray();
        waiting[end..].CopyTo(_pending);
        _pendingLength -= end;
        return chunk;
    }

    /// <summary>Takes everything that waits (before the last <paramref name="cutFrom"/>, when it holds that), or null when nothing does.</summary>
    public byte[]? TakeRest(ReadOnlySpan<byte> cutFrom = default)
    {
        var waiting = _pending.AsSpan(0, _pendingLength);
        var cut = cutFrom.IsEmpty ? -1 : waiting.LastIndexOf(cutFrom);
        var rest = cut >= 0 ? waiting[..cut] : waiting;
        _pending = null;
        _pendingLength = 0;
        return rest.IsEmpty ? null : rest.ToArray();
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
