namespace Brigade.Internal;

/// <summary>
/// A counter whose reading costs more than the callers can pay each time: it is read for real at most once per
/// <see cref="CostMultiple"/> times the last real read's own cost (1% of one core) and at most once per millisecond;
/// between real reads, callers get the last value read. One caller reads at a time; the others meanwhile get the last
/// value. A caller that compares readings at both ends of a span gets a real reading at its end whenever a real read was
/// due before it (a span longer than the interval, for a caller that asks at its start), so it sees what the count gained
/// during the span (and perhaps a little before it).
/// </summary>
/// <param name="read">The expensive read (a count that only grows).</param>
/// <param name="now">The clock, in ticks of <paramref name="frequency"/> per second.</param>
/// <param name="frequency">The clock's ticks per second.</param>
internal sealed class ThrottledReader(Func<long> read, Func<long> now, long frequency)
{
    /// <summary>The real reads' share of one core at most is one over this.</summary>
    public const int CostMultiple = 100;

    private readonly long _maxInterval = Math.Max(1, frequency / 1000);
    private long _value;
    private long _nextReadAt = long.MinValue;
    private int _reading;

    /// <summary>Returns the count, read now or at most one interval ago.</summary>
    public long Read()
    {
        var start = now();
        if (start < Volatile.Read(ref _nextReadAt) || Interlocked.CompareExchange(ref _reading, 1, 0) != 0)
        {
            return Volatile.Read(ref _value);
        }

        try
        {
            var value = read();
            var end = now();
            Volatile.Write(ref _value, value);
            Volatile.Write(ref _nextReadAt, end + Math.Min(_maxInterval, Math.Max(0, end - start) * CostMultiple));
            return value;
        }
        finally
        {
            Volatile.Write(ref _reading, 0);
        }
    }
}
