using System.Diagnostics;
using Brigade.Auto;
using Brigade.Tests.Infrastructure;

namespace Brigade.Tests.Auto;

/// <summary>
/// The controller's watchdog tick (<see cref="AutoTicker"/>) decides a tick is due before it takes the controller's lock;
/// a worker may tick in between. A second tick right after the first looked at running batches over a few microseconds,
/// where a CPU-bound item the runtime stopped for that long read as blocked: small-items (CPU-bound) was re-planned as
/// blocking I/O from a 64 µs look under load. A worker's tick (<see cref="AutoController{TIn, TOut}.MaybeTick"/>) has
/// the same gap between seeing the tick due and taking the lock.
/// </summary>
public sealed class AutoControllerTickTests
{
    [Fact]
    public async Task Tick_RightAfterATick_DoesNotLookAgainUntilTheNextIsDue()
    {
        var engine = new TickingEngine();

        await Runner.MapAsync(Enumerable.Range(0, 4).ToArray(), engine.Hold, new RunOptions { Engine = engine }).Bounded();

        // Attempts where the machine stopped the test between the two ticks for longer than a tick interval prove nothing.
        Assert.All(engine.Attempts, a => Assert.True(a.Ticked, "a due tick did not look"));
        var clean = engine.Attempts.Where(a => a.SecondBeforeDue).ToList();
        Assert.NotEmpty(clean);
        Assert.All(clean, a => Assert.False(a.SecondTicked, "a tick right after a tick looked again"));
        Assert.All(clean, a => Assert.False(a.WorkerTicked, "a worker that saw the tick due before another ticked looked again"));
    }

    // Drives an auto run's controller by hand: a due tick, then at once the watchdog's and a worker's tick as if they had
    // seen it due before it ran.
    // The items wait until the attempts are over, so no worker ticks meanwhile.
    private sealed class TickingEngine() : HeldItemsEngine("ticking")
    {
        public List<(bool Ticked, bool SecondTicked, bool WorkerTicked, bool SecondBeforeDue)> Attempts { get; } = [];

        protected internal override async Task ExecuteAsync<TIn, TOut>(EngineJob<TIn, TOut> job)
        {
            var options = new AutoEngineOptions { UsePlanCache = false };
            var controller = new AutoController<TIn, TOut>(job, options, new BatchInspector(options.TimeProvider, asyncWork: false, reportsExternalCpu: false));
            try
            {
                controller.Start();
                for (var attempt = 0; attempt < 5; attempt++)
                {
                    while (Stopwatch.GetTimestamp() < controller.DueTimestamp)
                    {
                        await Task.Delay(1);
                    }

                    var before = controller.LastTickTimestamp;
                    controller.Tick();
                    var first = controller.LastTickTimestamp;
                    var due = controller.DueTimestamp;
                    controller.Tick();
                    var second = controller.LastTickTimestamp;

                    // A worker that saw the tick due (MaybeTick's first check) and took the lock only now.
                    controller.TickFromWorker();
                    var beforeDue = Stopwatch.GetTimestamp() < due;
                    Attempts.Add((first != before, second != first, controller.LastTickTimestamp != second, beforeDue));
                }
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
