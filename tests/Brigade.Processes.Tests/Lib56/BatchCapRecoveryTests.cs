namespace Brigade.Processes.Tests.Lib56;

/// <summary>
/// After a batch over the frame limit is split, later batches follow the bytes of what is sent (lib56: the cap stayed
/// at half the split batch's count for the rest of the run, so one oversized item left every later batch of small items
/// at one item, each paying a round trip). The limit is lowered (an internal knob) so that bytes stand for megabytes.
/// </summary>
public sealed class BatchCapRecoveryTests
{
    private const int Limit = 4_000;

    [Fact]
    public async Task OneOversizedItem_LaterSmallItems_GoBackToFullBatches()
    {
        await using var engine = new ProcessEngine(new ProcessEngineOptions { MaxWorkers = 1, ForwardWorkerOutput = false }) { MaxBatchFrameLength = Limit };
        var items = Enumerable.Range(0, 400).Select(i => new string('a', i == 5 ? 2 * Limit : 20)).ToArray();

        var result = await Runner.MapAsync(items, new Lib54.TextLength(), new RunOptions { Engine = engine, BatchSize = 20 }).WaitAsync(TimeSpan.FromMinutes(2));

        Assert.Equal(5, Assert.Single(result.Report.Failures).Index);
        Assert.Equal(399, result.Report.Succeeded);

        // 20 batches of 20 without the oversized item; the split of the first and the cap's climb back add about ten.
        // Before: about 390 (every batch after the split held one item).
        Assert.InRange(result.Report.Batches, 20, 60);
    }
}
