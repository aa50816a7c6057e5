namespace Brigade.Doctor.Tests.Review59;

/// <summary>
/// Review 59: pool threads blocked under more frames than the doctor keeps (a <c>ConcurrentDictionary.GetOrAdd</c> factory
/// recursing before it blocks on work that enters the same factory; /tmp/doctor59-progs mode getoradd, 26 pool threads)
/// read "0 workers", "no thread runs its code now" and "No pitfall found": the pool's frame and the frames executing each
/// thread's task were below the 200 kept. A worker is now known by its runtime-given name when its stack is cut, and a task
/// that has started (a delegate invoked, an async method between awaits) is said to run on some thread.
/// </summary>
public sealed class DeepFactoryChainTests
{
    [Fact]
    public async Task PoolThreadsBlockedUnderDeepFactories_AreCountedAsTheStarvedPool()
    {
        var outcome = await CorpusFixture.DiagnoseAsync("pool-factory-chain-deep");
        Assert.Null(outcome.Error);
        var diagnosis = outcome.Diagnosis!;
        var text = diagnosis.ToString();

        // Failed before: "Thread pool: 0 workers (0 idle, 0 running, 0 blocked)" and no finding.
        Assert.True(diagnosis.ThreadPool is { Workers: >= 4, Blocked: >= 4, IsStarved: true }, text);
        Assert.Equal(["BRG1004"], diagnosis.Reports.Select(r => r.Code).Distinct());
        Assert.DoesNotContain("no thread runs its code now", text, StringComparison.Ordinal);
        Assert.Contains("blocked threads wait for a task that has started and runs on another blocked pool thread: a chain", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AWaitOnATaskRunningBelowTheFramesRead_SaysItRuns()
    {
        var outcome = await CorpusFixture.DiagnoseAsync("pool-factory-chain-deep");
        Assert.Null(outcome.Error);
        var diagnosis = outcome.Diagnosis!;

        // The same threads, with the pool's finding left out, as a reader of "Other blocked threads" sees them.
        var waiter = diagnosis.Threads.First(t => t.Wait?.Task is { RunningNow: true, RunningOnThread: null });
        var said = Brigade.Doctor.Analysis.DiagnosisText.RunningUnseen(diagnosis, waiter);

        Assert.StartsWith("it has started running (it has not returned), on a thread whose stack is deeper than the frames read (pool thread #", said, StringComparison.Ordinal);
    }
}
