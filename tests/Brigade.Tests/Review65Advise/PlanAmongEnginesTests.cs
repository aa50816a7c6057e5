using Brigade.Auto;

namespace Brigade.Tests.Review65Advise;

// Review 65: with a list of engines (brigade advise --engines, AutoEngineOptions.Engines) a plan for a left-out engine moved
// to an allowed one at the same width and batch, whether or not they meant the same there: asynchronous I/O on dedicated
// threads at the async limit (1,024 threads, each blocked for an item in flight; with the thread pool allowed too, threads
// were still chosen first), CPU work one after the other in the parallel plan's 1 ms batches, blocking work on the thread
// pool with no word of what it costs there; and on worker processes (an isolated engine), waiting work planned Little's law's
// hundreds of processes, which the plan cache carried to the next run. Hand-made samples, 2 cores.
public sealed class PlanAmongEnginesTests
{
    private static TimeSpan Us(double us) => TimeSpan.FromTicks((long)(us * 10));

    private static PlanContext Context(string[]? engines, long? items, Engine? isolated = null) =>
        new() { Cores = 2, Options = new AutoEngineOptions { Engines = engines, IsolatedEngine = isolated }, ItemCount = items };

    // 20,000 × await Task.Delay(10 ms): 10 ms in flight, 20 µs of CPU each.
    private static readonly WorkSample AsyncDelays = WorkSample.InFlightPerItem(100, Us(10_000), Us(20));

    // Thread.Sleep(10 ms) with 200 µs of CPU around it.
    private static readonly WorkSample Sleeps = WorkSample.FromPerItem(40, Us(10_000), Us(200));

    [Fact]
    public void AsyncIo_OnlyThreadsAllowed_TakesAThreadPerItemInFlight_WeighedAgainstTheirStarts_NotTheAsyncLimit()
    {
        var plan = AutoPlanner.Decide(AsyncDelays, Context(["threads"], 2_000))!;

        // Async: Little's law 2 × 2 × 10 ms / 20 µs = 2,000, capped at 1,024. On threads: √(2,000 × 10 ms / 100 µs) = 448.
        Assert.Equal("threads", plan.Engine);
        Assert.Equal(LoopKind.Thread, plan.Kind);
        Assert.Equal(448, plan.Width);
        Assert.StartsWith("Threads ×448, batch 1 — async is not among the engines allowed (threads): async I/O", plan.Explanation, StringComparison.Ordinal);
        Assert.EndsWith("; on dedicated threads, a thread per item in flight: thread starts limit it to √(items × time / start) = 448", plan.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void AsyncIo_OnlyThreadsAllowed_StaysWithinTheThreadCeiling()
    {
        var context = Context(["threads"], null) with { Options = new AutoEngineOptions { Engines = ["threads"], MaxThreads = 300 } };

        var plan = AutoPlanner.Decide(AsyncDelays, context)!;

        Assert.Equal(300, plan.Width);
        Assert.EndsWith("capped at 300", plan.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void AsyncIo_ThreadPoolAndThreadsAllowed_RunsOnTheThreadPoolsTaskLoops_AtTheAsyncLimit()
    {
        var plan = AutoPlanner.Decide(AsyncDelays, Context(["threadpool", "threads"], 20_000))!;

        Assert.Equal("threadpool", plan.Engine);
        Assert.Equal(LoopKind.Task, plan.Kind);
        Assert.Equal(1024, plan.Width);
        Assert.Equal(WorkloadClass.AsyncIo, plan.Class);
    }

    [Fact]
    public void CpuBound_OnlySequentialAllowed_TakesASequentialBatch_NotTheParallelPlans()
    {
        // 100 µs items: 1 ms batches (8 items) on the thread pool; one worker has nobody to balance with: 10 ms (64 items).
        var any = AutoPlanner.Decide(WorkSample.FromPerItem(200, Us(100), Us(98)), Context(null, 10_000))!;
        var plan = AutoPlanner.Decide(WorkSample.FromPerItem(200, Us(100), Us(98)), Context(["sequential"], 10_000))!;

        Assert.Equal(8, any.BatchSize);
        Assert.Equal("sequential", plan.Engine);
        Assert.Equal(1, plan.Width);
        Assert.Equal(64, plan.BatchSize);
        Assert.Equal(AutoPlanner.SequentialTargetBatch, plan.TargetBatch);
        Assert.StartsWith("Sequential ×1, batch 64 — threadpool is not among the engines allowed (sequential): CPU-bound", plan.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void Blocking_OnlyTheThreadPoolAllowed_KeepsTheWidth_AndSaysDedicatedThreadsWouldFitBetter()
    {
        var plan = AutoPlanner.Decide(Sleeps, Context(["threadpool"], 4_000))!;

        Assert.Equal("threadpool", plan.Engine);
        Assert.Equal(100, plan.Width);
        Assert.Contains("threads is not among the engines allowed (threadpool): blocking I/O", plan.Explanation, StringComparison.Ordinal);
        Assert.EndsWith("dedicated threads would fit better: each waiting item holds a pool thread, and past its minimum the pool starts threads slowly", plan.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void PureWaits_DecidedFromRunningItems_OnTheThreadPool_KeepTheirNoteAtTheEnd()
    {
        var context = Context(["threadpool"], 64) with { FromRunningItems = true, NotWholeJob = true, Note = "decided from items still running" };

        var plan = AutoPlanner.Decide(WorkSample.FromPerItem(2, Us(500_000), Us(100)), context)!;

        Assert.Equal(64, plan.Width);
        Assert.EndsWith("the pool starts threads slowly (decided from items still running)", plan.Explanation, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(4_000L, 12)]   // √(4,000 × 10 ms / 300 ms) = 11.5: 12 worker processes, not Little's law's 100
    [InlineData(200L, 3)]      // √(200 × 10 ms / 300 ms) = 2.6
    [InlineData(null, 2)]      // size unknown: the core count
    public void Blocking_OnWorkerProcesses_WeighsTheProcessesStarts_NotThreadsLittlesLaw(long? items, int width)
    {
        var plan = AutoPlanner.Decide(Sleeps, Context(null, items, Engine.Threads))!;

        Assert.Equal(LoopKind.Isolated, plan.Kind);
        Assert.Equal(width, plan.Width);
        Assert.Contains(items is null ? "worker processes (one per core) while the job's size is unknown" : "worker-process starts limit it to √(items × time / start 300 ms)", plan.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void AsyncIo_OnWorkerProcesses_WeighsTheProcessesStarts_NotTheAsyncLimit()
    {
        var plan = AutoPlanner.Decide(AsyncDelays, Context(null, 20_000, Engine.Threads))!;

        // √(20,000 × 10 ms / 300 ms) = 25.8: 26 processes, not 1,024.
        Assert.Equal(LoopKind.Isolated, plan.Kind);
        Assert.Equal(26, plan.Width);
    }

    [Fact]
    public void CpuBound_OnWorkerProcesses_StaysAtTheCores()
    {
        var plan = AutoPlanner.Decide(WorkSample.FromPerItem(200, Us(100), Us(98)), Context(null, 10_000, Engine.Threads))!;

        Assert.Equal(2, plan.Width);
        Assert.Equal(LoopKind.Isolated, plan.Kind);
    }
}
