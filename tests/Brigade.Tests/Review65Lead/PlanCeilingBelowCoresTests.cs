using Brigade.Auto;

namespace Brigade.Tests.Review65Lead;

// Review 65: a thread ceiling below the core count (MaxThreads = 1 on 2 cores, or a memory limit that affords one thread)
// made the planner's Math.Clamp(width, cores, ceiling) throw ArgumentException for waiting work, and the run failed with
// it (AutoController.Tick fails the job); MaxConcurrency below the cores did the same for async I/O. The ceiling wins.
public sealed class PlanCeilingBelowCoresTests
{
    private static TimeSpan Us(double us) => TimeSpan.FromTicks((long)(us * 10));

    // Thread.Sleep(10 ms) with 200 µs of CPU around it.
    private static readonly WorkSample Sleeps = WorkSample.FromPerItem(40, Us(10_000), Us(200));

    // await Task.Delay(10 ms): 10 ms in flight, 20 µs of CPU each.
    private static readonly WorkSample AsyncDelays = WorkSample.InFlightPerItem(100, Us(10_000), Us(20));

    public static TheoryData<long?> Sizes => new() { 4_000L, null };

    [Theory]
    [MemberData(nameof(Sizes))]
    public void BlockingWork_WithOneThreadAllowed_PlansOneThread(long? items)
    {
        var context = new PlanContext { Cores = 2, Options = new AutoEngineOptions { MaxThreads = 1 }, ItemCount = items };

        var plan = AutoPlanner.Decide(Sleeps, context)!;

        Assert.Equal(1, plan.Width);
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public void BlockingWork_OnWorkerProcesses_WithMemoryForOneWorker_PlansOneWorker(long? items)
    {
        // Review 66: worker processes have a ceiling of their own, what the memory affords (MaxThreads is a thread option).
        var context = new PlanContext
        {
            Cores = 2, Options = new AutoEngineOptions { IsolatedEngine = Engine.Threads }, ItemCount = items,
            AvailableMemoryBytes = 100L * 1024 * 1024, WorkerProcessBytes = 60L * 1024 * 1024,
        };

        var plan = AutoPlanner.Decide(Sleeps, context)!;

        Assert.Equal(1, plan.Width);
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public void AsyncIo_WithOneItemInFlightAllowed_PlansOne(long? items)
    {
        var context = new PlanContext { Cores = 2, Options = new AutoEngineOptions { MaxConcurrency = 1 }, ItemCount = items };

        var plan = AutoPlanner.Decide(AsyncDelays, context)!;

        Assert.Equal(1, plan.Width);
    }
}
