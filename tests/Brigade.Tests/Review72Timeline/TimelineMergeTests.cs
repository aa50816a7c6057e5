namespace Brigade.Tests.Review72Timeline;

/// <summary>
/// Review 72: the report's timeline is merged from the workers' own lists (each already in order) instead of sorted
/// whole; it must still hold every batch once, in order of start, then first index.
/// </summary>
public sealed class TimelineMergeTests
{
    [Fact]
    public async Task ManyOneItemBatchesOnFourWorkers_TimelineHoldsEachBatchOnceInOrder()
    {
        var items = Enumerable.Range(0, 5_000).ToList();
        var result = await Runner.MapAsync(items, i => i * 2, new RunOptions { Engine = Engine.Threads, MaxDegreeOfParallelism = 4, BatchSize = 1, CollectTimeline = true });
        var timeline = result.Report.Timeline;

        Assert.Equal(items.Count, timeline.Count);
        Assert.Equal(items.Count, timeline.Select(e => e.FirstIndex).Distinct().Count());
        for (var i = 1; i < timeline.Count; i++)
        {
            var (a, b) = (timeline[i - 1], timeline[i]);
            Assert.True(a.Start < b.Start || (a.Start == b.Start && a.FirstIndex <= b.FirstIndex), $"event {i} out of order: {a} then {b}");
        }
    }
}
