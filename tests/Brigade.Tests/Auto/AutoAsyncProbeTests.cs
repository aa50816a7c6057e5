using System.Collections.Concurrent;
using Brigade.Auto;

namespace Brigade.Tests.Auto;

/// <summary>
/// Asynchronous items in auto mode: the sample widens fast while every item is in flight, and once a plan runs, most items
/// in flight do not read the thread's CPU clock (two system calls, as much as a <c>Task.Delay</c> item's own CPU).
/// </summary>
[Collection(AutoCollection.Name)]
public sealed class AutoAsyncProbeTests
{
    [Fact]
    public async Task AsyncItemsAllInFlight_WidenTheSampleFourfoldPerLook()
    {
        // The items wait on a gate that opens once 64 have started (or after 10 s): until then every look sees all of them
        // in flight. A sample that doubled took ten looks to reach 1,024 items in flight (20 ms of 20,000 × Task.Delay(10 ms),
        // a wave behind the async engine at that width).
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var startedItems = 0;
        var widenings = new ConcurrentQueue<(int From, int To, int InFlight, int Waiting)>();
        AutoTrace.Write = line =>
        {
            if (line.StartsWith("probe widens ", StringComparison.Ordinal))
            {
                var parts = line["probe widens ".Length..].Split(' ');
                // "probe widens FROM -> TO (N in flight, M waiting)"
                var number = (string text) => int.Parse(text.TrimStart('('), System.Globalization.CultureInfo.InvariantCulture);
                widenings.Enqueue((number(parts[0]), number(parts[2]), number(parts[3]), number(parts[6])));
            }
        };
        try
        {
            var result = await Runner.MapAsync(Enumerable.Range(0, 4096).ToArray(), async (i, ct) =>
            {
                if (Interlocked.Increment(ref startedItems) >= 64)
                {
                    gate.TrySetResult();
                }

                await gate.Task.WaitAsync(TimeSpan.FromSeconds(10), ct).ConfigureAwait(false);
                return i;
            }, new RunOptions { Engine = Engine.CreateAuto(new AutoEngineOptions { UsePlanCache = false }) }).WaitAsync(TimeSpan.FromSeconds(60));

            Assert.Equal(Enumerable.Range(0, 4096), result.Values);
            // The fourfold step is for a look that sees every item in flight waiting (once the gate opens, a look may see
            // some still starting, where the product doubles, as for threads), up to the ceiling of items in flight: on a
            // loaded machine the sample can reach 512 before the gate opens, and 512 widens to the 1,024 ceiling, not to
            // 2,048 (ci138 and lib52's run, 2026-12-06).
            var ceiling = new AutoEngineOptions().MaxConcurrency;
            var steps = widenings.Where(s => s.InFlight > 0 && s.InFlight == s.Waiting).ToArray();
            Assert.NotEmpty(steps);
            Assert.All(steps, s => Assert.Equal(Math.Min(s.From * 4, ceiling), s.To));
        }
        finally
        {
            AutoTrace.Write = null;
        }
    }

    [Fact]
    public void AnItemInFlight_NotToBeMeasured_ReadsNoCpuClockAndCountsAsUnmeasured()
    {
        using var unread = new AutoWorker(0, LoopKind.Task, TimeProvider.System, asyncWork: true) { Measure = false, MeasureInFlight = false };
        var sample = InFlight(unread);
        Assert.Equal(1, sample.PendingItems);
        Assert.Equal(1, sample.PendingUnmeasuredItems);
        Assert.Equal(0, sample.PendingCpuTicks);
        Assert.True(sample.PendingWallTicks > 0);

        using var read = new AutoWorker(1, LoopKind.Task, TimeProvider.System, asyncWork: true) { Measure = false, MeasureInFlight = true };
        sample = InFlight(read);
        Assert.Equal(1, sample.PendingItems);
        Assert.Equal(0, sample.PendingUnmeasuredItems);
    }

    [Fact]
    public void UnmeasuredItemsInFlight_CountInTheirTimeButNotInTheCpuPerItem()
    {
        var read = new WorkSample { PendingItems = 1, PendingWallTicks = TimeSpan.FromMilliseconds(10).Ticks, PendingCpuTicks = TimeSpan.FromMicroseconds(100).Ticks };
        var unread = new WorkSample { PendingItems = 3, PendingUnmeasuredItems = 3, PendingWallTicks = TimeSpan.FromMilliseconds(30).Ticks };

        var all = read + unread;
        Assert.Equal(TimeSpan.FromMicroseconds(100), all.CpuTimePerItem);
        Assert.Equal(TimeSpan.FromMilliseconds(10), all.TimePerItem);
        Assert.Equal(0.01, all.CpuRatio, 4);

        // A window of unread items only: no CPU known, none assumed; the difference of two snapshots keeps the count.
        var window = all - read;
        Assert.Equal(3, window.PendingUnmeasuredItems);
        Assert.Equal(TimeSpan.Zero, window.CpuTimePerItem);
        Assert.Equal(0, window.CpuRatio);
    }

    // One batch that goes in flight: started, returned unfinished, ended later.
    private static WorkSample InFlight(AutoWorker worker)
    {
        worker.OnBatchStart();
        worker.Returned();
        Thread.Sleep(2);
        worker.OnBatchEnd();
        return worker.Complete(1);
    }
}
