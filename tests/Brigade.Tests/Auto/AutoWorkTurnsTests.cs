using Brigade.Auto;
using Brigade.Tests.Infrastructure;

namespace Brigade.Tests.Auto;

/// <summary>
/// Work that turns from computing to waiting mid-run (changes-halfway: 2,000 × 150 µs of arithmetic, then 2,000 × a 5 ms
/// sleep). The CPU plan's check of running batches must see batches that started after the controller's last look (workers
/// tick at their batches' ends, so with two workers each tick came right before the other's batch started, and the check saw
/// none: the windows re-planned 30–170 ms later); and the wide thread plan that follows must reach its width while every
/// thread it started is held in an item (its threads are started by the launcher, not by workers before their items).
/// The checks stand in for the ticks the scenario has (one before each batch starts): they look at batches from the run's
/// start, and count the process's lock contentions from the previous check, as each tick's would (see TurnEngine).
/// </summary>
[Collection(AutoCollection.Name)]
public sealed class AutoWorkTurnsTests
{
    [Fact]
    public async Task CpuPlan_WhoseItemsWaitInBatchesStartedAfterTheLastLook_ReplansFromTheRunningBatches()
    {
        var engine = new TurnEngine(TurnEngine.Scenario.Stall);

        await Runner.MapAsync(Enumerable.Range(0, 8).ToArray(), engine.Enter, new RunOptions { Engine = engine }).Bounded();

        AssertReplannedFromRunningBatches(engine);
    }

    [Fact]
    public async Task CpuPlan_WhoseItemsWaitInBatchesStartedAfterTheLastLook_ReplansAfterAStrayLockContention()
    {
        // One contention elsewhere in the process after the items started (a thread of the test's own; the items take no
        // lock) holds one check: the next two, with no contention since the check before, re-plan. Counted from the run's
        // start, as the checks once did (no tick moved the count on), it held every check (CI, ci71: 10 checks, no re-plan;
        // in one test host, back-to-back runs under two CPU burners, 14 of 180 met one between threads not the workers).
        var engine = new TurnEngine(TurnEngine.Scenario.StrayContention);

        await Runner.MapAsync(Enumerable.Range(0, 8).ToArray(), engine.Enter, new RunOptions { Engine = engine }).Bounded();

        Assert.True(engine.StrayContentions >= 1, $"{engine.StrayContentions} contentions");
        AssertReplannedFromRunningBatches(engine);
    }

    [Fact]
    public async Task WideThreadPlan_ReachesItsWidth_WhileEveryThreadIsHeldInAnItem()
    {
        // 64 threads: past the first wave the controller starts itself (AutoTuning.EagerThreads); the workers, each held in
        // its first item, start none: the launcher starts the rest.
        const int Width = 64;
        Assert.True(Width > AutoTuning.EagerThreads);
        var engine = new TurnEngine(TurnEngine.Scenario.Wide, Width);

        await Runner.MapAsync(Enumerable.Range(0, Width).ToArray(), engine.Enter, new RunOptions { Engine = engine }).Bounded();

        Assert.Equal(Width, engine.PlannedWidth);
        Assert.Equal(Width, engine.EnteredWhileHeld);
        Assert.Equal(Width, engine.ThreadWorkers);
        Assert.Equal(0, AutoThreads.Live);
    }

    private static void AssertReplannedFromRunningBatches(TurnEngine engine)
    {
        Assert.True(engine.Entered >= 2, $"{engine.Entered} items entered");
        if (OperatingSystem.IsLinux())
        {
            // Per-thread CPU clocks tell a blocked thread from a computing one (elsewhere the process's CPU stands in).
            Assert.True(engine.Classes is [WorkloadClass.CpuBound, WorkloadClass.Blocking], $"plans {string.Join(", ", engine.Classes)} after {engine.Checks} checks");
            Assert.True(engine.ReplannedFromRunningBatches);
        }
    }

    // Drives an auto run's controller by hand: applies a first plan, waits until items are held in their batches, then
    // either steps a monitor (Stall, StrayContention) or waits for the plan's width (Wide); items are released at the end.
    private sealed class TurnEngine(TurnEngine.Scenario scenario, int width = 0) : HeldItemsEngine("turns")
    {
        private int _entered;

