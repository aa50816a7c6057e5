using System.Globalization;
using Brigade.Auto;
using Brigade.Synchronization;
using Brigade.Tests.Infrastructure;

namespace Brigade.Tests.Auto;

/// <summary>
/// Auto mode's evidence of waits on Brigade's own primitives (<see cref="WorkSample.LockWaitTicks"/>) is the run's items'
/// waits only: a thread of the same process that waits on a <see cref="DetectingLock"/> meanwhile (a test host's other
/// tests, the application's own locks) does not make items that sleep look serialized (seen in CI: advise's blocking-sleep
/// classed serialized in the Cli test host), while the items' own waits still count, blocking and awaited.
/// </summary>
[Collection(AutoCollection.Name)]
public sealed class AutoPrimitiveWaitTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task SleepingItems_BesideAThreadWaitingOnABrigadeLock_CountNoneOfItsWaits()
    {
        // Three of a bystander's timed waits on a Brigade lock fall inside the run's window (DetectingLockBystander): they
        // are not the run's.
        var auto = new ObservedAuto();
        using (var bystander = new DetectingLockBystander())
        {
            var result = await Runner.MapAsync(Enumerable.Range(0, 40).ToArray(), i =>
            {
                if (i == 0)
                {
                    bystander.WaitInsideRun();
                }

                Thread.Sleep(2);
                return i;
            }, new RunOptions { Engine = auto.Engine }).Bounded();

            Assert.Equal(Enumerable.Range(0, 40), result.Values);
        }

        Assert.True(auto.Class != WorkloadClass.Serialized, auto.Describe());
        Assert.True(auto.Totals.LockWaitTicks == 0, auto.Describe());
        Assert.True(auto.DecisionLockWaitTicks is null or 0, auto.Describe());
    }

    [Fact]
    public async Task BlockingItemWaitingOnADetectingLock_CountsItsWait()
    {
        var shared = new DetectingLock("the items' lock");
        var auto = new ObservedAuto();
        await AssertWaitCountedAsync(shared, auto, () => Runner.MapAsync(Enumerable.Range(0, 8).ToArray(), i =>
        {
            using (shared.Acquire())
            {
                return i;
            }
        }, new RunOptions { Engine = auto.Engine }));
    }

    [Fact]
    public async Task AsyncItemAwaitingADetectingLock_CountsItsWait_ThoughAnotherThreadEndsIt()
    {
        // The item awaits the lock in its synchronous part; the wait ends on this thread (the releaser's), which runs no
        // batch of the run: the wait counts for the batch that began it.
        var shared = new DetectingLock("the items' lock");
        var auto = new ObservedAuto();
        await AssertWaitCountedAsync(shared, auto, () => Runner.MapAsync(Enumerable.Range(0, 8).ToArray(), async (i, ct) =>
        {
            using (await shared.AcquireAsync(ct))
            {
                return i;
            }
        }, new RunOptions { Engine = auto.Engine }));
    }

    // Holds the lock on this thread and releases it on it (no await in between) once an item has waited at least 5 ms;
    // the run's evidence must count that wait.
    private static async Task AssertWaitCountedAsync(DetectingLock shared, ObservedAuto auto, Func<Task<RunResult<int>>> start)
    {
        Task<RunResult<int>> run;
        using (shared.Acquire())
        {
            run = Task.Run(start);
            Assert.True(SpinWait.SpinUntil(() => shared.WaitingCount > 0, Bound));
            Thread.Sleep(5);
        }

        Assert.Equal(Enumerable.Range(0, 8), (await run.Bounded()).Values);
        Assert.True(auto.Totals.LockWaitTicks >= TimeSpan.FromMilliseconds(5).Ticks, auto.Describe());
    }

    // The real auto engine (no plan cache), with the evidence its run ended with (AutoEngineOptions.OnFinished): read by
    // AutoRun itself, exactly once every loop had left and before lock timing stopped, not by a copy of its steps.
    private sealed class ObservedAuto
    {
        private AutoRunOutcome? _outcome;

        public ObservedAuto() =>
            Engine = Brigade.Engine.CreateAuto(new AutoEngineOptions { UsePlanCache = false, OnFinished = outcome => _outcome = outcome });

        public Engine Engine { get; }

        public AutoRunOutcome Outcome => Volatile.Read(ref _outcome) ?? throw new InvalidOperationException("The auto run ended without its outcome (no AutoRun.Finish).");

        public WorkSample Totals => Outcome.Totals;

        public WorkloadClass? Class => Outcome.Decision?.Class;

        public long? DecisionLockWaitTicks => Outcome.Decision?.Sample.LockWaitTicks;

        // Everything the assertions read, and where it came from: per worker (its primitive waits, whether its first batch
        // went to the warm-up, what it ran), the warm-up batches Totals leaves out, and every plan.
        public string Describe()
        {
            if (Volatile.Read(ref _outcome) is not { } o)
            {
                return "no outcome: the auto run did not reach AutoRun.Finish";
            }

            var lines = new List<string>
            {
                $"class {Class}, decision's lock waits {DecisionLockWaitTicks?.ToString(CultureInfo.InvariantCulture) ?? "-"} ticks",
                $"totals {o.Totals}",
                $"warm-up {o.Warmup}",
            };
            lines.AddRange(o.Workers.Select(w => string.Create(CultureInfo.InvariantCulture,
                $"worker {w.Id} ({w.Kind}): PrimitiveWaitTicks {w.PrimitiveWaitTicks}, warmed up {w.WarmedUp}, left by shrink {w.LeftByShrink}, {w.Totals.TotalItems} items in {w.Totals.Batches} batches")));
            lines.AddRange(o.Plans.Select(p => string.Create(CultureInfo.InvariantCulture,
                $"plan {p.Revision}: {p.Class} {p.Engine} ×{p.DegreeOfParallelism}: {p.Explanation}")));
            return string.Join(Environment.NewLine, lines);
        }
    }
}
