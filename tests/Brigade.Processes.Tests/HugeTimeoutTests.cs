using Brigade.Processes.Internal;

namespace Brigade.Processes.Tests;

/// <summary>
/// Timeouts near <see cref="TimeSpan.MaxValue"/> (a common spelling of "never"): the setters accept them, so a run must
/// too. Before review 21 P1, the watchdog's deadline (timeout + flush interval + slack) threw OverflowException inside
/// the first send and the run failed.
/// </summary>
public sealed class HugeTimeoutTests
{
    [Theory(Timeout = 60_000)]
    [InlineData(0L)]
    [InlineData(1L)]
    [InlineData(500_000L)] // 50 ms below the maximum: flush interval + slack (75 ms) overflow it by 25 ms
    public async Task ItemTimeoutNearMaxValue_RunsEveryItem(long ticksBelowMax)
    {
        await using var engine = TestEngines.Create(o =>
        {
            o.MaxWorkers = 1;
            o.ItemTimeout = TimeSpan.MaxValue - TimeSpan.FromTicks(ticksBelowMax);
        });

        var result = await Runner.MapAsync(Enumerable.Range(0, 50).ToArray(), new Square(), TestEngines.Run(engine, batchSize: 5))
            .WaitAsync(TimeSpan.FromSeconds(45));

        Assert.True(result.Report.IsSuccess, string.Join("; ", result.Report.Failures.Select(f => $"{f.Index}: {f.Exception}")));
        Assert.Equal(Enumerable.Range(0, 50).Select(i => (long)i * i), result.Values);
        Assert.Equal(0L, engine.GetStatistics().WorkerTimeouts);
    }

    [Fact]
    public void SaturatingAdd_ClampsAtTheEnds_AndAddsExactlyElsewhere()
    {
        Assert.Equal(TimeSpan.MaxValue, TimeSpans.SaturatingAdd(TimeSpan.MaxValue, TimeSpan.FromMilliseconds(75)));
        Assert.Equal(TimeSpan.MaxValue, TimeSpans.SaturatingAdd(TimeSpan.MaxValue - TimeSpan.FromTicks(1), TimeSpan.FromTicks(2)));
        Assert.Equal(TimeSpan.MaxValue, TimeSpans.SaturatingAdd(TimeSpan.MaxValue - TimeSpan.FromTicks(1), TimeSpan.FromTicks(1)));
        Assert.Equal(TimeSpan.MinValue, TimeSpans.SaturatingAdd(TimeSpan.MinValue, TimeSpan.FromTicks(-1)));
        Assert.Equal(TimeSpan.FromMilliseconds(1_075), TimeSpans.SaturatingAdd(TimeSpan.FromSeconds(1), TimeSpan.FromMilliseconds(75)));
        Assert.Equal(TimeSpan.FromSeconds(-1), TimeSpans.SaturatingAdd(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(-2)));
    }
}
