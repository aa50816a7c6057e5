using System.Text.RegularExpressions;
using Brigade.Internal;
using Brigade.Reporting;

namespace Brigade.Tests.Review70Losses;

/// <summary>
/// Review 70 (fresh70 finding 1): 40 GETs to a local server that answers one request at a time (200 ms each), Engine.Async
/// width 4, read "speedup 3.79 ... efficiency 95%", losses only imbalance and start-up; sequential took as long (real speedup
/// 1.09). Items that share something outside the process that serves them one at a time wait in its queue: their latency
/// grows with how many run at once, and the run's throughput stays one worker's. The losses name it from the timeline.
/// Made-up timelines (simulated, no timing), and one coarse run with a real one-at-a-time resource.
/// </summary>
public sealed partial class SharedResourceLossTests
{
    // Long ago: the process's plain-lock timing (if another test started it) was not on then, so the window is untimed.
    private static readonly DateTimeOffset LongAgo = new(2001, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void ItemsQueuedAtAOneAtATimeServer_AreTheirOwnCause_AndTheSpeedupIsAboutOne()
    {
        var report = Run("async", width: 4, Enumerable.Repeat(200.0, 40).ToArray(), capacity: 1);

        var losses = LossBreakdown.Compute(report, report.Counters, callerKeepsEngine: true);
        var all = Causes(losses);

        var shared = Assert.Single(losses.Causes, c => c.Cause == LossCause.SharedResource);
        Assert.Contains("one at a time", shared.Description, StringComparison.Ordinal);
        Assert.Contains("in flight", shared.Description, StringComparison.Ordinal);
        Assert.InRange(losses.Speedup, 0.8, 1.3);
        Assert.True(losses.Efficiency < 0.4, all);
        Assert.Contains(losses.Advice, a => a.Contains("fewer workers", StringComparison.Ordinal));
        Assert.DoesNotContain(losses.Advice, a => a.Contains("split large items", StringComparison.Ordinal));
        Assert.True(losses.Causes.Sum(static c => c.Time.Ticks) == losses.Gap.Ticks, all);
    }

    [Fact]
    public void ItemsQueuedAtAOneAtATimeServer_Width16_NoStragglerAdvice()
    {
        var report = Run("async", width: 16, Enumerable.Repeat(200.0, 40).ToArray(), capacity: 1);

        var losses = LossBreakdown.Compute(report, report.Counters, callerKeepsEngine: true);

        Assert.Contains(losses.Causes, c => c.Cause == LossCause.SharedResource);
        Assert.True(losses.Speedup < 1.5, Causes(losses));
        Assert.DoesNotContain(losses.Advice, a => a.Contains("split large items", StringComparison.Ordinal));
    }

    [Fact]
    public void AServerThatServesTwoAtATime_SaysAboutTwo()
    {
        var report = Run("async", width: 8, Enumerable.Repeat(200.0, 80).ToArray(), capacity: 2);

        var losses = LossBreakdown.Compute(report, report.Counters, callerKeepsEngine: true);

        var shared = Assert.Single(losses.Causes, c => c.Cause == LossCause.SharedResource);
        Assert.Contains("about 2 at a time", shared.Description, StringComparison.Ordinal);
        Assert.InRange(losses.Speedup, 1.5, 2.6);
    }

    [Fact]
    public void HeadlineAndLosses_GiveOneSpeedup_OverTheSameThing()
    {
        var report = Run("async", width: 4, Enumerable.Repeat(200.0, 40).ToArray(), capacity: 1);

        var explain = report.Explain();
        var overs = SpeedupOver().Matches(explain).Select(static m => (m.Groups[1].Value, m.Groups[2].Value)).ToArray();

        Assert.Equal(2, overs.Length);
        Assert.Equal(overs[0], overs[1]);
        Assert.DoesNotContain("speedup 3.", explain, StringComparison.Ordinal);
    }

    [Fact]
    public void IndependentIdenticalItems_AreNotQueued()
    {
        var report = Run("async", width: 4, Enumerable.Repeat(800.0, 40).ToArray(), capacity: null);

        var losses = LossBreakdown.Compute(report, report.Counters, callerKeepsEngine: true);

        Assert.DoesNotContain(losses.Causes, c => c.Cause == LossCause.SharedResource);
        Assert.True(losses.Speedup > 3.5, Causes(losses));
    }

    [Fact]
    public void IndependentItemsOfManySizes_AreNotQueued()
    {
        var random = new Random(70);
        foreach (var seed in Enumerable.Range(0, 20))
        {
            var sizes = Enumerable.Range(0, 60).Select(_ => 10 + (random.NextDouble() * 400)).ToArray();
            var report = Run("async", width: 4, sizes, capacity: null);

            var losses = LossBreakdown.Compute(report, report.Counters, callerKeepsEngine: true);

            Assert.DoesNotContain(losses.Causes, c => c.Cause == LossCause.SharedResource);
        }
    }

    [Fact]
    public void SlowFirstItems_StartUp_AreNotQueued()
    {
        // Each worker's first item pays a connection's set-up (600 ms), the rest take 200 ms, independently.
        var sizes = Enumerable.Range(0, 40).Select(static i => i < 4 ? 800.0 : 200.0).ToArray();
        var report = Run("async", width: 4, sizes, capacity: null);

        var losses = LossBreakdown.Compute(report, report.Counters, callerKeepsEngine: true);

        Assert.DoesNotContain(losses.Causes, c => c.Cause == LossCause.SharedResource);
    }

    [Fact]
    public void OneGenuinelySlowItem_IsNotQueued()
    {
        var sizes = Enumerable.Range(0, 40).Select(static i => i == 7 ? 5_000.0 : 200.0).ToArray();
        var report = Run("async", width: 4, sizes, capacity: null);

        var losses = LossBreakdown.Compute(report, report.Counters, callerKeepsEngine: true);

        Assert.DoesNotContain(losses.Causes, c => c.Cause == LossCause.SharedResource);
    }

    [Fact]
    public void CpuBoundItemsOnOneFreeCore_AreWaitingForACore_NotAQueue()
    {
        // Four threads share the one core left free: each item takes 200 ms of CPU, and waits for the core the rest.
        var report = Run("threadpool", width: 4, Enumerable.Repeat(200.0, 40).ToArray(), capacity: 1, cpuBound: true, runQueueMeasured: true);

        var losses = LossBreakdown.Compute(report, report.Counters, callerKeepsEngine: true);

        Assert.DoesNotContain(losses.Causes, c => c.Cause == LossCause.SharedResource);
        Assert.Contains(losses.Causes, c => c.Cause == LossCause.WaitingForCore);
    }

    [Fact]
    public void CpuBoundItemsOnOneFreeCore_RunQueueNotMeasured_AreNotAQueue()
    {
        var report = Run("threadpool", width: 4, Enumerable.Repeat(200.0, 40).ToArray(), capacity: 1, cpuBound: true, runQueueMeasured: false);

        var losses = LossBreakdown.Compute(report, report.Counters, callerKeepsEngine: true);

        Assert.DoesNotContain(losses.Causes, c => c.Cause == LossCause.SharedResource);
    }

    [Fact]
    public void TimelineOff_NamesNoQueue()
    {
        var report = Run("async", width: 4, Enumerable.Repeat(200.0, 40).ToArray(), capacity: 1);
        report = new RunReport
        {
            Engine = report.Engine, DegreeOfParallelism = report.DegreeOfParallelism, Items = report.Items, Succeeded = report.Succeeded,
            Batches = report.Batches, StartedAt = report.StartedAt, WallTime = report.WallTime, BusyTime = report.BusyTime,
            ProcessCpuTime = report.ProcessCpuTime, WorkerCpuTime = report.WorkerCpuTime, Workers = report.Workers, Counters = report.Counters,
        };

        var losses = LossBreakdown.Compute(report, report.Counters, callerKeepsEngine: true);

        Assert.DoesNotContain(losses.Causes, c => c.Cause == LossCause.SharedResource);
    }

    [Fact]
    public void RecordedTimeline_FortyGetsToAOneAtATimeServer_Width4()
    {
        // fresh70's repro (async ×4, 200 ms per request, one at a time), its timeline as recorded: no item was served alone
        // (the fastest took 602 ms, start-up included), the ends 200 ms apart. Before: "speedup 3.79, efficiency 95%".
        var report = Recorded(Fresh70, wallMs: 8_735, processCpuMs: 1_057);

        var losses = LossBreakdown.Compute(report, report.Counters, callerKeepsEngine: true);
        var all = Causes(losses);

        var shared = Assert.Single(losses.Causes, c => c.Cause == LossCause.SharedResource);
        Assert.Contains("one at a time", shared.Description, StringComparison.Ordinal);
        Assert.InRange(losses.Speedup, 0.7, 1.5);
        Assert.Contains(losses.Advice, a => a.Contains("fewer workers", StringComparison.Ordinal));
        Assert.DoesNotContain("speedup 3.", report.ToString(), StringComparison.Ordinal);
        Assert.True(losses.Causes.Sum(static c => c.Time.Ticks) == losses.Gap.Ticks, all);
    }

    [Fact]
    public void RecordedTimeline_IndependentItemsStartedApart_AreNotQueued()
    {
        // The same ends, but the workers' first items started 200 ms apart (an input that gave one every 200 ms): 800 ms
        // items side by side look the same later on; only a start together then ends apart is a queue's.
        var staggered = Fresh70.Select(static (e, i) => i < 4 ? (e.Worker, i * 200.0, 800.0) : e).ToArray();
        var report = Recorded(staggered, wallMs: 8_735, processCpuMs: 1_057);

        var losses = LossBreakdown.Compute(report, report.Counters, callerKeepsEngine: true);

        Assert.DoesNotContain(losses.Causes, c => c.Cause == LossCause.SharedResource);
    }

    private static readonly (int Worker, double Start, double Duration)[] Fresh70 =
    [
        (1, 119, 602),
        (0, 124, 768),
        (2, 213, 1085),
        (3, 213, 884),
        (1, 754, 748),
        (0, 892, 818),
        (3, 1097, 814),
        (2, 1298, 816),
        (1, 1502, 813),
        (0, 1710, 806),
        (3, 1911, 827),
        (2, 2113, 820),
        (1, 2315, 820),
        (0, 2516, 822),
        (3, 2738, 823),
        (2, 2934, 824),
        (1, 3135, 836),
        (0, 3338, 827),
        (3, 3561, 809),
        (2, 3758, 819),
        (1, 3972, 814),
        (0, 4165, 824),
        (3, 4370, 835),
        (2, 4576, 829),
        (1, 4786, 847),
        (0, 4989, 842),
        (3, 5205, 834),
        (2, 5406, 835),
        (1, 5633, 812),
        (0, 5831, 818),
        (3, 6039, 815),
        (2, 6241, 817),
        (1, 6445, 824),
        (0, 6649, 831),
        (3, 6854, 828),
        (2, 7058, 829),
        (1, 7269, 837),
        (0, 7480, 829),
        (3, 7682, 839),
        (2, 7887, 844)
    ];

    private static RunReport Recorded((int Worker, double Start, double Duration)[] batches, double wallMs, double processCpuMs)
    {
        var events = batches.Select(static (b, i) => new TimelineEvent(b.Worker, i, 1, 0, Ms(b.Start), Ms(b.Duration), null)).OrderBy(static e => e.Start).ToArray();
        var workers = events.GroupBy(static e => e.WorkerId).OrderBy(static g => g.Key).Select(static g =>
        {
            var last = g.MaxBy(static e => e.End);
            return new WorkerReport(g.Key, $"worker {g.Key}", null, g.Count(), g.Count(), 0, TimeSpan.FromTicks(g.Sum(static e => e.Duration.Ticks)), null)
            {
                Timing = new WorkerTiming(g.Min(static e => e.Start), last.Start, last.End, last.FirstIndex, 1, null, TimeSpan.Zero),
            };
        }).ToArray();
        return new RunReport
        {
            Engine = "async",
            DegreeOfParallelism = workers.Length,
            Items = events.Length,
            Succeeded = events.Length,
            Batches = events.Length,
            StartedAt = LongAgo,
            WallTime = Ms(wallMs),
            BusyTime = TimeSpan.FromTicks(events.Sum(static e => e.Duration.Ticks)),
            ProcessCpuTime = Ms(processCpuMs),
            Workers = workers,
            Timeline = events,
            Counters = new LossProbe(0, 0, 0),
        };
    }

    [GeneratedRegex(@"speedup (\d+\.\d\d) (over [^,(]+)")]
    private static partial Regex SpeedupOver();

    private static string Causes(RunLosses losses) =>
        string.Join(" | ", losses.Causes.Select(static c => $"{c.Cause} {c.Time.TotalSeconds:0.00} s: {c.Description}")) + " || " + string.Join(" | ", losses.Advice);

    // A simulated run: `width` lanes each take the next item when their last one ends. With a capacity, the items are
    // served by a resource that serves that many at once, first come first served (each takes its size there); without one,
    // each takes its size on its own. cpuBound: the item's time at the resource is CPU time (a core), the rest a wait for it.
    internal static RunReport Run(string engine, int width, double[] sizesMs, int? capacity, bool cpuBound = false, bool runQueueMeasured = false)
    {
        var events = new List<TimelineEvent>();
        var laneFree = new double[width];
        for (var l = 0; l < width; l++)
        {
            laneFree[l] = l * 0.05; // started a few µs apart
        }

        var serverFree = capacity is { } k ? new double[k] : [];
        var cpu = new double[width];
        var busy = new double[width];
        var runQueue = new double[width];
        var batches = new long[width];
        var first = Enumerable.Repeat(double.NaN, width).ToArray();
        var lastStart = new double[width];
        var lastIndex = new long[width];
        for (var i = 0; i < sizesMs.Length; i++)
        {
            var lane = Array.IndexOf(laneFree, laneFree.Min());
            var start = laneFree[lane];
            double end;
            if (capacity is not null)
            {
                var slot = Array.IndexOf(serverFree, serverFree.Min());
                end = Math.Max(start, serverFree[slot]) + sizesMs[i];
                serverFree[slot] = end;
            }
            else
            {
                end = start + sizesMs[i];
            }

            var duration = end - start;
            var itemCpu = cpuBound ? sizesMs[i] : 0.2;
            events.Add(new TimelineEvent(lane, i, 1, 0, Ms(start), Ms(duration), Ms(itemCpu)));
            laneFree[lane] = end + 0.01;
            cpu[lane] += itemCpu;
            busy[lane] += duration;
            runQueue[lane] += cpuBound ? duration - sizesMs[i] : 0;
            batches[lane]++;
            first[lane] = double.IsNaN(first[lane]) ? start : first[lane];
            lastStart[lane] = start;
            lastIndex[lane] = i;
        }

        var wall = laneFree.Max() + 1;
        var workers = Enumerable.Range(0, width).Where(l => batches[l] > 0).Select(l =>
            new WorkerReport(l, $"worker {l}", null, batches[l], batches[l], 0, Ms(busy[l]), Ms(cpu[l]))
            {
                Timing = new WorkerTiming(Ms(first[l]), Ms(lastStart[l]), Ms(laneFree[l] - 0.01), lastIndex[l], 1,
                    runQueueMeasured ? Ms(runQueue[l]) : null, TimeSpan.Zero),
            }).ToArray();
        return new RunReport
        {
            Engine = engine,
            DegreeOfParallelism = width,
            Items = sizesMs.Length,
            Succeeded = sizesMs.Length,
            Batches = sizesMs.Length,
            StartedAt = LongAgo,
            WallTime = Ms(wall),
            BusyTime = Ms(busy.Sum()),
            ProcessCpuTime = Ms(cpu.Sum() + 10),
            WorkerCpuTime = Ms(cpu.Sum()),
            Workers = workers,
            Timeline = events.OrderBy(static e => e.Start).ToArray(),
            Counters = new LossProbe(0, 0, 0),
        };
    }

    private static TimeSpan Ms(double ms) => TimeSpan.FromMilliseconds(ms);
}
