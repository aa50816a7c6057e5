using System.Diagnostics;
using Brigade.Auto;
using Brigade.Reporting;

namespace Brigade.Tests.RunCpu;

/// <summary>
/// CPU time the items report using outside their thread (<see cref="ExternalCpuTime"/>: a child process per item, as
/// <c>brigade run</c>'s commands) counts in the run's report on every engine, once (review 40: only auto mode's planning
/// read it, so a run of CPU-bound commands reported brigade's own few milliseconds of CPU and never heard that its workers
/// outnumbered the cores). The figures added are the items' own reports: exact, no timing bound.
/// </summary>
public sealed class ExternalCpuReportTests
{
    private const int Items = 8;
    private static readonly TimeSpan PerItem = TimeSpan.FromMilliseconds(50);

    public static TheoryData<string> Engines => new() { "sequential", "threadpool", "threads", "async", "auto" };

    private static RunOptions Options(string engine, int width = 4) => new()
    {
        Engine = engine == "auto" ? Engine.CreateAuto(new AutoEngineOptions { UsePlanCache = false })
            : Engine.TryGetBuiltIn(engine, out var e) ? e : throw new ArgumentException(engine, nameof(engine)),
        MaxDegreeOfParallelism = width,
    };

    private static TimeSpan External(RunReport report) =>
        report.Workers.Aggregate(TimeSpan.Zero, (sum, w) => sum + (w.Timing?.ExternalCpu ?? TimeSpan.Zero));

    private static void AssertCounted(RunReport report, TimeSpan reported)
    {
        // Once: auto mode's own account (its planning's) and the worker's are chained, not summed twice; a worker started
        // from another's loop does not report into the other's account.
        Assert.Equal(reported, External(report));

        // Failed before the fix: the process's clock alone (a few ms of the test's threads), the workers' threads' CPU and
        // the timeline's, none of which sees a child's CPU time.
        Assert.True(report.ProcessCpuTime >= reported, $"{report.ProcessCpuTime} < {reported}");
        Assert.True(report.WorkerCpuTime >= reported, $"{report.WorkerCpuTime} < {reported}");
        var timeline = report.Timeline.Aggregate(TimeSpan.Zero, (sum, e) => sum + (e.CpuTime ?? TimeSpan.Zero));
        Assert.True(timeline >= reported, $"timeline {timeline} < {reported}");
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task SyncWork_ReportingExternalCpu_CountsInTheReportOnce(string engine)
    {
        var report = await Runner.ForEachAsync(Enumerable.Range(0, Items), _ => ExternalCpuTime.Add(PerItem), Options(engine));

        AssertCounted(report, PerItem * Items);
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task AsyncWork_ReportingAfterAnAwait_CountsInTheReportOnce(string engine)
    {
        // The batch ends on another thread than it began (its thread's CPU time cannot be read): what it reported still
        // counts, as it does for a command awaited on the thread pool.
        var report = await Runner.ForEachAsync(Enumerable.Range(0, Items), async (_, _) =>
        {
            await Task.Yield();
            ExternalCpuTime.Add(PerItem, TimeSpan.FromMilliseconds(1));
        }, Options(engine));

        AssertCounted(report, PerItem * Items);
        Assert.Equal(TimeSpan.FromMilliseconds(Items), report.Workers.Aggregate(TimeSpan.Zero, (sum, w) => sum + (w.Timing?.ExternalRunQueue ?? TimeSpan.Zero)));
    }

    [Fact]
    public async Task NestedRun_CountsItsItemsCpu_InBothRuns()
    {
        // Each outer item runs an inner run whose four items report 10 ms each: the inner run counts 40 ms, and the outer
        // item caused them, so the outer run counts the 160 ms of its four items once too.
        var inner = new List<RunReport>();
        var gate = new Lock();
        var outer = await Runner.ForEachAsync(Enumerable.Range(0, 4), _ =>
        {
            var report = Runner.ForEachAsync(Enumerable.Range(0, 4), _ => ExternalCpuTime.Add(TimeSpan.FromMilliseconds(10)), Options("threadpool", 2)).GetAwaiter().GetResult();
            lock (gate)
            {
                inner.Add(report);
            }
        }, Options("threads", 2));

        Assert.All(inner, r => Assert.Equal(TimeSpan.FromMilliseconds(40), External(r)));
        Assert.Equal(TimeSpan.FromMilliseconds(160), External(outer));
    }

    [Fact]
    public async Task CommandsComputingOnMoreWorkersThanCores_AreToldToUseTheCoreCount()
    {
        // Each item stands for a command that computed an eighth of its time and waited for a core the rest (what
        // ExternalCpuTime.Add(cpu, runQueueWait) hears from wait4 and schedstat), on four times as many threads as cores.
        // Failed before the fix: the threads only slept, so the run read as waiting on threads (no loss inside batches),
        // and the advice, if any, was not the core count.
        var cores = Environment.ProcessorCount;
        var width = 4 * cores;
        var report = await Runner.ForEachAsync(Enumerable.Range(0, 4 * width), _ =>
        {
            var clock = Stopwatch.StartNew();
            Thread.Sleep(40);
            var took = clock.Elapsed;
            ExternalCpuTime.Add(took / 8, took * 7 / 8);
        }, Options("threads", width));

        // Dedicated threads start one at a time, slowly on a loaded machine: the wait for a core need not lead, but it is
        // one of the two causes advised on (seven eighths of every batch), and it names the workers, not the machine.
        var losses = report.Losses;
        var why = report.Explain();
        var waiting = losses.Causes.Single(c => c.Cause == LossCause.WaitingForCore);
        Assert.True(waiting.Share >= 0.2, why);
        Assert.Contains("outnumber", waiting.Description, StringComparison.Ordinal);
        Assert.True(losses.Advice.Any(a => a.Contains($"use at most {cores}", StringComparison.Ordinal)), why);
    }
}
