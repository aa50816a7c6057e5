using Brigade.Internal;
using Brigade.Reporting;

namespace Brigade.Tests.Review40;

/// <summary>
/// "Why not faster" advice on made-up reports (review 40): a run with more CPU-bound workers than cores was told the
/// machine was busy and to run when it is quieter; a run in which no item ran was given advice for work it never did.
/// </summary>
public sealed class WhyNotFasterAdviceTests
{
    private static TimeSpan Ms(double ms) => TimeSpan.FromMilliseconds(ms);

    // Width workers busy the whole 100 ms run of CPU-bound items, each on the CPU for onCpu ms of it and in the run queue
    // the rest.
    private static RunReport Run(int width, double onCpu)
    {
        var workers = Enumerable.Range(0, width).Select(id => new WorkerReport(id, $"thread {id}", null, 10, 10, 0, Ms(100), null)
        {
            Timing = new WorkerTiming(TimeSpan.Zero, Ms(90), Ms(100), (id * 10) + 9, 1, Ms(100 - onCpu), TimeSpan.Zero),
        }).ToArray();
        return new RunReport
        {
            Engine = "threads",
            DegreeOfParallelism = width,
            Items = width * 10L,
            Succeeded = width * 10L,
            WallTime = Ms(100),
            BusyTime = Ms(100 * width),
            Batches = width * 10L,
            WorkerCpuTime = Ms(onCpu * width),
            ProcessCpuTime = Ms(onCpu * width),
            Workers = workers,
            Counters = new LossProbe(0, 0, 0),
        };
    }

    [Fact]
    public void CpuBoundRun_OnMoreWorkersThanCores_IsToldToUseTheCoreCount()
    {
        // Failed before the fix: "waiting for a core cost 100% of the gap: the machine is busy: more workers will not
        // help; run when it is quieter or on more cores", while the run's own workers were what kept the cores busy.
        var cores = Environment.ProcessorCount;
        // Eight times as many workers as cores, as Engine.Threads with MaxDegreeOfParallelism = 8 × cores runs them: each
        // is on the CPU an eighth of the run.
        var losses = Run(8 * cores, onCpu: 100.0 / 8).Losses;

        Assert.Equal(LossCause.WaitingForCore, losses.Causes[0].Cause);
        var advice = Assert.Single(losses.Advice);
        Assert.Contains($"use at most {cores}", advice, StringComparison.Ordinal);
        Assert.DoesNotContain("the machine is busy", advice, StringComparison.Ordinal);
        Assert.Contains("outnumber", losses.Causes[0].Description, StringComparison.Ordinal);
    }

    [Fact]
    public void RunAsWideAsTheCores_WaitingForACore_StillBlamesTheMachine()
    {
        // As many workers as cores, each on the CPU 40% of the run: the cores were held by something else.
        var losses = Run(Environment.ProcessorCount, onCpu: 40).Losses;
        var advice = losses.Advice.Single(a => a.StartsWith("waiting for a core", StringComparison.Ordinal));

        Assert.Contains("the machine is busy", advice, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EmptyInput_GetsNoAdvice()
    {
        // Failed before the fix: "0% of the ideal; lost to imbalance 100%: ... give the run more, smaller items, or use
        // fewer workers" for a run that had nothing to do.
        var report = await Runner.ForEachAsync(Array.Empty<int>(), _ => { }, new RunOptions { Engine = Engine.ThreadPool, MaxDegreeOfParallelism = 2 });

        Assert.Equal(0, report.Items);
        Assert.Empty(report.Losses.Advice);
        Assert.DoesNotContain("smaller items", report.Losses.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void RunCancelledBeforeItsFirstItem_GetsNoAdvice()
    {
        // Failed before the fix: "start-up cost 100% of the gap: workers started late: check for a slow input" for a
        // run cancelled before any item started (its report, from RunCanceledException, as a caller reads it).
        var report = new RunReport
        {
            Engine = "threadpool",
            DegreeOfParallelism = 2,
            Items = 100,
            NotRun = 100,
            Cancelled = true,
            WallTime = Ms(250),
            Workers = [new WorkerReport(0, "w0", null, 0, 0, 0, TimeSpan.Zero, null), new WorkerReport(1, "w1", null, 0, 0, 0, TimeSpan.Zero, null)],
            Counters = new LossProbe(0, 0, 0),
        };

        Assert.Empty(report.Losses.Advice);
        Assert.Equal(TimeSpan.Zero, report.Losses.Useful);
    }
}
