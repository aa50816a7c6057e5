using Brigade.Tests.Infrastructure;

namespace Brigade.Tests.Review34;

// Review 34: 6378aca let the slow item lead the imbalance advice when the workers that ran sat idle waiting for it (ten
// items on 64 workers, one of 10 s: fewer workers would not shorten the run), but the advice it leads with still said
// "give the run more, smaller items, or use fewer workers". What shortens such a run is splitting the slow item.
public sealed class StragglerAdviceTests
{
    [Fact]
    public async Task FewItemsOneSlow_TheSlowItemsAdvice_IsToSplitIt_NotToUseFewerWorkers()
    {
        var report = await Runner.ForEachAsync(Ten(), i => Thread.Sleep(i == 3 ? 400 : 5),
            new RunOptions { Engine = Engine.Threads, MaxDegreeOfParallelism = 16, BatchSize = 1 }).Bounded();

        var lead = Assert.Single(report.Losses.Advice, a => a.StartsWith("item 3 took", StringComparison.Ordinal));
        Assert.DoesNotContain("fewer workers", lead, StringComparison.Ordinal);
        Assert.Contains("split large items", lead, StringComparison.Ordinal);

        static IEnumerable<int> Ten()
        {
            for (var i = 0; i < 10; i++)
            {
                yield return i;
            }
        }
    }
}
