namespace Brigade.Processes.Tests.Report69;

// Report 69 (fresh69 finding 3): an item that took down two worker processes was reported with ItemFailure.Attempts = 1,
// though Attempts is "how many times the item was tried". It now counts each worker the item took down, the number its
// WorkerCrashedException's message and Crashes give.
public sealed class CrashAttemptsTests
{
    private static CrashInput[] Inputs(int count, string how, int culprit) =>
        [.. Enumerable.Range(0, count).Select(i => new CrashInput(i, how, culprit, null))];

    [Theory(Timeout = 90_000)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task FailFast_AttemptsIsTheWorkersTheItemTookDown(int maxCrashes)
    {
        await using var engine = TestEngines.Create(o => o.MaxCrashesPerItem = maxCrashes);

        var result = await Runner.MapAsync(Inputs(20, "failfast", 10), new Crasher(), TestEngines.Run(engine));

        var failure = Assert.Single(result.Report.Failures);
        Assert.Equal(10, failure.Index);
        var crash = Assert.IsType<WorkerCrashedException>(failure.Exception);
        Assert.Equal(maxCrashes, crash.Crashes);
        Assert.Equal(maxCrashes, failure.Attempts);
    }
}
