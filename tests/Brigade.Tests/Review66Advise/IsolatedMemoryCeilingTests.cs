using Brigade.Auto;

namespace Brigade.Tests.Review66Advise;

// Review 66: a plan of waiting work on worker processes (an isolated engine) weighs the processes' starts, √(items × time /
// 300 ms): 10,000 items of 1 s, 183 processes. Its ceiling was PlanContext.ThreadCeiling, auto mode's MaxThreads and the
// memory a thread's stack reserves: a thread option capped processes (MaxThreads 4: 4 worker processes), and nothing
// weighed a process's own memory (tens of MB resident each), so a machine with 2 GB planned 183 of them. Hand-made samples,
// 2 cores.
public sealed class IsolatedMemoryCeilingTests
{
    private const long MiB = 1024 * 1024;

    private static TimeSpan Us(double us) => TimeSpan.FromTicks((long)(us * 10));

    // Thread.Sleep(1 s) with 200 µs of CPU around it.
    private static readonly WorkSample LongWaits = WorkSample.FromPerItem(20, Us(1_000_000), Us(200));

    private static PlanContext Context(long items, AutoEngineOptions? options = null) =>
        new() { Cores = 2, Options = options ?? new AutoEngineOptions { IsolatedEngine = Engine.Threads }, ItemCount = items };

    [Fact]
    public void PlentyOfMemory_KeepsTheStartBalancedWidth()
    {
        var plan = AutoPlanner.Decide(LongWaits, Context(10_000) with { AvailableMemoryBytes = 64L * 1024 * MiB, WorkerProcessBytes = 50 * MiB })!;

        // √(10,000 × 1 s / 300 ms) = 182.6; 32 GB / 50 MB affords 655.
        Assert.Equal(LoopKind.Isolated, plan.Kind);
        Assert.Equal(183, plan.Width);
        Assert.EndsWith("worker-process starts limit it to √(items × time / start 300 ms) = 183", plan.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void LittleMemory_MeasuredWorkers_HoldsTheWidthToWhatTheMemoryAffords_AndSaysSo()
    {
        // Half of 2 GB over 50 MB a worker: 20 processes, not 183 (9 GB of workers on a 2 GB machine).
        var plan = AutoPlanner.Decide(LongWaits, Context(10_000) with { AvailableMemoryBytes = 2048 * MiB, WorkerProcessBytes = 50 * MiB })!;

        Assert.Equal(20, plan.Width);
        Assert.Contains("worker-process starts limit it to √(items × time / start 300 ms) = 183, memory affords 20 worker processes (1/2 of 2 GB available, 50 MB a worker, measured)", plan.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void LittleMemory_UnmeasuredWorkers_UsesTheStatedFigure_AndSaysItIsAssumed()
    {
        var plan = AutoPlanner.Decide(LongWaits, Context(10_000) with { AvailableMemoryBytes = 2048 * MiB })!;

        var affords = (int)(1024 * MiB / AutoWorkerProcesses.StatedWorkerBytes);
        Assert.Equal(affords, plan.Width);
        Assert.Contains($"memory affords {affords} worker processes (1/2 of 2 GB available, {AutoFormat.Bytes(AutoWorkerProcesses.StatedWorkerBytes)} a worker, assumed: not measured yet)", plan.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void MemoryForOneWorker_PlansOne()
    {
        var plan = AutoPlanner.Decide(LongWaits, Context(10_000) with { AvailableMemoryBytes = 100 * MiB, WorkerProcessBytes = 60 * MiB })!;

        Assert.Equal(1, plan.Width);
        Assert.Contains("memory affords 1 worker process (", plan.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void MaxThreads_DoesNotCapWorkerProcesses()
    {
        // MaxThreads bounds auto mode's dedicated threads in this process; worker processes are not threads here.
        var options = new AutoEngineOptions { IsolatedEngine = Engine.Threads, MaxThreads = 4 };

        var plan = AutoPlanner.Decide(LongWaits, Context(10_000, options))!;

        Assert.Equal(183, plan.Width);
    }

    [Fact]
    public void TheRunsOwnLimit_BelowTheMemorysCeiling_IsSaid_NotTheMemory()
    {
        var plan = AutoPlanner.Decide(LongWaits, Context(10_000) with { AvailableMemoryBytes = 2048 * MiB, WorkerProcessBytes = 50 * MiB, MaxDegreeOfParallelism = 8 })!;

        Assert.Equal(8, plan.Width);
        Assert.DoesNotContain("memory affords", plan.Explanation, StringComparison.Ordinal);
        Assert.EndsWith("limited to 8 by MaxDegreeOfParallelism", plan.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void AsyncIo_OnWorkerProcesses_IsHeldToTheMemorysCeilingToo()
    {
        // 20,000 × await Task.Delay(10 ms): √(20,000 × 10 ms / 300 ms) = 26 processes; 1 GB / 2 / 48 MB affords 10.
        var plan = AutoPlanner.Decide(WorkSample.InFlightPerItem(100, Us(10_000), Us(20)), Context(20_000) with { AvailableMemoryBytes = 1024 * MiB, WorkerProcessBytes = 48 * MiB })!;

        Assert.Equal(10, plan.Width);
        Assert.Contains("memory affords 10 worker processes", plan.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownSize_OnePerCore_EvenWithLittleMemory_IsHeldToWhatItAffords()
    {
        var plan = AutoPlanner.Decide(LongWaits, new PlanContext { Cores = 8, Options = new AutoEngineOptions { IsolatedEngine = Engine.Threads }, AvailableMemoryBytes = 300 * MiB, WorkerProcessBytes = 50 * MiB })!;

        Assert.Equal(3, plan.Width);
        Assert.Contains("8 worker processes (one per core) while the job's size is unknown: each is a process start, memory affords 3 worker processes", plan.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void ResidentBytes_ReadsALiveProcessesMemory_FromItsPidLocation()
    {
        if (!OperatingSystem.IsLinux())
        {
            return; // reads /proc
        }

        var workers = new[]
        {
            new Brigade.Reporting.WorkerReport(0, "process", $"pid {Environment.ProcessId}", 1, 1, 0, TimeSpan.FromMilliseconds(1), null),
            new Brigade.Reporting.WorkerReport(1, "thread 1", null, 1, 1, 0, TimeSpan.FromMilliseconds(1), null),
        };

        var bytes = AutoWorkerProcesses.ResidentBytes(workers);

        Assert.NotNull(bytes);
        Assert.InRange(bytes.Value, 8 * MiB, 64L * 1024 * MiB);
        Assert.Null(AutoWorkerProcesses.ResidentBytes([workers[1]]));
    }
}
