using Brigade.Auto;
using Brigade.Tests.Infrastructure;

namespace Brigade.Tests.Auto;

/// <summary>Auto mode keeps every promise of the engine contract: results, failures, cancellation, no leaked threads.</summary>
[Collection(AutoCollection.Name)]
public sealed class AutoEngineTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    private static RunOptions Options(int? maxWidth = null, FailureMode failureMode = FailureMode.Continue) => new()
    {
        Engine = Engine.CreateAuto(new AutoEngineOptions { UsePlanCache = false }),
        MaxDegreeOfParallelism = maxWidth,
        FailureMode = failureMode,
    };

    [Fact]
    public void Default_IsAuto_AndAutoIsABuiltInEngine()
    {
        Assert.Same(Engine.Auto, Engine.Default);
        Assert.True(Engine.TryGetBuiltIn("AUTO", out var auto));
        Assert.Same(Engine.Auto, auto);
        Assert.Equal("auto", Engine.CreateAuto(new AutoEngineOptions()).Name);
    }

    [Fact]
    public async Task MapAsync_RunsEveryItemExactlyOnce_AndKeepsInputOrder()
    {
        var calls = new int[20_000];
        var result = await Runner.MapAsync(Enumerable.Range(0, calls.Length).ToArray(), x =>
        {
            Interlocked.Increment(ref calls[x]);
            return x * 3;
        }, Options()).WaitAsync(Bound);

        Assert.Equal(Enumerable.Range(0, calls.Length).Select(x => x * 3), result.Values);
        Assert.All(calls, c => Assert.Equal(1, c));
        Assert.Equal("auto", result.Report.Engine);
        Assert.NotEmpty(result.Report.Plans);
        Assert.Equal(result.Report.Plans[^1].Explanation, result.Report.Plan?[..result.Report.Plans[^1].Explanation.Length]);
    }

    [Fact]
    public async Task ReplannedRun_StillRunsEveryItemOnce()
    {
        // CPU-bound items, then blocking ones: the plan changes mid-run, items are never handed back or repeated.
        const int Count = 600;
        var calls = new int[Count];
        var result = await Runner.MapAsync(Enumerable.Range(0, Count).ToArray(), x =>
        {
            Interlocked.Increment(ref calls[x]);
            if (x < Count / 2)
            {
                return Spin(100_000);
            }

            Thread.Sleep(3);
            return x;
        }, Options()).WaitAsync(Bound);

        Assert.True(result.Report.IsSuccess);
        Assert.All(calls, c => Assert.Equal(1, c));
        Assert.Equal(Count, result.Report.Items);
    }

    [Fact]
    public async Task FailingItems_AreReportedWithTheirIndex_AndTheOthersStillRun()
    {
        var result = await Runner.MapAsync(Enumerable.Range(0, 1_000).ToArray(), x => x % 100 == 7 ? throw new InvalidOperationException($"bad {x}") : x, Options()).WaitAsync(Bound);

        Assert.Equal(10, result.Report.Failed);
        Assert.Equal(990, result.Report.Succeeded);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => (long)(i * 100 + 7)), result.Report.Failures.Select(f => f.Index));
    }

    [Fact]
    public async Task StopOnFirstFailure_StartsNoNewItem()
    {
        var started = 0;
        var report = await Runner.ForEachAsync(Enumerable.Range(0, 10_000).ToArray(), x =>
        {
            Interlocked.Increment(ref started);
            Thread.Sleep(1);
            if (x == 50)
            {
                throw new InvalidOperationException("stop");
            }
        }, Options(failureMode: FailureMode.StopOnFirstFailure)).WaitAsync(Bound);

        Assert.True(report.StoppedOnFailure);
        Assert.Equal(1, report.Failed);
        Assert.True(report.NotRun > 0);
        Assert.Equal(report.Items, report.Succeeded + report.Failed + report.NotRun);
    }

    [Fact]
    public async Task Cancellation_ThrowsAfterRunningItemsFinish_AndLeavesNoThreadBehind()
    {
        using var cts = new CancellationTokenSource();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var run = Runner.ForEachAsync(Enumerable.Range(0, 100_000).ToArray(), _ =>
        {
            started.TrySetResult();
            Thread.Sleep(2);
        }, Options(), cts.Token);

        await started.Task.WaitAsync(Bound);
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run.WaitAsync(Bound));
        Assert.Equal(0, AutoThreads.Live);
    }

    [Fact]
    public async Task MaxDegreeOfParallelism_IsACeiling_ForEveryPlan()
    {
        var running = 0;
        var peak = 0;
        var report = await Runner.ForEachAsync(Enumerable.Range(0, 300).ToArray(), _ =>
        {
            var now = Interlocked.Increment(ref running);
            Peak.Raise(ref peak, now);
            Thread.Sleep(2);
            Interlocked.Decrement(ref running);
        }, Options(maxWidth: 5)).WaitAsync(Bound);

        Assert.True(peak <= 5, $"peak {peak}");
        Assert.True(report.Plans[^1].DegreeOfParallelism <= 5);
        Assert.Equal(WorkloadClass.Blocking, report.Plans[^1].Class);
    }

    [Fact]
    public async Task StreamAsync_OverAnAsynchronousSource_DeliversEveryResult()
    {
        var seen = new List<long>();
        await foreach (var r in Runner.StreamAsync(Produce(2_000), async (x, ct) => { await Task.Yield(); return x; }, Options()).WithCancellation(CancellationToken.None))
        {
            Assert.True(r.IsSuccess);
            seen.Add(r.Value);
        }

        Assert.Equal(Enumerable.Range(0, 2_000).Select(x => (long)x), seen.Order());
    }

    [Fact]
    public async Task EmptyInput_Completes_WithNothingToPlan()
    {
        var result = await Runner.MapAsync(Array.Empty<int>(), x => x, Options()).WaitAsync(Bound);

        Assert.Empty(result.Values);
        Assert.Empty(result.Report.Plans);
        Assert.Equal("nothing to plan: the input was empty", result.Report.Plan);
    }

    [Fact]
    public async Task ExternalCpuTime_MakesWorkThatWaitsOnAChildLookCpuBound()
    {
        // Like running a CPU-bound command and waiting for it: the thread sleeps, the "child" burns the CPU.
        var report = await Runner.ForEachAsync(Enumerable.Range(0, 200).ToArray(), _ =>
        {
            Thread.Sleep(2);
            ExternalCpuTime.Add(TimeSpan.FromMilliseconds(2));
        }, Options()).WaitAsync(Bound);

        Assert.Equal(WorkloadClass.CpuBound, report.Plans[^1].Class);
        Assert.Equal(Environment.ProcessorCount, report.Plans[^1].DegreeOfParallelism);
    }

    [Fact]
    public async Task IsolatedEngine_RunsEveryItem_AndTheReportSaysIsolationWasRequested()
    {
        var options = new AutoEngineOptions { UsePlanCache = false, IsolatedEngine = Engine.Threads };
        var result = await Runner.MapAsync(Enumerable.Range(0, 500).ToArray(), x => Spin(20_000) ^ x, new RunOptions { Engine = Engine.CreateAuto(options) }).WaitAsync(Bound);

        Assert.True(result.Report.IsSuccess);
        Assert.Contains("isolation requested", result.Report.Plan, StringComparison.Ordinal);
        Assert.Equal(Environment.ProcessorCount, result.Report.DegreeOfParallelism);
    }

    [Fact]
    public void Options_RejectBadValues()
    {
        var options = new AutoEngineOptions();
        Assert.Throws<ArgumentOutOfRangeException>(() => options.SampleItems = 0);
        Assert.Throws<ArgumentOutOfRangeException>(() => options.SampleTime = TimeSpan.Zero);
        Assert.Throws<ArgumentOutOfRangeException>(() => options.MinParallelWork = TimeSpan.FromTicks(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => options.MaxThreads = 0);
        Assert.Throws<ArgumentOutOfRangeException>(() => options.MaxConcurrency = 0);
        Assert.Throws<ArgumentException>(() => options.PlanCacheDirectory = " ");
        Assert.Throws<ArgumentException>(() => options.IsolatedEngine = Engine.Auto);
        Assert.Throws<ArgumentNullException>(() => options.TimeProvider = null!);
        Assert.Throws<ArgumentNullException>(() => Engine.CreateAuto(null!));
    }

    [Fact]
    public void CreateAuto_TakesASnapshotOfTheOptions()
    {
        var options = new AutoEngineOptions { MaxThreads = 8 };
        var engine = (AutoEngine)Engine.CreateAuto(options);
        options.MaxThreads = 99;

        Assert.Equal(8, engine.Options.MaxThreads);
    }

    private static async IAsyncEnumerable<int> Produce(int count)
    {
        for (var i = 0; i < count; i++)
        {
            if (i % 100 == 0)
            {
                await Task.Yield();
            }

            yield return i;
        }
    }

    private static int Spin(int iterations)
    {
        var h = 1u;
        for (var i = 0; i < iterations; i++)
        {
            h = (h ^ (h >> 15)) * 0x2c1b3c6dU;
        }

        return (int)h;
    }
}