        public enum Scenario
        {
            Stall,
            StrayContention,
            Wide,
        }

        public int Entered => Volatile.Read(ref _entered);

        public IReadOnlyList<WorkloadClass> Classes { get; private set; } = [];

        public bool ReplannedFromRunningBatches { get; private set; }

        public int Checks { get; private set; }

        public long StrayContentions { get; private set; }

        public int PlannedWidth { get; private set; }

        public int ThreadWorkers { get; private set; }

        public int EnteredWhileHeld { get; private set; }

        public int Enter(int i)
        {
            Interlocked.Increment(ref _entered);
            return Hold(i);
        }

        protected internal override async Task ExecuteAsync<TIn, TOut>(EngineJob<TIn, TOut> job)
        {
            var options = new AutoEngineOptions { UsePlanCache = false };
            var time = options.TimeProvider;
            var inspector = new BatchInspector(time, asyncWork: false, reportsExternalCpu: false);
            var controller = new AutoController<TIn, TOut>(job, options, inspector, cores: 2);
            var monitor = new AutoMonitor<TIn, TOut>(controller, controller.Pool, inspector, job, options);
            try
            {
                controller.Start();
                if (scenario != Scenario.Wide)
                {
                    // A CPU plan of two pool workers, batches of one item; both items then wait, in batches that started after
                    // the controller's last look (its start): no tick runs meanwhile, as when each tick came from the other worker.
                    var cpu = AutoPlanner.Decide(WorkSample.FromPerItem(8, TimeSpan.FromMicroseconds(900), TimeSpan.FromMicroseconds(890)), controller.Context())!;
                    Assert.Equal(WorkloadClass.CpuBound, cpu.Class);
                    controller.Apply(cpu, revision: 0);
                    monitor.Restart(controller.Pool.Totals(), time.GetTimestamp());
                    Assert.True(SpinWait.SpinUntil(() => Entered >= 2, TimeSpan.FromSeconds(30)), "the items did not start");

                    // Each tick a check stands for would have left it the process's lock contentions at the tick before
                    // (TickCore: LastTickContentions). Here none runs, so the controller's count stays at the run's start:
                    // each check is given the run's totals with the contentions counted from the check before (the first from
                    // now, when the items have started) instead. The look's time stays at the run's start.
                    var looked = controller.Pool.Totals().LockContentions;
                    if (scenario == Scenario.StrayContention)
                    {
                        StrayContentions = StrayContention.Once();
                    }

                    // Checks until the plan changes (two stalled checks in a row), each after the batches have overrun their
                    // target (twice 1 ms) by far: a contention or a collection since the check before holds a check (a batch
                    // that overlapped a collection is not read). The bound is for batches the check cannot see: never seen,
                    // however many checks.
                    var deadline = time.GetTimestamp() + (long)(2 * time.TimestampFrequency);
                    while (controller.Plans.Count == 1 && time.GetTimestamp() < deadline)
                    {
                        Thread.Sleep(20);
                        var total = controller.Pool.Totals();
                        monitor.Step(time.GetTimestamp(), total with { LockContentions = total.LockContentions - looked });
                        looked = total.LockContentions;
                        Checks++;
                    }

                    Classes = [.. controller.Plans.Select(p => p.Class)];
                    ReplannedFromRunningBatches = controller.DecidedFromRunningAfter >= 0;
                    return;
                }

                // A plan for waits as wide as the items, from a sample of 100 ms sleeps (Little's law and the threads' starts: far
                // wider; the items cap it).
                var blocking = AutoPlanner.Decide(WorkSample.FromPerItem(8, TimeSpan.FromMilliseconds(100), TimeSpan.FromMicroseconds(30)), controller.Context())!;
                Assert.Equal(LoopKind.Thread, blocking.Kind);
                controller.Apply(blocking, revision: 0);
                PlannedWidth = controller.Pool.Plan.Width;
                SpinWait.SpinUntil(() => Entered >= width, TimeSpan.FromSeconds(20));
                EnteredWhileHeld = Entered;
                ThreadWorkers = controller.Pool.Workers().Count(w => w.Kind == LoopKind.Thread);
            }
            finally
            {
                Release();
                await controller.Pool.AllExited;
                controller.Stop();
            }
        }
    }
}
