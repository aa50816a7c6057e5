using Brigade.Auto;
using Brigade.Reporting;

namespace Brigade.Tests.TinyFinish;

/// <summary>
/// The report's plan line of an auto run, now formatted when first read (<see cref="AutoRunPlans"/>), against the text
/// <see cref="AutoRun{TIn, TOut}"/> formatted at the run's end before (issue 16, <c>tiny</c>): the same literal text, and the
/// same as composing it the old way (the last plan's explanation, the width moved, a pool thread's help, the forecast note).
/// Synthetic measurements: no clock, no threads.
/// </summary>
public sealed class PlanLineGoldenTests
{
    private static readonly AutoEngineOptions Defaults = new();

    private static PlanContext Context(long items, int cores = 2) => new() { Cores = cores, Options = Defaults, ItemCount = items };

    private static TimeSpan Us(double us) => TimeSpan.FromTicks((long)(us * 10));

    private static ActivePlan Pool(LoopKind kind, int width, bool probing = false) => new(kind, width, 16, TimeSpan.FromMilliseconds(1), 3, probing);

    // The line as AutoRun.Finish composed it before the line was made when read.
    private static string OldLine(IReadOnlyList<AutoPlan> plans, PlanDecision decision, ActivePlan plan, long helperItems, long items)
    {
        var line = plans[^1].Explanation;
        if (decision.Class == WorkloadClass.AsyncIo && plan.Width != decision.Width)
        {
            line += $"; limit adapted {decision.Width} → {plan.Width}";
        }
        else if (decision.Kind == LoopKind.Thread && plan.Width != decision.Width && plan.Kind == LoopKind.Thread)
        {
            line += $"; width adapted {decision.Width} → {plan.Width}";
        }

        if (helperItems > 0)
        {
            line += $"; a pool thread joined ({AutoFormat.Count(helperItems)} items)";
        }

        return line + SpeedupForecast.PlanNote(plans, items);
    }

    [Theory]
    [InlineData(0, "Sequential — not worth parallelizing: the whole job takes 200 µs (500 items × 400 ns); forecast speedup 0.91 (limited by start-up)")]
    [InlineData(125, "Sequential — not worth parallelizing: the whole job takes 200 µs (500 items × 400 ns); a pool thread joined (125 items); forecast speedup 0.91 (limited by start-up)")]
    public void TinyJobDecidedWhenRead_ReadsAsTheLineMadeAtTheEnd(long helperItems, string golden)
    {
        var sample = WorkSample.FromPerItem(500, Us(0.4), Us(0.4));
        var context = Context(500);
        var at = TimeSpan.FromMicroseconds(190);

        Assert.True(AutoRunPlans.CanDecideLater(sample, context, 500, 500, out var planned));
        Assert.True(planned);
        var later = AutoRunPlans.Later(sample, context, at, 500, 500, Pool(LoopKind.Task, 1, probing: true), helperItems);

        var decision = AutoPlanner.Decide(sample, context)!;
        var plan = decision.ToPlan(0, 500, fromCache: false, at);
        Assert.Equal(golden, OldLine([plan], decision, Pool(LoopKind.Task, 1, probing: true), helperItems, 500));
        Assert.False(later.IsBuilt);
        Assert.Equal(golden, later.Line);
        Assert.True(later.IsBuilt);

        var made = Assert.Single(later);
        Assert.Equal(WorkloadClass.Tiny, made.Class);
        Assert.Equal((plan.Engine, plan.DegreeOfParallelism, plan.BatchSize, plan.Explanation, plan.CpuRatio, plan.TimePerItem, plan.CpuTimePerItem),
            (made.Engine, made.DegreeOfParallelism, made.BatchSize, made.Explanation, made.CpuRatio, made.TimePerItem, made.CpuTimePerItem));
        Assert.Equal((plan.MeasuredItems, plan.AtItem, plan.DecidedAt, plan.FromCache, plan.Revision), (made.MeasuredItems, made.AtItem, made.DecidedAt, made.FromCache, made.Revision));
    }

    [Fact]
    public void NothingMeasured_DecidedWhenRead_SaysThereWasNothingToPlan()
    {
        Assert.True(AutoRunPlans.CanDecideLater(default, Context(0), 0, 0, out var planned));
        Assert.False(planned);

        var empty = AutoRunPlans.Later(default, Context(0), TimeSpan.Zero, 0, 0, Pool(LoopKind.Task, 1, probing: true), 0);
        var unfinished = AutoRunPlans.Later(default, Context(3), TimeSpan.Zero, 3, 3, Pool(LoopKind.Task, 1, probing: true), 0);

        Assert.Equal("nothing to plan: the input was empty", empty.Line);
        Assert.Empty(empty);
        Assert.Equal("nothing to plan: no item finished", unfinished.Line);
    }

