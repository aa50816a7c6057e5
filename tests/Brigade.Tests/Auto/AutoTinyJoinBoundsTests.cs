using Brigade.Auto;
using Brigade.Tests.Infrastructure;

namespace Brigade.Tests.Auto;

/// <summary>
/// The pool thread that joins a tiny job (AutoWorkerPool.JoinAsHelper) runs its items in the caller's execution context,
/// and never under a user's MaxDegreeOfParallelism, which it would exceed (it holds no slot under the ceiling). Review
/// 20 T1/T2: both failed before.
/// </summary>
[Collection(AutoCollection.Name)]
public sealed class AutoTinyJoinBoundsTests
{
    private static readonly AsyncLocal<string?> Ambient = new();

    [Fact]
    public async Task Helper_SeesTheCallersAsyncLocal()
    {
        var outcomes = new List<AutoRunOutcome>();
        var engine = Engine.CreateAuto(new AutoEngineOptions { UsePlanCache = false, TinyJoin = true, OnFinished = outcomes.Add });
        var report = new List<string>();
        for (var run = 0; run < 20; run++)
        {
            Ambient.Value = "caller";
            var caller = -1;
            var helperRan = new ManualResetEventSlim();
            var missing = 0;
            var onOther = 0;
            _ = await Runner.MapAsync(Enumerable.Range(0, 300).ToArray(), i =>
            {
                var t = Environment.CurrentManagedThreadId;
                if (i == 0)
                {
                    Volatile.Write(ref caller, t);
                }
                else if (t != Volatile.Read(ref caller))
                {
                    Interlocked.Increment(ref onOther);
                    helperRan.Set();
                }
                else if (i == 1)
                {
                    helperRan.Wait(TimeSpan.FromSeconds(2));
                }

                if (Ambient.Value != "caller")
                {
                    Interlocked.Increment(ref missing);
                }

                return i;
            }, new RunOptions { Engine = engine });
            var o = outcomes[^1];
            report.Add($"run {run}: {onOther} items on another thread, {missing} without the caller's AsyncLocal, helper {o.Helper?.Totals.Items}, workers {o.Workers.Count}");
            if (o.Helper is { } h && h.Totals.Items > 0 && o.Workers.Count == 1)
            {
                Assert.True(missing == 0, string.Join("\n", report));
                return;
            }
        }

        Assert.Fail("helper never ran: " + string.Join("\n", report));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task UnderMaxDegreeOfParallelism_NeverMoreItemsAtOnce(bool join)
    {
        var engine = Engine.CreateAuto(new AutoEngineOptions { UsePlanCache = false, TinyJoin = join });
        var report = new List<string>();
        for (var run = 0; run < 10; run++)
        {
            var running = 0;
            var peak = 0;
            _ = await Runner.MapAsync(Enumerable.Range(0, 400).ToArray(), i =>
            {
                var now = Interlocked.Increment(ref running);
                Peak.Raise(ref peak, now);

                Thread.Sleep(1);
                Interlocked.Decrement(ref running);
                return i;
            }, new RunOptions { Engine = engine, MaxDegreeOfParallelism = 2 });
            report.Add($"run {run}: peak {peak}");
            if (peak > 2)
            {
                Assert.Fail("MaxDegreeOfParallelism = 2 exceeded: " + string.Join("; ", report));
            }
        }
    }
}
