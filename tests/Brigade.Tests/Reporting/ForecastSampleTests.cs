using Brigade.Reporting;

namespace Brigade.Tests.Reporting;

/// <summary>
/// <see cref="ForecastSample"/>'s readings of a sample: pure arithmetic on given figures, no clock.
/// </summary>
public sealed class ForecastSampleTests
{
    [Fact]
    public void SerialFractionFromWaits_SaturatedLock_IsTheLocksShareNotTheWaitsShare()
    {
        // 16 workers, a lock held 30% of each item: 16 × 0.3 > 1, so the lock is always held and each worker's cycle is
        // 16 × 0.3 t = 4.8 t, of which it waits 3.8 t (q = 0.79). The linear rule s ≈ q·k / (k − 1) read 0.84.
        var q = 1 - (1 / (16 * 0.3));

        Assert.InRange(ForecastSample.SerialFractionFromWaits(q, 16), 0.28, 0.32);
    }

    [Theory]
    [InlineData(2, 0.5)]
    [InlineData(2, 0.2)]
    [InlineData(4, 0.25)]
    [InlineData(16, 0.05)]
    [InlineData(16, 0.3)]
    public void SerialFractionFromWaits_ReadsBackTheShareThatCausedTheWaits(int workers, double held)
    {
        var q = ForecastSample.LockWaitShare(held, workers);

        Assert.InRange(ForecastSample.SerialFractionFromWaits(q, workers), held * 0.98, held * 1.02);
    }

    [Fact]
    public void SerialFractionFromWaits_StaysWithinTheBoundsAnyTimingObeys()
    {
        // The lock is held at most all the time (s ≤ 1 / (k (1 − q))) and at most k − 1 wait while it is held
        // (s ≥ q / ((k − 1)(1 − q))); a longer wait share than (k − 1) / k cannot happen and reads as 1.
        foreach (var k in new[] { 2, 3, 8, 64 })
        {
            var last = 0.0;
            for (var q = 0.01; q < 1; q += 0.01)
            {
                var s = ForecastSample.SerialFractionFromWaits(q, k);
                var upper = Math.Min(1, 1 / (k * (1 - q)));
                var lower = Math.Min(upper, q / ((k - 1) * (1 - q)));
                Assert.InRange(s, lower - 1e-9, upper + 1e-9);
                Assert.True(s >= last - 1e-9, $"k {k}, q {q}: {s} after {last}");
                last = s;
            }
        }

        // A lock held all the time: the wait share at (or measured past) its cap reads as 1 on any number of workers
        // (rounding at the cap once put a bound above 1 and made the clamp throw for 5, 6, 10, 13 … workers).
        for (var k = 2; k <= 1024; k++)
        {
            Assert.Equal(1, ForecastSample.SerialFractionFromWaits(1, k), 6);
            Assert.Equal(1, ForecastSample.SerialFractionFromWaits((k - 1) / (double)k, k), 6);
        }

        Assert.Equal(0, ForecastSample.SerialFractionFromWaits(0.3, 1));
        Assert.Equal(0, ForecastSample.SerialFractionFromWaits(0, 8));
    }
}
