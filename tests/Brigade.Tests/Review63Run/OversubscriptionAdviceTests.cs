using Brigade.Auto;
using Brigade.Internal;
using Brigade.Reporting;

namespace Brigade.Tests.Review63Run;

/// <summary>
/// run63: "why not faster" said "64 workers for 2 cores on CPU-bound items ... use at most 2 (brigade run --jobs 2)" of a
/// run whose 64-wide part, after auto mode re-planned, was I/O-bound: the CPU-bound part had run at the core count, and
/// the whole run's CPU time against its running time decided "CPU-bound". Oversubscription is a cause of the time when
/// more lanes than cores ran at once, and only when those lanes computed.
/// </summary>
public sealed class OversubscriptionAdviceTests
{
    private static readonly int Cores = Environment.ProcessorCount;

    private static readonly int Wide = 32 * Cores;

    [Fact]
    public void AWidePartThatWaited_AfterACpuBoundPartAtTheCoreCount_IsNotOversubscription()
    {
        // One lane per core computes for 9.9 s on a busy machine (3.5 s each waiting for a core: other processes), then a
        // re-plan at 9.85 s opens the rest of the width for a last burst of sleeping items. Before: the run's CPU time (the
        // computing lanes') against its running time read "CPU-bound", and the wait for a core was blamed on the width.
        var workers = new List<WorkerReport>();
        for (var i = 0; i < Cores; i++)
        {
            workers.Add(Worker(i, 0.1, 9.9, 10.0, busy: 9.9, cpu: 6.0, runQueue: 3.5));
        }

        for (var i = Cores; i < Wide; i++)
        {
            workers.Add(Worker(i, 9.85, 9.85, 10.0, busy: 0.15, cpu: 0.001, runQueue: 0));
        }

        var report = Report("auto", Wide, workers, Plan(0, "threadpool", WorkloadClass.CpuBound, Cores, 0.1), Plan(1, "async", WorkloadClass.AsyncIo, Wide, 9.85));
        var losses = LossBreakdown.Compute(report, new LossProbe(0, 0, 0), callerKeepsEngine: false);
        var waiting = Assert.Single(losses.Causes, static c => c.Cause == LossCause.WaitingForCore);

        Assert.DoesNotContain("outnumber", waiting.Description, StringComparison.Ordinal);
        Assert.DoesNotContain("--jobs", waiting.Advice, StringComparison.Ordinal);
        Assert.Contains("the machine is busy", waiting.Advice, StringComparison.Ordinal);
        Assert.DoesNotContain("--jobs", losses.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void MoreLanesThanCores_ThatComputed_AreStillOversubscription()
    {
        // The width throughout, every lane computing whenever it holds a core: the cores were shared out among the lanes.
        var workers = new List<WorkerReport>();
        for (var i = 0; i < Wide; i++)
        {
            workers.Add(Worker(i, 0.0, 9.9, 10.0, busy: 10.0, cpu: 9.6 * Cores / Wide, runQueue: 10.0 - (9.6 * Cores / Wide) - 0.05));
        }

        var report = Report("threads", Wide, workers);
        var losses = LossBreakdown.Compute(report, new LossProbe(0, 0, 0), callerKeepsEngine: false);
        var waiting = Assert.Single(losses.Causes, static c => c.Cause == LossCause.WaitingForCore);

        Assert.Contains("outnumber", waiting.Description, StringComparison.Ordinal);
        Assert.Contains($"use at most {Cores}", waiting.Advice, StringComparison.Ordinal);
        Assert.Contains($"--jobs {Cores}", losses.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void ANarrowingFromAComputingWidePart_IsOversubscriptionWhereItWasWide()
    {
        // The reverse: the wide part computed (the work turned CPU-bound under a plan made for waiting items) until a
        // re-plan narrowed it to the cores. The wide part's wait for a core is the run's own doing.
        var workers = new List<WorkerReport>();
        for (var i = 0; i < Wide; i++)
        {
            var keeps = i < Cores;
            workers.Add(Worker(i, 0.0, keeps ? 9.9 : 4.9, keeps ? 10.0 : 5.0, busy: keeps ? 10.0 : 5.0,
                cpu: (4.8 * Cores / Wide) + (keeps ? 4.9 : 0), runQueue: 5.0 - (4.8 * Cores / Wide) - 0.05));
        }

        var report = Report("auto", Cores, workers, Plan(0, "async", WorkloadClass.AsyncIo, Wide, 0.0), Plan(1, "threadpool", WorkloadClass.CpuBound, Cores, 5.0));
        var losses = LossBreakdown.Compute(report, new LossProbe(0, 0, 0), callerKeepsEngine: false);
        var waiting = Assert.Single(losses.Causes, static c => c.Cause == LossCause.WaitingForCore);

        Assert.Contains("outnumber", waiting.Description, StringComparison.Ordinal);
        Assert.Contains($"use at most {Cores}", waiting.Advice, StringComparison.Ordinal);
    }

    private static RunReport Report(string engine, int width, List<WorkerReport> workers, params AutoPlan[] plans) => new()
    {
        Engine = engine,
        DegreeOfParallelism = width,
        Items = 10_000,
        Succeeded = 10_000,
        WallTime = TimeSpan.FromSeconds(10),
        Workers = workers,
        WorkerCpuTime = TimeSpan.FromTicks(workers.Sum(static w => w.CpuTime!.Value.Ticks)),
        ProcessCpuTime = TimeSpan.FromTicks(workers.Sum(static w => w.CpuTime!.Value.Ticks)),
        Counters = new LossProbe(0, 0, 0),
        Plans = plans,
    };

    private static WorkerReport Worker(int id, double first, double lastStart, double lastEnd, double busy, double cpu, double runQueue) =>
        new(id, $"thread {id}", null, 10, 100, 0, TimeSpan.FromSeconds(busy), TimeSpan.FromSeconds(cpu))
        {
            Timing = new WorkerTiming(TimeSpan.FromSeconds(first), TimeSpan.FromSeconds(lastStart), TimeSpan.FromSeconds(lastEnd), id * 100, 1,
                TimeSpan.FromSeconds(runQueue), TimeSpan.Zero),
        };

    private static AutoPlan Plan(int revision, string engine, WorkloadClass kind, int width, double at) => new()
    {
        Class = kind,
        Engine = engine,
        Explanation = $"{engine} ×{width}",
        DegreeOfParallelism = width,
        BatchSize = 1,
        Revision = revision,
        DecidedAt = TimeSpan.FromSeconds(at),
    };
}
