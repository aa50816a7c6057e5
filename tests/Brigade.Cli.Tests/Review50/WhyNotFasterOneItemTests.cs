using Brigade.Cli.Run;

namespace Brigade.Cli.Tests.Review50;

/// <summary>
/// Review 50: every one-item run with <c>-o</c> (sequential ×1) ended with "why not faster: … workers started late: check
/// for a slow input": brigade's own start-up counted as a loss that no width and no input could change. A single item
/// gets no such line; runs the line is for keep it.
/// </summary>
public sealed class WhyNotFasterOneItemTests
{
    private static readonly TimeSpan Wall = TimeSpan.FromMilliseconds(400);
    private static readonly TimeSpan Ideal = TimeSpan.FromMilliseconds(400);
    private static readonly TimeSpan HalfLost = TimeSpan.FromMilliseconds(200);

    [Fact]
    public void OneItem_OnOneWorker_GetsNoLine()
    {
        // Failed before: one item on one worker, half its ideal lost to start-up, was given the line.
        Assert.False(BatchJob.ShowsWhyNotFaster(items: 1, degreeOfParallelism: 1, failed: 0, Wall, gap: HalfLost, Ideal));
    }

    [Theory]
    [InlineData(2, 2, 0, true)]
    [InlineData(100, 4, 3, true)]
    [InlineData(2, 32, 0, false)]
    [InlineData(5, 2, 5, false)]
    public void OtherRuns_KeepTheirRule(long items, int workers, long failed, bool shown)
    {
        Assert.Equal(shown, BatchJob.ShowsWhyNotFaster(items, workers, failed, Wall, HalfLost, Ideal));
    }

    [Fact]
    public void ShortRuns_AndSmallLosses_GetNoLine()
    {
        Assert.False(BatchJob.ShowsWhyNotFaster(10, 2, 0, TimeSpan.FromMilliseconds(50), HalfLost, Ideal));
        Assert.False(BatchJob.ShowsWhyNotFaster(10, 2, 0, Wall, TimeSpan.FromMilliseconds(20), Ideal));
    }
}
