using Brigade.Internal;

namespace Brigade.Tests.Engines;

/// <summary>
/// <see cref="ThrottledReader"/>, behind the per-batch reading of the runtime's contention count (whose cost grows with every
/// thread the process ran): a fake clock where each real read costs a set time, so the bound is exact.
/// </summary>
public sealed class ThrottledReaderTests
{
    private const long Frequency = 1_000_000; // clock ticks of one microsecond

    private sealed class Counter(long costMicros)
    {
        public long Now;
        public long Value;
        public int Reads;

        public long Read()
        {
            Reads++;
            Now += costMicros;
            return Value;
        }
    }

    [Fact]
    public void Read_CostlyCounter_ReadsAtMostOnceAMillisecond()
    {
        // A read of 100 µs (the runtime's count after ~2,000 threads ran), asked every 200 µs for 10 ms (50 batch ends):
        // read about 10 times, not 50 (5 ms of CPU in 10 ms, half a core).
        var counter = new Counter(costMicros: 100);
        var reader = new ThrottledReader(counter.Read, () => counter.Now, Frequency);
        for (var i = 0; i < 50; i++)
        {
            counter.Value = i;
            _ = reader.Read();
            counter.Now += 200;
        }

        Assert.InRange(counter.Reads, 8, 11);
    }

    [Fact]
    public void Read_CountCostingMicroseconds_ReadsAtMostOnceEveryHundredTimesItsCost()
    {
        // A read of 5 µs asked every 100 µs: real every 500 µs or so, 1% of one core.
        var counter = new Counter(costMicros: 5);
        var reader = new ThrottledReader(counter.Read, () => counter.Now, Frequency);
        for (var i = 0; i < 100; i++)
        {
            _ = reader.Read();
            counter.Now += 100;
        }

        Assert.InRange(counter.Reads, 15, 25);
    }

    [Fact]
    public void Read_CheapCounter_ReadsEachCallFartherApartThanItsInterval()
    {
        // A read of 1 µs at calls 200 µs apart: every one is real (interval 100 µs), so batches see their contention.
        var counter = new Counter(costMicros: 1);
        var reader = new ThrottledReader(counter.Read, () => counter.Now, Frequency);
        for (var i = 0; i < 20; i++)
        {
            counter.Value = i;
            Assert.Equal(i, reader.Read());
            counter.Now += 200;
        }

        Assert.Equal(20, counter.Reads);
    }

    [Fact]
    public void Read_SpanLongerThanTheInterval_SeesWhatTheCountGainedDuringIt()
    {
        var counter = new Counter(costMicros: 100);
        var reader = new ThrottledReader(counter.Read, () => counter.Now, Frequency);
        _ = reader.Read(); // the interval is now 1 ms
        counter.Now += 500;
        var atStart = reader.Read(); // cached
        counter.Value = 7; // a contention during the batch
        counter.Now += 2_000;
        Assert.Equal(7, reader.Read() - atStart);
    }
}
