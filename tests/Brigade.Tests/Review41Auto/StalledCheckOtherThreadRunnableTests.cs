using Brigade.Auto;
using Brigade.Tests.Auto;
using Brigade.Tests.Infrastructure;

namespace Brigade.Tests.Review41Auto;

/// <summary>
/// The monitor's stalled check under a CPU plan (review 41, autonew): a worker blocked on a futex whose holder waits for a core
/// (the GC's allocation lock, a runtime lock, at load 30–50 on 2 cores) looks from outside like one in a wait of its own, and
/// allocation-heavy CPU work ended on a blocking plan in 3 of 140 runs. While another thread of the process is ready to run, a
/// look does not count as stalled, at most <see cref="AutoTuning.MaxStallDeferrals"/> times per plan, so a real stall still
/// re-plans, a few ticks later. The process's other threads are given (<c>otherThreadRunnable</c>), not read; the items
/// really wait (on a task), as in <see cref="AutoWorkTurnsTests"/>.
/// </summary>
[Collection(AutoCollection.Name)]
public sealed class StalledCheckOtherThreadRunnableTests
{
    [Fact]
    public async Task WhileAnotherThreadIsRunnable_WaitingBatchesDoNotReplan_UntilTheDeferralsAreSpent()
    {
        if (!OperatingSystem.IsLinux())
        {
            return; // Per-thread CPU clocks tell a blocked thread from a computing one only there.
        }

        var engine = new StallEngine(otherRunnable: true);

        await Runner.MapAsync(Enumerable.Range(0, 8).ToArray(), engine.Enter, new RunOptions { Engine = engine }).Bounded();

        Assert.True(engine.Asked >= AutoTuning.MaxStallDeferrals, $"asked {engine.Asked} times");
        Assert.True(engine.ChecksBeforeReplan > AutoTuning.MaxStallDeferrals,
            $"re-planned after {engine.ChecksBeforeReplan} checks while another thread was runnable (at most {AutoTuning.MaxStallDeferrals} deferred)");
        Assert.True(engine.Classes is [WorkloadClass.CpuBound, WorkloadClass.Blocking], $"plans {string.Join(", ", engine.Classes)} after {engine.ChecksBeforeReplan} checks: a real stall must still re-plan");
    }

    [Fact]
    public async Task WithNoOtherThreadRunnable_WaitingBatchesReplanAsBefore()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var engine = new StallEngine(otherRunnable: false);

        await Runner.MapAsync(Enumerable.Range(0, 8).ToArray(), engine.Enter, new RunOptions { Engine = engine }).Bounded();

        Assert.True(engine.Classes is [WorkloadClass.CpuBound, WorkloadClass.Blocking], $"plans {string.Join(", ", engine.Classes)} after {engine.ChecksBeforeReplan} checks");
        Assert.True(engine.Asked >= 2, $"asked {engine.Asked} times");
    }

    // A CPU plan of two pool workers whose items then wait (held on a task); a monitor stepped by hand every 20 ms until the
    // plan changes (or 3 s), with the process's other threads given as runnable or not.
    private sealed class StallEngine(bool otherRunnable) : HeldItemsEngine("stall")
    {
        private int _entered;
        private int _asked;

        public int Entered => Volatile.Read(ref _entered);

        public int Asked => Volatile.Read(ref _asked);

        public int ChecksBeforeReplan { get; private set; }

        public IReadOnlyList<WorkloadClass> Classes { get; private set; } = [];

        public int Enter(int i)
        {
            Interlocked.Increment(ref _entered);
            return Hold(i);
        }

        protected internal override async Task ExecuteAsync<TIn, TOut>(EngineJob<TIn, TOut> job)
        {
            var options = new AutoEngineOptions { UsePlanCache = false };
            var time = options.TimeProvider;
            var inspector = new BatchInspector(time, asyncWork: false, reportsExternalCpu: false,
                otherThreadRunnable: () => { Interlocked.Increment(ref _asked); return otherRunnable; });
            var controller = new AutoController<TIn, TOut>(job, options, inspector, cores: 2);
            var monitor = new AutoMonitor<TIn, TOut>(controller, controller.Pool, inspector, job, options);
            try
            {
                controller.Start();
                var cpu = AutoPlanner.Decide(WorkSample.FromPerItem(8, TimeSpan.FromMicroseconds(900), TimeSpan.FromMicroseconds(890)), controller.Context())!;
                Assert.Equal(WorkloadClass.CpuBound, cpu.Class);
                controller.Apply(cpu, revision: 0);
                monitor.Restart(controller.Pool.Totals(), time.GetTimestamp());
                Assert.True(SpinWait.SpinUntil(() => Entered >= 2, TimeSpan.FromSeconds(30)), "the items did not start");

                // Contentions are counted from the check before, as each tick's would be (AutoWorkTurnsTests).
                var looked = controller.Pool.Totals().LockContentions;
                var deadline = time.GetTimestamp() + (long)(3 * time.TimestampFrequency);
                var checks = 0;
                while (controller.Plans.Count == 1 && time.GetTimestamp() < deadline)
                {
                    Thread.Sleep(20);
                    var total = controller.Pool.Totals();
                    monitor.Step(time.GetTimestamp(), total with { LockContentions = total.LockContentions - looked });
                    looked = total.LockContentions;
                    checks++;
                }

                ChecksBeforeReplan = checks;
                Classes = [.. controller.Plans.Select(p => p.Class)];
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
