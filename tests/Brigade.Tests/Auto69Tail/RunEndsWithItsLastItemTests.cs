using System.Diagnostics;
using Brigade.Auto;
using Brigade.Internal;
using Brigade.Tests.Auto;

namespace Brigade.Tests.Auto69Tail;

/// <summary>
/// autotail69 (1): a cold auto run of CPU-bound items returned 0.5–1.1 s after its last item (fresh69, load 26–95; 0.4–1.2 s
/// here at load ~80). The time went to the plan line's forecast, made on the run's return path: for a job it forecast at a
/// second or more, it read every other process's threads five times, 5 ms apart (MachineLoad.OtherGroups, the scheduler's
/// session groups), which on a busy machine with hundreds of threads takes a second. The run now returns within a few
/// milliseconds of its last item; the line's forecast reads the machine's runnable threads only (one read of /proc/stat).
/// </summary>
[Collection(AutoCollection.Name)]
public sealed class RunEndsWithItsLastItemTests
{
    [Fact]
    public async Task AColdRunOfCpuItems_ReturnsSoonAfterItsLastItem()
    {
        // 100 items of ~25 ms of CPU: the forecast's idle wall is over a second (the length that made the line read the
        // session groups). The bound is coarse: the tail was 0.4–1.2 s on a busy machine, and is a few ms now.
        var clock = Stopwatch.StartNew();
        var result = await Runner.MapAsync(Enumerable.Range(0, 100).ToArray(), static i => Spin(TimeSpan.FromMilliseconds(25), i),
            new RunOptions { Engine = Engine.CreateAuto(new AutoEngineOptions { UsePlanCache = false }) }).WaitAsync(TimeSpan.FromSeconds(120));
        var returned = clock.Elapsed;

        Assert.Equal(100, result.Values.Count);
        var lastEnd = result.Report.Timeline.Max(static e => e.End);
        var tail = result.Report.WallTime - lastEnd;
        Assert.True(tail < TimeSpan.FromMilliseconds(300), $"tail {tail.TotalMilliseconds:0} ms (returned at {returned.TotalSeconds:0.000} s); {result.Report.Plan}");
        Assert.Contains("forecast speedup", result.Report.Plan, StringComparison.Ordinal);
    }

    private static int Spin(TimeSpan cpu, int i)
    {
        var start = ThreadCpuTime.NowTicks();
        var x = i;
        while (ThreadCpuTime.NowTicks() - start < cpu.Ticks)
        {
            for (var k = 0; k < 1_000; k++)
            {
                x = (x * 31) + k;
            }
        }

        return x;
    }
}
