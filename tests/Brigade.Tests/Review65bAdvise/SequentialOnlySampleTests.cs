using System.Diagnostics;
using Brigade.Auto;

namespace Brigade.Tests.Review65bAdvise;

// Review 65b: with only `sequential` allowed (AutoEngineOptions.Engines, `brigade advise --engines sequential`), auto's plan
// ran one item at a time, but its sample did not: the first widening (AutoProbe.FirstWiden: the cores), the widening for
// waiting items, the lock-timing check (two workers) and a tiny job's helper (AutoWorkerPool.MaybeJoin) ran the user's
// work on two or more workers at once in this process: the user who chose sequential for code that is not thread-safe
// had it run concurrently anyway. Each item records how many run at once (an Interlocked maximum). To make the overlap
// certain where it can happen, the items of each run's first second wait (spinning, sleeping or awaiting, as the shape
// is) until another item runs beside them: on the old code the sample's second worker arrives and the maximum reads 2;
// one at a time, nobody arrives and each waits out the shared second once.
public sealed class SequentialOnlySampleTests
{
    public enum Shape
    {
        Cpu,
        Waiting,
        Async,
        Tiny,
    }

    [Theory]
    [InlineData(Shape.Cpu)]
    [InlineData(Shape.Waiting)]
    [InlineData(Shape.Async)]
    [InlineData(Shape.Tiny)]
    public async Task OnlySequentialAllowed_TheSampleToo_RunsOneItemAtATime(Shape shape)
    {
        var probe = new AtOnce(TimeSpan.FromSeconds(1));
        var auto = Engine.CreateAuto(new AutoEngineOptions { UsePlanCache = false, Engines = ["sequential"], TinyJoin = shape == Shape.Tiny ? true : null });
        var options = new RunOptions { Engine = auto };
        var count = shape switch { Shape.Cpu => 2_000, Shape.Tiny => 200, _ => 100 };
        var items = Enumerable.Range(0, count).ToArray();

        var result = shape == Shape.Async
            ? await Runner.MapAsync(items, async (i, ct) => { await probe.RunAsync(ct).ConfigureAwait(false); return i; }, options).WaitAsync(TimeSpan.FromSeconds(120))
            : await Runner.MapAsync(items, i => { probe.Run(shape); return i; }, options).WaitAsync(TimeSpan.FromSeconds(120));

        Assert.True(result.Report.IsSuccess);
        Assert.Equal(items, result.Values.Order());
        Assert.NotEmpty(result.Report.Plans);
        Assert.All(result.Report.Plans, p => Assert.Equal("sequential", p.Engine));
        Assert.Equal(1, probe.Max);
    }

    [Theory]
    [InlineData(new[] { "sequential" }, true)]
    [InlineData(new[] { "sequential", "processes" }, true)]
    [InlineData(new[] { "sequential", "threads" }, false)]
    [InlineData(new[] { "threadpool" }, false)]
    [InlineData(new[] { "async" }, false)]
    [InlineData(new string[0], false)]
    [InlineData(null, false)]
    public void OneAtATime_IsWhenNoParallelInProcessEngineIsAllowed(string[]? engines, bool one)
    {
        Assert.Equal(one, new AutoEngineOptions { Engines = engines }.OneAtATime);
    }

    // Counts the items running at once; an item of the first window waits for a second one beside it.
    private sealed class AtOnce(TimeSpan window)
    {
        private readonly Stopwatch _clock = new();
        private readonly Lock _gate = new();
        private int _running;
        private int _max;

        public int Max => Volatile.Read(ref _max);

        public void Run(Shape shape)
        {
            Enter();
            try
            {
                while (Waits())
                {
                    if (shape == Shape.Waiting)
                    {
                        Thread.Sleep(1);
                    }
                    else
                    {
                        Thread.SpinWait(20);
                    }
                }

                if (shape == Shape.Waiting)
                {
                    Thread.Sleep(1);
                }
                else if (shape == Shape.Cpu)
                {
                    var until = Stopwatch.GetTimestamp() + (Stopwatch.Frequency / 50_000);
                    while (Stopwatch.GetTimestamp() < until)
                    {
                        Thread.SpinWait(10);
                    }
                }
            }
            finally
            {
                Interlocked.Decrement(ref _running);
            }
        }

        public async Task RunAsync(CancellationToken ct)
        {
            Enter();
            try
            {
                while (Waits())
                {
                    await Task.Delay(1, ct).ConfigureAwait(false);
                }

                await Task.Delay(1, ct).ConfigureAwait(false);
            }
            finally
            {
                Interlocked.Decrement(ref _running);
            }
        }

        private void Enter()
        {
            lock (_gate)
            {
                if (!_clock.IsRunning)
                {
                    _clock.Start();
                }
            }

            var now = Interlocked.Increment(ref _running);
            int seen;
            while (now > (seen = Volatile.Read(ref _max)) && Interlocked.CompareExchange(ref _max, now, seen) != seen)
            {
            }
        }

        // Within the first window, until a second item has run beside this one (the maximum is never lowered).
        private bool Waits() => Volatile.Read(ref _max) < 2 && _clock.Elapsed < window;
    }
}