    [Fact]
    public void WidthAdapted_FormattedWhenRead_ReadsAsTheLineMadeAtTheEnd()
    {
        // 40 items of 1 ms, 0.95 of it waiting: Little's law on threads, then the monitor moved the width.
        var sample = WorkSample.FromPerItem(40, Us(1_000), Us(50));
        var decision = AutoPlanner.Decide(sample, Context(40))!;
        Assert.Equal(LoopKind.Thread, decision.Kind);
        List<AutoPlan> plans = [decision.ToPlan(0, 4, fromCache: false, TimeSpan.FromMilliseconds(2))];
        var pool = Pool(LoopKind.Thread, decision.Width + 3);

        var decided = AutoRunPlans.Decided(plans, decision, 40, pool, 0);

        const string Golden = "Threads ×20, batch 1 — blocking I/O (cpu/wall 0.05), 1.0 ms per item; Little's law 2 × (1 + 950 µs / 50 µs) = 40, " +
            "thread starts limit it to √(items × time / start) = 20; width adapted 20 → 23; forecast speedup 11.09 (limited by width)";
        Assert.Equal(Golden, OldLine(plans, decision, pool, 0, 40));
        Assert.False(decided.IsBuilt);
        Assert.Equal(Golden, decided.Line);
        Assert.Same(plans[0], Assert.Single(decided));
    }

    [Fact]
    public void LimitAdapted_FormattedWhenRead_ReadsAsTheLineMadeAtTheEnd()
    {
        var sample = WorkSample.InFlightPerItem(64, Us(1_000), Us(20));
        var decision = AutoPlanner.Decide(sample, Context(100))!;
        Assert.Equal(WorkloadClass.AsyncIo, decision.Class);
        List<AutoPlan> plans = [decision.ToPlan(0, 64, fromCache: false, TimeSpan.FromMilliseconds(3))];
        var pool = Pool(LoopKind.Task, decision.Width - 1);

        var decided = AutoRunPlans.Decided(plans, decision, 100, pool, 0);

        const string Golden = "Async (adaptive limit) ×100, batch 1 — async I/O (1.0 ms in flight, 20 µs CPU per item); Little's law 2 × 2 × 1.0 ms / 20 µs = 200, " +
            "100 items left; limit adapted 100 → 99; forecast speedup 49.33 (limited by start-up)";
        Assert.Equal(Golden, OldLine(plans, decision, pool, 0, 100));
        Assert.Equal(Golden, decided.Line);
    }

    [Fact]
    public void ItemsOfThreadsOrALongJob_AreDecidedAtOnce()
    {
        // Threads start one after another (the forecast's start-up grows with the width), and a job forecast past the
        // wake-up grace reads the machine's load: such decisions, and their forecasts, are made at the run's end.
        Assert.False(AutoRunPlans.CanDecideLater(WorkSample.FromPerItem(40, Us(1_000), Us(50)), Context(40), 40, 40, out _));
        Assert.False(AutoRunPlans.CanDecideLater(WorkSample.FromPerItem(500, Us(10), Us(10)), Context(500), 500, 500, out _));
        // A run stopped before every item was taken leaves items to forecast.
        Assert.False(AutoRunPlans.CanDecideLater(WorkSample.FromPerItem(400, Us(0.4), Us(0.4)), Context(500), 400, 500, out _));
    }

    [Fact]
    public void ReadFromManyThreadsAtOnce_TheLineAndThePlansAreMadeOnce()
    {
        var sample = WorkSample.FromPerItem(500, Us(0.4), Us(0.4));
        var later = AutoRunPlans.Later(sample, Context(500), TimeSpan.FromMicroseconds(190), 500, 500, Pool(LoopKind.Task, 1, probing: true), 0);
        using var start = new Barrier(4);
        var seen = new (string Line, AutoPlan Plan)[4];

        var threads = Enumerable.Range(0, 4).Select(i => new Thread(() =>
        {
            start.SignalAndWait();
            seen[i] = i % 2 == 0 ? (later.Line, later[0]) : (later[0] is var p ? (later.Line, p) : default);
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());

        Assert.All(seen, s => Assert.Same(seen[0].Line, s.Line));
        Assert.All(seen, s => Assert.Same(seen[0].Plan, s.Plan));
    }
}
